"""The incident correlator's persisted state: table ``incident_state`` (schema version 5).

:class:`sinks.incident_sink.IncidentSink` calls :func:`load` when it starts tracking a scope
(the in-process runner's ``local``, or one Kafka decisions partition) and :func:`save` inside
the transaction that applies a flush's incident events, so the events and the state that
produced them are stored together or not at all. Saving is an upsert, so saving twice is
harmless. A database error propagates (the caller's transaction stores nothing).
"""

from __future__ import annotations

from datetime import datetime

import orjson

from sinks.store import records
from sinks.store.incident_rows import run as execute


def load(db, scope: str) -> dict | None:
    """The saved snapshot of ``scope`` (None: never saved); raises ValueError on bad JSON."""
    row = execute(db, "SELECT state_json FROM incident_state WHERE scope = ?", (scope,)).fetchone()
    if row is None:
        return None
    try:
        return orjson.loads(row[0])
    except orjson.JSONDecodeError as error:
        raise ValueError(f"incident state of scope {scope!r} is not JSON: {error}") from error


def save(db, scope: str, state: bytes, at: datetime) -> None:
    """Store the snapshot (orjson bytes) of ``scope``, replacing the previous one."""
    execute(db, "INSERT INTO incident_state VALUES (?, ?, ?) ON CONFLICT (scope) DO UPDATE "
            "SET state_json = excluded.state_json, saved_at = excluded.saved_at",
            (scope, state.decode("utf-8"), records.iso(at)))
