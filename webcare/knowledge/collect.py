"""Answered questions from the store (SQLite or PostgreSQL), for the FAQ grouping.

Called by ``webcare knowledge export`` and the ``/knowledge`` page. A question is a stored post
that is not noise and is a question (a topic in ``knowledge.question_topics`` or
:func:`webcare.knowledge.questions.is_question`) with at least one answer:

* a **webcare** reply sent through the app (``replies``, modes in ``knowledge.reply_modes``);
* an **official** answer: a reply post by an own account (noise reason ``own_post``) or one a
  source marked ``official_answer`` (Viva Engage, ``raw.engage.role``);
* a **peer** answer: a reply post by anyone else except the asker, not spam/bot/empty.

Replies are found through ``post_threads`` (migration 4): an answer's ``reply_to_key`` is the
question's ``thread_key`` (the platform's id) or ``<platform>:<post id>`` (input that names the
pipeline-wide post id as ``reply_to_id``, as the demo day does). A database error propagates.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from schemas import Decision
from sinks.store import knowledge as stored
from sinks.store.app_db import AppDb, iso, parse_iso
from webcare.knowledge.config import KnowledgeConfig
from webcare.knowledge.grouping import Answer, Question
from webcare.knowledge.questions import is_question

CHUNK = 500
SKIPPED_NOISE = ("spam", "bot", "empty")
PAGE = 1000


def answered_questions(db: AppDb, config: KnowledgeConfig, start: str = "",
                       end: str = "9999") -> list[Question]:
    """The most recent ``max_questions`` answered questions between ISO ``start`` and ``end``."""
    asked = _asked(db, config, start, end)
    answers: dict[str, list[Answer]] = defaultdict(list)
    for start_at in range(0, len(asked), CHUNK):
        chunk = asked[start_at:start_at + CHUNK]
        _webcare_answers(db, config, [d.post.id for d in chunk], answers)
        _thread_answers(db, chunk, answers)
    return [Question(post_id=d.post.id, text=d.post.text, lang=d.classification.lang,
                     topic=d.classification.topic, asked_at=d.post.created_at,
                     answers=tuple(sorted(answers[d.post.id], key=lambda a: a.at)))
            for d in asked if answers[d.post.id]]


def _asked(db: AppDb, config: KnowledgeConfig, start: str, end: str) -> list[Decision]:
    """Answered posts that are questions, newest first, until ``max_questions`` are found
    (answered complaints do not use up the budget)."""
    asked: list[Decision] = []
    offset = 0
    while len(asked) < config.max_questions:
        rows = stored.answered_posts(db, start, end, PAGE, offset)
        for text in rows:
            d = Decision.model_validate_json(text)
            if d.classification.topic in config.question_topics \
                    or is_question(d.post.text, d.classification.lang):
                asked.append(d)
        if len(rows) < PAGE:
            break
        offset += PAGE
    return asked[:config.max_questions]


def _webcare_answers(db: AppDb, config: KnowledgeConfig, ids: list[str],
                     answers: dict[str, list[Answer]]) -> None:
    modes = list(config.reply_modes)
    for row in stored.app_replies(db, ids, modes):
        answers[row["post_id"]].append(Answer(kind="webcare", text=row["body"],
                                              at=parse_iso(row["at"]), author=row["actor"]))


def _thread_answers(db: AppDb, questions: list[Decision],
                    answers: dict[str, list[Answer]]) -> None:
    askers = {d.post.id: d.post.author.handle.lower() for d in questions}
    ids = list(askers)
    for row in stored.thread_replies(db, ids):
        post = Decision.model_validate_json(row["decision_json"]).post
        kind = _kind(row["noise_reason"], post.raw, post.author.handle.lower()
                     == askers[row["question_id"]])
        if kind is not None:
            answers[row["question_id"]].append(Answer(
                kind=kind, text=post.text, at=post.created_at, author=post.author.handle,
                likes=int(row["likes"] or 0), post_id=post.id))


def _kind(noise_reason: str | None, raw: dict | None, by_asker: bool) -> str | None:
    """official / peer, or None for the asker's own follow-up and spam, bot or empty posts."""
    role = ((raw or {}).get("engage") or {}).get("role") if isinstance(raw, dict) else None
    if role == "official_answer" or noise_reason == "own_post":
        return "official"
    if by_asker or role == "asker_reply" or noise_reason in SKIPPED_NOISE:
        return None
    return "peer"


def window(start: datetime | None, end: datetime | None) -> tuple[str, str]:
    """ISO text bounds for :func:`answered_questions` (open ends when None)."""
    return (iso(start) if start else "", iso(end) if end else "9999")
