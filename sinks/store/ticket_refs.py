"""Look-ups in ``ticket_refs`` (which desk ticket stands for which incident) beyond
:mod:`sinks.store.ticket_status`."""

from __future__ import annotations

from typing import Any

from sinks.store.app_db import AppDb


def ticket_of_incident(db: Any, sink: str, incident_key: str) -> str | None:
    """The ticket id sink ``sink`` holds for ``incident_key`` (None when it has none). Called
    when a desk's inbound report names our incident key but a ticket id we do not know (the
    report is then applied to our ticket); a database error propagates to the receiver."""
    row = AppDb(db).one("SELECT ticket_id FROM ticket_refs WHERE sink = ? AND "
                        "incident_key = ?", (sink, incident_key))
    return row["ticket_id"] if row else None
