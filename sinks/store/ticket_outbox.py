"""The persisted ticket outbox: one row per incident event and ticket sink, plus ticket ids.

Lives in the project's store (tables ``ticket_outbox`` and ``ticket_refs`` in the same SQLite
file or PostgreSQL schema, created here if missing) behind its own connection, so the delivery
thread never shares the pipeline's. Called by the pipeline listener (:meth:`enqueue`, after
the store flush), by the delivery loop (:meth:`due`, ``mark_*``) and by ``webcare tickets``.
Enqueueing is idempotent by ``(sink, event_id)``: a replay or a retried flush adds nothing.
Database errors propagate; nothing is marked sent unless the ticket call succeeded.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from schemas import Incident
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
CLAIM_S = 60.0  # a claimed entry is due again after this long (longer than one delivery)


def event_id(kind: str, incident: Incident, at: datetime) -> str:
    """Stable id of one correlator event: the same event replayed gets the same id."""
    return f"{kind}|{incident.key}|{iso(at)}"


class Outbox:
    def __init__(self, db, postgres: bool = False) -> None:
        self.db, self.postgres = db, postgres
        self._lock = threading.RLock()
        serial = "BIGSERIAL" if postgres else "INTEGER"
        for ddl in _DDL:
            self._exec(ddl.format(serial=serial), commit=True)

    @classmethod
    def open(cls, store_config) -> Outbox:
        """The outbox of a store config (SQLite file or PostgreSQL schema)."""
        if store_config.type == "postgres":
            import psycopg

            db = psycopg.connect(store_config.resolved_dsn(), autocommit=True,
                                 connect_timeout=store_config.connect_timeout,
                                 options=f"-c search_path={store_config.schema_name}")
            return cls(db, postgres=True)
        if store_config.path != ":memory:":
            Path(store_config.path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(store_config.path, check_same_thread=False, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return cls(db)

    def _exec(self, sql: str, params: tuple = (), commit: bool = False):
        if self.postgres:
            sql = sql.replace("?", "%s")
        with self._lock:
            if self.postgres:
                return self.db.execute(sql, params)
            if not commit:
                return self.db.execute(sql, params)
            with self.db:
                return self.db.execute(sql, params)

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._exec(sql, params).fetchall()

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

    def _transaction(self):
        return self.db.transaction() if self.postgres else self.db

    def due(self, now: datetime, limit: int = 100) -> list[Entry]:
        """The oldest pending entry of each (sink, incident) whose retry time has come,
        claimed for ``CLAIM_S`` seconds: its retry time moves on in the same statement that
        checks it, so of several sink workers on one store exactly one delivers it. ``mark_*``
        settle a claimed entry; a worker that dies releases its claims when they expire."""
        ts = now.timestamp()
        with self._lock, self._transaction():
            rows = self._rows(
                _SELECT + " o WHERE state = 'pending' AND next_ts <= ? AND seq = (SELECT "
                "MIN(seq) FROM ticket_outbox p WHERE p.sink = o.sink AND p.incident_key = "
                "o.incident_key AND p.state = 'pending') ORDER BY seq LIMIT ?", (ts, limit))
            claimed = [row for row in rows if self._exec(
                "UPDATE ticket_outbox SET next_ts = ? WHERE seq = ? AND state = 'pending' "
                "AND next_ts <= ?", (ts + CLAIM_S, row[0], ts)).rowcount == 1]
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
            self._exec("UPDATE ticket_outbox SET state = 'sent', attempts = attempts + 1, "
                       "sent_ts = ?, last_error = ? WHERE seq = ?",
                       (now.timestamp(), note or None, entry.seq))

    def mark_retry(self, entry: Entry, next_at: datetime, error: str,
                   status: int | None) -> None:
        self._exec("UPDATE ticket_outbox SET attempts = attempts + 1, next_ts = ?, "
                   "last_error = ?, response_status = ? WHERE seq = ?",
                   (next_at.timestamp(), error[:1000], status, entry.seq), commit=True)

    def mark_dead(self, entry: Entry, error: str, status: int | None, body: str | None) -> None:
        self._exec("UPDATE ticket_outbox SET state = 'dead', attempts = attempts + 1, "
                   "last_error = ?, response_status = ?, response_body = ? WHERE seq = ?",
                   (error[:1000], status, body, entry.seq), commit=True)

    def retry(self, now: datetime, sink: str | None = None) -> int:
        """``webcare tickets retry``: dead entries back to pending, due now; returns count."""
        where, params = ("AND sink = ?", (sink,)) if sink else ("", ())
        cur = self._exec(f"UPDATE ticket_outbox SET state = 'pending', next_ts = ?, "
                         f"enqueued_ts = ? WHERE state = 'dead' {where}",
                         (now.timestamp(), now.timestamp(), *params), commit=True)
        return cur.rowcount

    def enqueued_at(self, entry: Entry) -> datetime:
        ts = self._rows("SELECT enqueued_ts FROM ticket_outbox WHERE seq = ?", (entry.seq,))[0][0]
        return datetime.fromtimestamp(ts, timezone.utc)

    def counts(self) -> dict[str, dict[str, int]]:
        """Entries per sink and state (pending, sent, dead)."""
        result: dict[str, dict[str, int]] = {}
        for sink, state, n in self._rows("SELECT sink, state, COUNT(*) FROM ticket_outbox "
                                         "GROUP BY sink, state ORDER BY sink, state"):
            result.setdefault(sink, {})[state] = n
        return result

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

    def close(self) -> None:
        with self._lock:
            self.db.close()


def _entry(row: tuple) -> Entry:
    seq, sink, eid, kind, incident_json, event_at, attempts = row
    at = datetime.strptime(event_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return Entry(seq, sink, eid, kind, Incident.model_validate_json(incident_json), at, attempts)
