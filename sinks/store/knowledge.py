"""Answered questions in the store, for the FAQ grouping (:mod:`webcare.knowledge.collect`).

Called by ``webcare knowledge export`` and the app's ``/knowledge`` page. A post counts as
answered when the app sent a reply to it (``replies``) or a stored post replies to it through
``post_threads`` (migration 4): an answer's ``reply_to_key`` is the question's ``thread_key``
or ``<platform>:<post id>``. Read-only, SQLite and PostgreSQL alike; a database error
propagates (the export or page fails).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sinks.store.app_db import AppDb

_ANSWERED = (
    "SELECT p.decision_json FROM posts p WHERE p.noise = 0 AND p.created_at >= ? AND "
    "p.created_at <= ? AND (EXISTS (SELECT 1 FROM replies r WHERE r.post_id = p.post_id) OR "
    "EXISTS (SELECT 1 FROM post_threads q JOIN post_threads a ON a.reply_to_key IN "
    "(q.thread_key, p.platform || ':' || p.post_id) WHERE q.post_id = p.post_id AND "
    "a.post_id <> p.post_id)) ORDER BY p.created_at DESC, p.post_id LIMIT ? OFFSET ?")


def _marks(values: Sequence) -> str:
    return "(" + ",".join("?" * len(values)) + ")"


def answered_posts(db: AppDb, start: str, end: str, limit: int, offset: int) -> list[str]:
    """Decision JSON of non-noise posts created in ``[start, end]`` that have an answer,
    newest first; one page (``limit`` rows from ``offset``)."""
    return [row["decision_json"] for row in db.rows(_ANSWERED, (start, end, limit, offset))]


def app_replies(db: AppDb, ids: Sequence[str], modes: Sequence[str]) -> list[dict[str, Any]]:
    """Replies sent through the app (``post_id``, ``actor``, ``at``, ``body``) to these posts,
    in one of ``modes`` (``sent``, ``dry-run``)."""
    if not ids or not modes:
        return []
    return db.rows(f"SELECT post_id, actor, at, body FROM replies WHERE post_id IN "
                   f"{_marks(ids)} AND mode IN {_marks(modes)}", (*ids, *modes))


def thread_replies(db: AppDb, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Stored posts replying to these posts: ``question_id``, the reply's ``post_id``,
    ``noise_reason``, ``decision_json`` and ``likes`` (None without engagement row)."""
    if not ids:
        return []
    return db.rows(
        "SELECT q.post_id AS question_id, p.post_id, p.noise_reason, p.decision_json, "
        "e.likes FROM post_threads q JOIN posts qp ON qp.post_id = q.post_id "
        "JOIN post_threads a ON a.reply_to_key IN (q.thread_key, qp.platform || ':' || "
        "qp.post_id) JOIN posts p ON p.post_id = a.post_id LEFT JOIN post_engagement e ON "
        f"e.post_id = a.post_id WHERE q.post_id IN {_marks(ids)} AND a.post_id <> q.post_id",
        list(ids))
