"""The dead-letter view's SQL (issue 21): list, show, and what people did with a dead letter.

``dead_letters`` (schema version 1) holds what the pipeline could not handle: stage, error type,
reason, the original payload, source and line, keyed by a fingerprint. ``dead_letter_states``
(version 8, ``dead_letter_schema.sql``) records a reprocess or discard: status (``open``
after a reprocess that failed again, ``reprocessed``, ``discarded``), who, when, a note and the
number of attempts. A dead letter without a state row is ``open``. A reprocess that fails
again rewrites the stage, error type and reason on the ``dead_letters`` row (the fingerprint
stays its id). Called by :mod:`webcare.app.dead_letters`; a database error propagates.
"""

from __future__ import annotations

from typing import Any

from sinks.store.app_db import AppDb, iso, now

STATUSES = ("open", "reprocessed", "discarded")
_COLUMNS = ("d.fingerprint, d.stage, d.error_type, d.reason, d.source, d.line, d.post_id, "
            "d.occurred_at, COALESCE(s.status, 'open') AS status, s.actor, s.at, s.note, "
            "COALESCE(s.attempts, 0) AS attempts")
_FROM = " FROM dead_letters d LEFT JOIN dead_letter_states s ON s.fingerprint = d.fingerprint"


def list_rows(db: AppDb, stage: str | None = None, source: str | None = None,
              status: str | None = "open", limit: int = 200) -> list[dict[str, Any]]:
    """Dead letters, newest first, without their payloads (``payload_chars`` says how long);
    ``status`` None lists every status. Raises ValueError for an unknown status."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown dead-letter status {status!r} (one of {', '.join(STATUSES)})")
    sql = f"SELECT {_COLUMNS}, LENGTH(d.payload) AS payload_chars{_FROM} WHERE 1 = 1"
    params: list[Any] = []
    if stage:
        sql += " AND d.stage = ?"
        params.append(stage)
    if source:
        sql += " AND d.source = ?"
        params.append(source)
    if status is not None:
        sql += " AND COALESCE(s.status, 'open') = ?"
        params.append(status)
    sql += " ORDER BY d.occurred_at DESC, d.fingerprint LIMIT ?"
    return db.rows(sql, [*params, limit])


def get(db: AppDb, fingerprint: str) -> dict[str, Any] | None:
    """One dead letter with its payload and state, or None."""
    return db.one(f"SELECT {_COLUMNS}, d.payload{_FROM} WHERE d.fingerprint = ?",
                  (fingerprint,))


def facets(db: AppDb) -> dict[str, list[str]]:
    """The stages and sources present (for the filter menus)."""
    return {"stage": [r["v"] for r in db.rows(
                "SELECT DISTINCT stage AS v FROM dead_letters ORDER BY 1")],
            "source": [r["v"] for r in db.rows(
                "SELECT DISTINCT source AS v FROM dead_letters WHERE source IS NOT NULL "
                "ORDER BY 1")]}


def set_state(db: AppDb, fingerprint: str, status: str, actor: str, note: str | None,
              attempted: bool, post_id: str | None = None) -> None:
    """Record what ``actor`` did (``attempted``: a reprocess, counted in ``attempts``)."""
    if status not in STATUSES:
        raise ValueError(f"unknown dead-letter status {status!r}")
    add = 1 if attempted else 0
    db.run("INSERT INTO dead_letter_states (fingerprint, status, actor, at, note, attempts, "
           "post_id) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET "
           "status = excluded.status, actor = excluded.actor, at = excluded.at, "
           "note = excluded.note, attempts = dead_letter_states.attempts + ?, "
           "post_id = COALESCE(excluded.post_id, dead_letter_states.post_id)",
           (fingerprint, status, actor, iso(now()), note, add, post_id, add))


def record_failure(db: AppDb, fingerprint: str, stage: str, error_type: str,
                   reason: str) -> None:
    """A reprocess failed again: the dead letter now carries the new stage and reason."""
    db.run("UPDATE dead_letters SET stage = ?, error_type = ?, reason = ? "
           "WHERE fingerprint = ?", (stage, error_type, reason, fingerprint))
