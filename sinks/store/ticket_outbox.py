"""The persisted ticket outbox: one row per incident event and ticket sink, plus ticket ids.

Lives in the project's store (tables ``ticket_outbox`` and ``ticket_refs`` in the same SQLite
file or PostgreSQL schema, created here if missing) behind its own connection, so the delivery
thread never shares the pipeline's. Called by the pipeline listener (:meth:`enqueue`, after
the store flush), by the delivery loop (:meth:`due`, ``mark_*``) and by ``webcare tickets``.
Enqueueing is idempotent by ``(sink, event_id)``: a replay or a retried flush adds nothing.
Database errors propagate; nothing is marked sent unless the ticket call succeeded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from schemas import Incident
from sinks.store.outbox import CLAIM_S, PersistedOutbox, connect  # noqa: F401 - CLAIM_S
from sinks.store.records import iso
from sinks.tickets.base import Entry

_COLUMNS = """sink TEXT NOT NULL, event_id TEXT NOT NULL, incident_key TEXT NOT NULL,
    kind TEXT NOT NULL, incident_json TEXT NOT NULL, event_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    enqueued_ts DOUBLE PRECISION NOT NULL, next_ts DOUBLE PRECISION NOT NULL,
    last_error TEXT, response_status INTEGER, response_body TEXT, sent_ts DOUBLE PRECISION,
    UNIQUE (sink, event_id)"""
_DDL = [
    "CREATE TABLE IF NOT EXISTS ticket_outbox (seq {serial} PRIMARY KEY, " + _COLUMNS + ")",
    "CREATE INDEX IF NOT EXISTS ticket_outbox_head ON ticket_outbox "
    "(state, sink, incident_key, seq)",
    "CREATE TABLE IF NOT EXISTS ticket_refs (sink TEXT NOT NULL, incident_key TEXT NOT NULL, "
    "ticket_id TEXT NOT NULL, created_ts DOUBLE PRECISION NOT NULL, "
    "PRIMARY KEY (sink, incident_key))",
]
_SELECT = "SELECT seq, sink, event_id, kind, incident_json, event_at, attempts FROM ticket_outbox"


def event_id(kind: str, incident: Incident, at: datetime) -> str:
    """Stable id of one correlator event: the same event replayed gets the same id."""
    return f"{kind}|{incident.key}|{iso(at)}"


class Outbox(PersistedOutbox):
    table, target_column = "ticket_outbox", "sink"
    key_column = key_attr = "seq"
    body_column = True

    def __init__(self, db, postgres: bool = False) -> None:
        super().__init__(db, postgres)
        serial = "BIGSERIAL" if postgres else "INTEGER"
        for ddl in _DDL:
            self._exec(ddl.format(serial=serial), commit=True)

    @classmethod
    def open(cls, store_config) -> Outbox:
        """The outbox of a store config (SQLite file or PostgreSQL schema)."""
        return cls(*connect(store_config))

    def enqueue(self, events: Iterable, sinks: list[str], now: datetime) -> int:
        """Add one entry per (event, sink); returns how many were new."""
        ts, added = now.timestamp(), 0
        rows = [(sink, event_id(e.kind, e.incident, e.at), e.incident.key, e.kind,
                 e.incident.model_dump_json(), iso(e.at), ts, ts)
                for e in events for sink in sinks]
        with self._lock, self._transaction():
            for row in rows:
                cur = self._exec("INSERT INTO ticket_outbox (sink, event_id, incident_key, kind, "
                                 "incident_json, event_at, enqueued_ts, next_ts) VALUES "
                                 "(?,?,?,?,?,?,?,?) ON CONFLICT (sink, event_id) DO NOTHING", row)
                added += max(cur.rowcount, 0)
        return added

    def due(self, now: datetime, limit: int = 100) -> list[Entry]:
        """The oldest pending entry of each (sink, incident) whose retry time has come,
        claimed for ``CLAIM_S`` seconds: its retry time moves on in the same statement that
        checks it, so of several sink workers on one store exactly one delivers it. ``mark_*``
        settle a claimed entry; a worker that dies releases its claims when they expire."""
        claimed = self._claim_due(
            _SELECT, "seq = (SELECT MIN(seq) FROM ticket_outbox p WHERE p.sink = o.sink AND "
            "p.incident_key = o.incident_key AND p.state = 'pending')", "seq", now, limit)
        return [_entry(row) for row in claimed]

    def ticket_id(self, sink: str, key: str) -> str | None:
        rows = self._rows("SELECT ticket_id FROM ticket_refs WHERE sink = ? AND incident_key = ?",
                          (sink, key))
        return rows[0][0] if rows else None

    def superseded(self, entry: Entry) -> bool:
        """True if a later event of the same incident was already sent (a re-queued dead one)."""
        return bool(self._rows("SELECT 1 FROM ticket_outbox WHERE sink = ? AND incident_key = ? "
                               "AND state = 'sent' AND seq > ?",
                               (entry.sink, entry.incident.key, entry.seq)))

    def mark_sent(self, entry: Entry, ticket_id: str, now: datetime, note: str = "") -> None:
        """Record success and the ticket id in one transaction."""
        with self._lock, self._transaction():
            self._exec("INSERT INTO ticket_refs VALUES (?,?,?,?) ON CONFLICT (sink, incident_key) "
                       "DO UPDATE SET ticket_id = excluded.ticket_id",
                       (entry.sink, entry.incident.key, ticket_id, now.timestamp()))
            self._mark_sent(entry, now, note or None, commit=False)

    def enqueued_at(self, entry: Entry) -> datetime:
        ts = self._rows("SELECT enqueued_ts FROM ticket_outbox WHERE seq = ?", (entry.seq,))[0][0]
        return datetime.fromtimestamp(ts, timezone.utc)

    def dead(self, limit: int = 20) -> list[dict]:
        rows = self._rows("SELECT seq, sink, incident_key, kind, response_status, last_error, "
                          "response_body FROM ticket_outbox WHERE state = 'dead' ORDER BY seq "
                          "LIMIT ?", (limit,))
        names = ("seq", "sink", "incident_key", "kind", "status", "error", "body")
        return [dict(zip(names, row)) for row in rows]

    def pending(self, limit: int = 20) -> list[dict]:
        rows = self._rows("SELECT seq, sink, incident_key, kind, attempts, next_ts, last_error "
                          "FROM ticket_outbox WHERE state = 'pending' ORDER BY seq LIMIT ?",
                          (limit,))
        names = ("seq", "sink", "incident_key", "kind", "attempts", "next_ts", "error")
        return [dict(zip(names, row)) for row in rows]


def _entry(row: tuple) -> Entry:
    seq, sink, eid, kind, incident_json, event_at, attempts = row
    at = datetime.strptime(event_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return Entry(seq, sink, eid, kind, Incident.model_validate_json(incident_json), at, attempts)
