"""GDPR erasure: ``webcare erase --author HANDLE`` (SQLite and PostgreSQL stores alike).

Removes, in one transaction, every post of the author (``posts``; the handle as stored, with or
without ``@`` / ``u/``, case-insensitive; optionally one platform) and what hangs off it:
queue items, claims, notes, relabels (training data), replies and their send records, incident
evidence links (the incident's aggregates are recomputed from the posts that are left; a title
or sample list naming the author is rewritten), planned or sent outbound personal replies
(``outbound_replies``), dead letters of those posts or carrying the
handle, and the incident copies waiting in the ticket outbox. Earlier audit entries of the
erased posts keep who did what and when, but their text (``body``/``text``) is replaced by
``[erased]`` and the post id by a digest. Hourly trend counts (``trends``) are aggregates
without personal data and are kept. One ``gdpr.erase`` audit entry records the digest of the
handle and the counts — never the handle or the erased content.

Not covered here (see the README): tickets already delivered to the service desk, Kafka topics
(their retention), the ingest state's recent-id window (ids only), backups.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from schemas import Incident
from sinks.store import incident_rows
from sinks.store.app_db import AppDb
from sinks.store.app_store import AppStore

ERASED = "[erased]"
_TEXT_KEYS = {"body", "text", "title", "author", "author_handle", "handle"}


def bare_handle(handle: str) -> str:
    bare = handle.strip().lower()
    for prefix in ("@", "u/", "/u/"):
        if bare.startswith(prefix):
            return bare[len(prefix):]
    return bare


def handle_variants(handle: str) -> list[str]:
    """The spellings a handle is stored under (``ann``, ``@ann``, ``u/ann``), lower-cased."""
    bare = bare_handle(handle)
    if not bare:
        return []
    return sorted({handle.strip().lower(), bare, "@" + bare, "u/" + bare})


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _table_exists(db: AppDb, name: str) -> bool:
    if db.is_sqlite:
        return db.one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
                      (name,)) is not None
    return db.one("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                  "current_schema() AND table_name = ?", (name,)) is not None


def _in(ids: list[str]) -> str:
    return "(" + ",".join("?" * len(ids)) + ")"


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (ERASED if k in _TEXT_KEYS and v is not None else _scrub(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _scrub_incident(incident: Incident, erased: set[str], variants: list[str]) -> Incident:
    samples = [pid for pid in incident.sample_post_ids if pid not in erased]
    title = incident.title
    if incident.kind != "burst" or any(v in title.lower() for v in variants):
        title = f"[{incident.topic or 'incident'}] post of an erased author"
    return incident.model_copy(update={"sample_post_ids": samples, "title": title})


def erase_author(app: AppStore, handle: str, platform: str | None = None,
                 actor: str = "system") -> dict[str, int]:
    """Erase one author's data from the store; returns the number of rows per kind."""
    db = app.db
    variants = handle_variants(handle)
    if not variants:
        raise ValueError("an author handle is needed")
    counts = dict.fromkeys(("posts", "queue_items", "claims", "notes", "relabels", "replies",
                            "reply_sends", "incident_links", "engagement", "threads",
                            "outbound_replies", "dead_letters",
                            "audit_entries_scrubbed"), 0)
    with db.tx():
        sql = f"SELECT post_id FROM posts WHERE LOWER(author_handle) IN {_in(variants)}"
        params: tuple = tuple(variants)
        if platform:
            sql, params = sql + " AND platform = ?", (*params, platform)
        ids = sorted(row["post_id"] for row in db.rows(sql, params))
        erased = set(ids)
        keys: list[str] = []
        for start in range(0, len(ids), 500):  # bound the parameter count per statement
            chunk = ids[start:start + 500]
            marks = _in(chunk)
            keys += [r["incident_key"] for r in db.rows(
                f"SELECT DISTINCT incident_key FROM incident_posts WHERE post_id IN {marks}",
                chunk)]
            steps = [("claims", "claims"), ("notes", "notes"), ("relabels", "relabels"),
                     ("replies", "replies"), ("incident_links", "incident_posts"),
                     ("queue_items", "queue_items"), ("engagement", "post_engagement"),
                     ("threads", "post_threads"), ("outbound_replies", "outbound_replies")]
            if _table_exists(db, "reply_sends"):
                steps.insert(4, ("reply_sends", "reply_sends"))
            for label, table in steps:
                counts[label] += db.run(
                    f"DELETE FROM {table} WHERE post_id IN {marks}", chunk)
            counts["dead_letters"] += db.run(
                f"DELETE FROM dead_letters WHERE post_id IN {marks}", chunk)
            counts["posts"] += db.run(
                f"DELETE FROM posts WHERE post_id IN {marks}", chunk)
            for row in db.rows(f"SELECT audit_id, post_id, before_json, after_json, detail_json "
                               f"FROM audit WHERE post_id IN {marks}", chunk):
                scrubbed = [None if row[c] is None else orjson.dumps(
                    _scrub(orjson.loads(row[c]))).decode()
                    for c in ("before_json", "after_json", "detail_json")]
                db.run("UPDATE audit SET post_id = ?, before_json = ?, after_json = ?, "
                       "detail_json = ? WHERE audit_id = ?",
                       ("erased:" + digest(row["post_id"])[:16], *scrubbed, row["audit_id"]))
                counts["audit_entries_scrubbed"] += 1
        counts["dead_letters"] += _erase_dead_letters(db, variants)
        counts["incidents_updated"] = _refresh_incidents(app, sorted(set(keys)), erased,
                                                         variants)
        counts["outbox_entries_scrubbed"] = _scrub_outbox(db, sorted(set(keys)), erased,
                                                          variants)
        app._audit(actor, "gdpr.erase", None, None, None,
                   {"author_sha256": digest(bare_handle(handle)),
                    "platform": platform, "removed": dict(counts)})
    return counts


def _erase_dead_letters(db: AppDb, variants: list[str]) -> int:
    """Dead letters whose payload names the author (``"handle":"..."`` in a post's JSON)."""
    removed = 0
    for variant in variants:
        for spelled in (f'"handle":"{variant}"', f'"handle": "{variant}"'):
            pattern = "%" + spelled.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
            removed += db.run("DELETE FROM dead_letters WHERE LOWER(payload) LIKE ? ESCAPE '!'",
                              (pattern,))
    return removed


def _refresh_incidents(app: AppStore, keys: list[str], erased: set[str],
                       variants: list[str]) -> int:
    raw = app.store.db
    for key in keys:
        incident_rows.refresh(raw, key)  # aggregates from the posts that are left
        row = app.db.one("SELECT incident_json FROM incidents WHERE incident_key = ?", (key,))
        if row is None:
            continue
        incident = _scrub_incident(Incident.model_validate_json(row["incident_json"]), erased,
                                   variants)
        app.db.run("UPDATE incidents SET incident_json = ? WHERE incident_key = ?",
                   (incident.model_dump_json(), key))
    return len(keys)


def _scrub_outbox(db: AppDb, keys: list[str], erased: set[str], variants: list[str]) -> int:
    if not keys or not _table_exists(db, "ticket_outbox"):
        return 0
    changed = 0
    rows = db.rows(f"SELECT seq, incident_json FROM ticket_outbox WHERE incident_key IN "
                   f"{_in(keys)}", keys)
    for row in rows:
        incident = _scrub_incident(Incident.model_validate_json(row["incident_json"]), erased,
                                   variants)
        changed += db.run("UPDATE ticket_outbox SET incident_json = ? WHERE seq = ?",
                          (incident.model_dump_json(), row["seq"]))
    return changed
