"""The ticket round trip in the store: what the service desk says about each ticket, and the
incidents the desk resolved (tables ``ticket_status`` and ``incident_resolutions``).

Written by the status reader (:mod:`sinks.tickets.desk`: polling, ``webcare tickets sync``) and
by the app's inbound ticket webhook (:mod:`webcare.app.ticket_events`); read by the incident
sink after each flush (:class:`sinks.incident_sink.IncidentSink`: it drops desk-resolved
incidents from its correlators and hands the resolution to the listeners once) and by the
ticket delivery loop (a desk resolution is never sent back to the ticket that made it).

The tables are created here if missing (``CREATE TABLE IF NOT EXISTS``, portable SQL, like the
ticket outbox), on SQLite and PostgreSQL, so no schema version is taken. A desk resolution is
final and recorded once per incident (the first ticket that reports it wins; later reports
only update ``ticket_status``). Every function takes the raw store connection (sqlite3 or
psycopg in autocommit mode); database errors propagate and a failed call stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from schemas import Incident
from sinks.store import incident_rows
from sinks.store.app_db import AppDb, iso, new_id, parse_iso
from sinks.store.ticket_outbox import _DDL as OUTBOX_DDL

_DDL = [
    OUTBOX_DDL[2],  # ticket_refs, exactly as the outbox creates it (the app may come first)
    "CREATE TABLE IF NOT EXISTS ticket_status (sink TEXT NOT NULL, incident_key TEXT NOT NULL, "
    "ticket_id TEXT NOT NULL, status TEXT NOT NULL, tool_status TEXT, detail TEXT, "
    "via TEXT NOT NULL, checked_at TEXT NOT NULL, changed_at TEXT NOT NULL, "
    "PRIMARY KEY (sink, incident_key))",
    "CREATE TABLE IF NOT EXISTS incident_resolutions (incident_key TEXT PRIMARY KEY, "
    "resolved_at TEXT NOT NULL, decided_by TEXT NOT NULL, sink TEXT NOT NULL, "
    "ticket_id TEXT NOT NULL, detail TEXT, notified_at TEXT)",
]
AUDIT_ACTION = "incident.desk_resolve"


def decided_by(sink: str, ticket_id: str) -> str:
    """The actor of a desk resolution: ``desk:<sink>:<ticket>``."""
    return f"desk:{sink}:{ticket_id}"


@dataclass(frozen=True)
class Resolution:
    incident_key: str
    resolved_at: datetime
    decided_by: str
    sink: str
    ticket_id: str
    detail: str | None


def ensure(db) -> None:
    """Create the round-trip tables if missing (idempotent; two processes at once are safe)."""
    app = AppDb(db)
    with app.tx():
        for ddl in _DDL:
            app.run(ddl.format(serial="INTEGER"))


def targets(db, sinks: Sequence[str], since: datetime) -> list[tuple[str, str, str]]:
    """``(sink, incident_key, ticket_id)`` to read back: tickets of ``sinks`` whose incident
    the desk has not resolved yet (open, or resolved only by quiet volume) and whose last
    report is not older than ``since``."""
    if not sinks:
        return []
    marks = ",".join("?" * len(sinks))
    rows = AppDb(db).rows(
        "SELECT r.sink, r.incident_key, r.ticket_id FROM ticket_refs r JOIN incidents i ON "
        "i.incident_key = r.incident_key LEFT JOIN incident_resolutions d ON d.incident_key = "
        f"r.incident_key WHERE d.incident_key IS NULL AND r.sink IN ({marks}) AND "
        "i.last_seen >= ? ORDER BY r.sink, r.incident_key", (*sinks, iso(since)))
    return [(r["sink"], r["incident_key"], r["ticket_id"]) for r in rows]


def incident_of_ticket(db, sink: str, ticket_id: str) -> str | None:
    """The incident key a ticket was created for (None: not a webcare ticket of ``sink``)."""
    row = AppDb(db).one("SELECT incident_key FROM ticket_refs WHERE sink = ? AND ticket_id = ? "
                        "ORDER BY incident_key LIMIT 1", (sink, ticket_id))
    return row["incident_key"] if row else None


def record(db, sink: str, key: str, ticket_id: str, status: str, tool_status: str | None,
           detail: str | None, via: str, now: datetime) -> str | None:
    """Store what the desk says about one ticket; returns the previous status (None: first
    read). ``status`` is ``open`` or ``resolved``; ``via`` is ``poll`` or ``webhook``."""
    app, stamp = AppDb(db), iso(now)
    with app.tx():
        before = app.one("SELECT status FROM ticket_status WHERE sink = ? AND incident_key = ?",
                         (sink, key))
        previous = before["status"] if before else None
        changed = stamp if previous != status else None
        app.run("INSERT INTO ticket_status (sink, incident_key, ticket_id, status, tool_status, "
                "detail, via, checked_at, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (sink, incident_key) DO UPDATE SET ticket_id = excluded.ticket_id, "
                "status = excluded.status, tool_status = excluded.tool_status, "
                "detail = excluded.detail, via = excluded.via, checked_at = excluded.checked_at, "
                "changed_at = COALESCE(?, ticket_status.changed_at)",
                (sink, key, ticket_id, status, tool_status, (detail or "")[:1000] or None, via,
                 stamp, stamp, changed))
    return previous


def resolve(db, key: str, sink: str, ticket_id: str, at: datetime,
            detail: str | None) -> Incident | None:
    """Resolve the incident because the desk resolved its ticket: the resolution row, the
    incident's status and reason, and the audit entry, in one transaction. Returns the
    resolved incident, or None when the desk had resolved it already (or it is unknown)."""
    app, actor = AppDb(db), decided_by(sink, ticket_id)
    with app.tx():
        row = app.one("SELECT incident_json FROM incidents WHERE incident_key = ?", (key,))
        if row is None:
            return None
        if app.run("INSERT INTO incident_resolutions (incident_key, resolved_at, decided_by, "
                   "sink, ticket_id, detail) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
                   "(incident_key) DO NOTHING", (key, iso(at), actor, sink, ticket_id,
                                                 detail)) != 1:
            return None
        before = Incident.model_validate_json(row["incident_json"])
        reason = f"resolved: at the service desk ({sink} ticket {ticket_id}" + (
            f": {detail})" if detail else ")")
        resolved = before.model_copy(update={"status": "resolved",
                                             "reasons": [*before.reasons, reason]})
        incident_rows.apply_event(db, "resolved", resolved)
        app.run("INSERT INTO audit (audit_id, at, actor, action, post_id, before_json, "
                "after_json, detail_json) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
                (new_id(), iso(at), actor, AUDIT_ACTION, _dump({"status": before.status}),
                 _dump({"status": "resolved", "resolved_at": iso(at)}),
                 _dump({"incident_key": key, "sink": sink, "ticket_id": ticket_id,
                        "detail": detail})))
    return incident(db, key)


def incident(db, key: str) -> Incident | None:
    """The stored incident (None: not stored)."""
    row = AppDb(db).one("SELECT incident_json FROM incidents WHERE incident_key = ?", (key,))
    return Incident.model_validate_json(row["incident_json"]) if row else None


def resolution(db, key: str) -> Resolution | None:
    row = AppDb(db).one("SELECT incident_key, resolved_at, decided_by, sink, ticket_id, detail "
                        "FROM incident_resolutions WHERE incident_key = ?", (key,))
    return _resolution(row) if row else None


def resolved_at(db, keys: Iterable[str]) -> dict[str, datetime]:
    """Desk resolution time of each of ``keys`` the desk resolved."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    marks = ",".join("?" * len(wanted))
    rows = AppDb(db).rows(f"SELECT incident_key, resolved_at FROM incident_resolutions WHERE "
                          f"incident_key IN ({marks})", wanted)
    return {r["incident_key"]: parse_iso(r["resolved_at"]) for r in rows}


def unnotified(db, limit: int = 100) -> list[Resolution]:
    """Desk resolutions not yet handed to the incident listeners, oldest first."""
    rows = AppDb(db).rows("SELECT incident_key, resolved_at, decided_by, sink, ticket_id, detail "
                          "FROM incident_resolutions WHERE notified_at IS NULL ORDER BY "
                          "resolved_at, incident_key LIMIT ?", (limit,))
    return [_resolution(r) for r in rows]


def mark_notified(db, keys: Iterable[str], now: datetime) -> None:
    app = AppDb(db)
    with app.tx():
        for key in sorted(set(keys)):
            app.run("UPDATE incident_resolutions SET notified_at = ? WHERE incident_key = ? "
                    "AND notified_at IS NULL", (iso(now), key))


def statuses(db, limit: int = 50) -> list[dict[str, Any]]:
    """The latest desk statuses, most recently changed first (``webcare tickets sync``)."""
    return AppDb(db).rows("SELECT sink, incident_key, ticket_id, status, tool_status, detail, "
                          "via, checked_at, changed_at FROM ticket_status ORDER BY changed_at "
                          "DESC, sink, incident_key LIMIT ?", (limit,))


def _resolution(row: dict[str, Any]) -> Resolution:
    return Resolution(row["incident_key"], parse_iso(row["resolved_at"]), row["decided_by"],
                      row["sink"], row["ticket_id"], row["detail"])


def _dump(value: Any) -> str:
    return orjson.dumps(value).decode()
