"""Writes on queue items beyond claims and statuses (those are :class:`AppStore` methods).

Escalation links an item to its service-desk incident; when the item has none, the app opens a
single-post incident here. Called by :func:`webcare.app.service.escalate`; a database error
propagates and the transaction leaves nothing half-written.
"""

from __future__ import annotations

from schemas import Incident
from sinks.store.app_db import AppDb, iso


def incident_exists(db: AppDb, key: str) -> bool:
    """Whether an incident with this key is stored (an item's key can outlive a reset)."""
    return db.one("SELECT incident_key FROM incidents WHERE incident_key = ?",
                  (key,)) is not None


def open_single_incident(db: AppDb, incident: Incident, post_id: str) -> None:
    """Store ``incident`` (unless its key exists) and link ``post_id`` to it, atomically."""
    with db.tx():
        db.run("INSERT INTO incidents (incident_key, kind, status, urgency, first_seen, "
               "last_seen, post_count, incident_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (incident_key) DO NOTHING",
               (incident.key, incident.kind, incident.status, incident.urgency,
                iso(incident.first_seen), iso(incident.last_seen), incident.post_count,
                incident.model_dump_json()))
        db.run("INSERT INTO incident_posts (incident_key, post_id) VALUES (?, ?) "
               "ON CONFLICT DO NOTHING", (incident.key, post_id))
