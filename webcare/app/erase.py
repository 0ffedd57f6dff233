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
from sinks.store import erase as rows
from sinks.store import incident_rows
from sinks.store import posts as post_rows
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
                            "reply_sends", "incident_links", "assignments", "engagement",
                            "threads",
                            "outbound_replies", "dead_letters",
                            "audit_entries_scrubbed"), 0)
    with db.tx():
        ids = rows.author_post_ids(db, variants, platform)
        erased = set(ids)
        keys = rows.incident_keys_of(db, ids)
        for label, removed in rows.delete_post_rows(db, ids).items():
            counts[label] += removed
        for row in rows.audit_rows_of(db, ids):
            scrubbed = [None if row[c] is None else orjson.dumps(
                _scrub(orjson.loads(row[c]))).decode()
                for c in ("before_json", "after_json", "detail_json")]
            rows.rewrite_audit(db, row["audit_id"], "erased:" + digest(row["post_id"])[:16],
                               *scrubbed)
            counts["audit_entries_scrubbed"] += 1
        counts["dead_letters"] += rows.delete_dead_letters_naming(db, _payload_spellings(
            variants))
        counts["incidents_updated"] = _refresh_incidents(app, keys, erased, variants)
        counts["outbox_entries_scrubbed"] = _scrub_outbox(app, keys, erased, variants)
        app.audit_in_tx(actor, "gdpr.erase", None, None, None,
                   {"author_sha256": digest(bare_handle(handle)),
                    "platform": platform, "removed": dict(counts)})
    return counts


def _payload_spellings(variants: list[str]) -> list[str]:
    """How a dead letter's payload names the author (``"handle":"..."`` in a post's JSON)."""
    return [spelled for variant in variants
            for spelled in (f'"handle":"{variant}"', f'"handle": "{variant}"')]


def _refresh_incidents(app: AppStore, keys: list[str], erased: set[str],
                       variants: list[str]) -> int:
    raw = app.store.db
    for key in keys:
        incident_rows.refresh(raw, key)  # aggregates from the posts that are left
        text = post_rows.incident_json(app.db, key)
        if text is None:
            continue
        incident = _scrub_incident(Incident.model_validate_json(text), erased, variants)
        post_rows.set_incident_json(app.db, key, incident.model_dump_json())
    return len(keys)


def _scrub_outbox(app: AppStore, keys: list[str], erased: set[str],
                  variants: list[str]) -> int:
    changed = 0
    for row in rows.outbox_incidents(app.db, keys):
        incident = _scrub_incident(Incident.model_validate_json(row["incident_json"]), erased,
                                   variants)
        changed += rows.set_outbox_incident(app.db, row["seq"], incident.model_dump_json())
    return changed
