"""FAQ candidates as Markdown or CSV for the knowledge base (``webcare knowledge export``).

Pure renderers: :func:`markdown` writes one section per FAQ (question, answer, count, example
phrasings), :func:`csv_text` one row per FAQ; both are called with the candidates
:func:`candidates` grouped from the store. CSV cells that a spreadsheet would run as a formula
are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from schemas.plumbing.spreadsheet import spreadsheet_safe
from sinks.store.app_db import AppDb
from webcare.knowledge.collect import answered_questions
from webcare.knowledge.config import KnowledgeConfig
from webcare.knowledge.grouping import FaqCandidate, group_questions

CSV_COLUMNS = ("faq", "question", "answer", "answer_kind", "count", "languages", "topics",
               "first_asked", "last_asked", "phrasings", "post_ids")
EXAMPLES = 5


def candidates(db: AppDb, config: KnowledgeConfig, start: str = "", end: str = "9999",
               min_count: int | None = None) -> list[FaqCandidate]:
    """FAQ candidates from the store's answered questions (``min_count`` from the config)."""
    questions = answered_questions(db, config, start, end)
    return group_questions(questions, config.grouping,
                           config.min_count if min_count is None else min_count)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.strip().splitlines())


def markdown(found: Sequence[FaqCandidate]) -> str:
    """``# FAQ candidates`` then one ``## n. question`` section per candidate."""
    out = ["# FAQ candidates", "", f"{len(found)} candidates from answered questions.", ""]
    for n, faq in enumerate(found, 1):
        answer = faq.answer
        out += [f"## {n}. {_one_line(faq.question)}", "",
                f"- Asked: {faq.count} time{'' if faq.count == 1 else 's'} "
                f"({faq.first_asked:%Y-%m-%d} – "
                f"{faq.last_asked:%Y-%m-%d})",
                f"- Languages: {', '.join(faq.languages)}; topics: {', '.join(faq.topics)}", "",
                "**Answer**" + (f" ({answer.kind})" if answer else "") + ":", "",
                _quote(answer.text) if answer else "_No answer recorded._", "",
                "**Example phrasings**:", ""]
        out += [f"- {_one_line(text)}" for text in faq.phrasings[:EXAMPLES]]
        out.append("")
    return "\n".join(out)


def csv_text(found: Sequence[FaqCandidate]) -> str:
    """One row per candidate; lists joined with `` | ``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for n, faq in enumerate(found, 1):
        answer = faq.answer
        writer.writerow([spreadsheet_safe(v) for v in (
            n, faq.question, answer.text if answer else "", answer.kind if answer else "",
            faq.count, " | ".join(faq.languages), " | ".join(faq.topics),
            faq.first_asked.isoformat(), faq.last_asked.isoformat(),
            " | ".join(_one_line(t) for t in faq.phrasings), " | ".join(faq.post_ids))])
    return buffer.getvalue()
