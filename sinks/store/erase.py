"""The store side of GDPR erasure (``webcare erase --author``; :mod:`webcare.app.erase`).

The app decides what is erased and how text is scrubbed; these functions find and delete the
rows, on SQLite and PostgreSQL alike. They run inside the caller's transaction
(``AppStore.db.tx()``): any database error propagates and rolls the whole erasure back, so an
author is either erased completely or not at all. Post ids are bound in chunks of
:data:`CHUNK` to keep every statement under the engines' parameter limits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sinks.store.app_db import AppDb, like_escape

CHUNK = 500
# (count label, table): rows keyed by post_id, deleted before the post itself
POST_TABLES = (("claims", "claims"), ("notes", "notes"), ("relabels", "relabels"),
               ("replies", "replies"), ("reply_sends", "reply_sends"),
               ("incident_links", "incident_posts"), ("assignments", "assignments"),
               ("queue_items", "queue_items"),
               ("engagement", "post_engagement"), ("threads", "post_threads"),
               ("outbound_replies", "outbound_replies"), ("dead_letters", "dead_letters"),
               ("posts", "posts"))
OPTIONAL_TABLES = {"reply_sends"}  # created on first use (the app's first reply)


def table_exists(db: AppDb, name: str) -> bool:
    """Whether ``name`` exists in the store (in the current schema on PostgreSQL)."""
    if db.is_sqlite:
        return db.one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
                      (name,)) is not None
    return db.one("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                  "current_schema() AND table_name = ?", (name,)) is not None


def _in(ids: Sequence[str]) -> str:
    return "(" + ",".join("?" * len(ids)) + ")"


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start:start + CHUNK])


def author_post_ids(db: AppDb, variants: Sequence[str], platform: str | None) -> list[str]:
    """Ids of the posts whose handle (lower-cased) is one of ``variants``, optionally on one
    platform, sorted."""
    sql = f"SELECT post_id FROM posts WHERE LOWER(author_handle) IN {_in(variants)}"
    params: tuple = tuple(variants)
    if platform:
        sql, params = sql + " AND platform = ?", (*params, platform)
    return sorted(row["post_id"] for row in db.rows(sql, params))


def incident_keys_of(db: AppDb, ids: Sequence[str]) -> list[str]:
    """The keys of the incidents these posts are evidence of, sorted."""
    keys: set[str] = set()
    for chunk in _chunks(ids):
        keys.update(r["incident_key"] for r in db.rows(
            f"SELECT DISTINCT incident_key FROM incident_posts WHERE post_id IN {_in(chunk)}",
            chunk))
    return sorted(keys)


def delete_post_rows(db: AppDb, ids: Sequence[str]) -> dict[str, int]:
    """Delete the posts and every row keyed by their ids (:data:`POST_TABLES`); returns rows
    deleted per label. A table in :data:`OPTIONAL_TABLES` that does not exist yet counts 0."""
    counts = dict.fromkeys((label for label, _ in POST_TABLES), 0)
    present = {t for t in OPTIONAL_TABLES if table_exists(db, t)}
    for chunk in _chunks(ids):
        marks = _in(chunk)
        for label, table in POST_TABLES:
            if table in OPTIONAL_TABLES and table not in present:
                continue
            counts[label] += db.run(f"DELETE FROM {table} WHERE post_id IN {marks}", chunk)
    return counts


def audit_rows_of(db: AppDb, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Audit entries of these posts: ``audit_id``, ``post_id`` and the three JSON columns."""
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(ids):
        rows += db.rows(f"SELECT audit_id, post_id, before_json, after_json, detail_json "
                        f"FROM audit WHERE post_id IN {_in(chunk)}", chunk)
    return rows


def rewrite_audit(db: AppDb, audit_id: str, post_id: str, before_json: str | None,
                  after_json: str | None, detail_json: str | None) -> None:
    """Replace one audit entry's post id and JSON columns (who did what and when stays)."""
    db.run("UPDATE audit SET post_id = ?, before_json = ?, after_json = ?, detail_json = ? "
           "WHERE audit_id = ?", (post_id, before_json, after_json, detail_json, audit_id))


def delete_dead_letters_naming(db: AppDb, spellings: Sequence[str]) -> int:
    """Delete dead letters whose payload (lower-cased) contains any of ``spellings`` literally
    (``"handle":"ann"``); returns how many."""
    removed = 0
    for spelled in spellings:
        removed += db.run("DELETE FROM dead_letters WHERE LOWER(payload) LIKE ? ESCAPE '!'",
                          ("%" + like_escape(spelled) + "%",))
    return removed


def outbox_incidents(db: AppDb, keys: Sequence[str]) -> list[dict[str, Any]]:
    """``seq`` and ``incident_json`` of ticket-outbox entries of these incidents (none when the
    store has no outbox table)."""
    if not keys or not table_exists(db, "ticket_outbox"):
        return []
    return db.rows(f"SELECT seq, incident_json FROM ticket_outbox WHERE incident_key IN "
                   f"{_in(keys)}", list(keys))


def set_outbox_incident(db: AppDb, seq: int, incident_json: str) -> int:
    """Replace the incident copy of one outbox entry; rows changed."""
    return db.run("UPDATE ticket_outbox SET incident_json = ? WHERE seq = ?",
                  (incident_json, seq))
