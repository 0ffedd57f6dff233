"""Burst incidents in the store (SQLite and PostgreSQL): rows, evidence and lifecycle.

Called by both store backends inside their batch transaction (:func:`attach_decisions`: a
decision carrying a ``burst:`` key links its post to the incident, creating the row if it is
the first) and by :class:`sinks.incident_sink.IncidentSink` after each flush
(:func:`apply_events`: title, reasons, urgency and status from the correlator, plus the
evidence posts of the detecting window). ``post_count``, first/last seen, samples, platforms,
languages and sentiment are always recomputed from ``incident_posts`` joined with ``posts``, so
applying anything twice changes nothing. A database error propagates (the caller's
transaction stores nothing).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

from route.evidence import sentiment_summary
from schemas import Decision, Incident
from sinks.store import records

BURST_PREFIX = "burst:"
MAX_SAMPLES = 5


def is_burst(key: str | None) -> bool:
    return bool(key) and key.startswith(BURST_PREFIX)


def _sql(db, sql: str) -> str:
    """The statement in the paramstyle of ``db`` (sqlite3 ``?``, psycopg ``%s``)."""
    return sql if isinstance(db, sqlite3.Connection) else sql.replace("?", "%s")


def run(db, sql: str, params: tuple = ()):
    return db.execute(_sql(db, sql), params)


def provisional(decision: Decision) -> Incident:
    """The row a burst incident gets when its first decision reaches the store."""
    post, c = decision.post, decision.classification
    topic = decision.incident_key.rsplit(":", 2)[1]  # burst:<brand>:<topic group>:<start>
    return Incident(key=decision.incident_key, kind="burst", brand=c.brand, topic=topic,
                    urgency="high", title=f"{c.brand or '-'}: burst of {topic} reports",
                    first_seen=post.created_at, last_seen=post.created_at, post_count=1,
                    reasons=[r for r in decision.reasons if r.startswith("evidence for")])


def attach_decisions(db, decisions: Sequence[Decision]) -> set[str]:
    """Link posts of burst decisions to their incident; returns the keys touched."""
    touched: set[str] = set()
    for decision in decisions:
        if not is_burst(decision.incident_key):
            continue
        if decision.incident_key not in touched:
            _insert_incident(db, provisional(decision))
        run(db, "INSERT INTO incident_posts VALUES (?, ?) ON CONFLICT DO NOTHING",
             (decision.incident_key, decision.post.id))
        touched.add(decision.incident_key)
    for key in sorted(touched):
        refresh(db, key)
    return touched


def stored_incident_keys(db, post_ids: Sequence[str]) -> dict[str, str]:
    """The incident key of the stored (first) decision of each of ``post_ids`` that the store
    holds with action ``incident`` (a single incident's key, as :func:`records.single_incident`
    names it, or the burst it joined)."""
    ids = sorted(set(post_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = run(db, "SELECT q.post_id, COALESCE(q.incident_key, 'single:' || q.post_id) "
                "FROM queue_items q JOIN posts p ON p.post_id = q.post_id "
                f"WHERE p.action = 'incident' AND q.post_id IN ({marks})", tuple(ids)).fetchall()
    return {row[0]: row[1] for row in rows}


def _insert_incident(db, incident: Incident) -> None:
    run(db, "INSERT INTO incidents VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (incident_key) "
         "DO NOTHING", (incident.key, incident.kind, incident.status, incident.urgency,
                        records.iso(incident.first_seen), records.iso(incident.last_seen),
                        incident.post_count, incident.model_dump_json()))


def apply_event(db, kind: str, incident: Incident, evidence: Iterable[str] = ()) -> None:
    """Store what the correlator says about an incident (opened / updated / resolved)."""
    _insert_incident(db, incident)
    stored = _load(db, incident.key)
    if stored.status == "resolved" and incident.status == "open":
        return  # a resolution is final; a late update must not reopen it
    merged = stored.model_copy(update={"title": incident.title, "urgency": incident.urgency,
                                       "topic": incident.topic, "brand": incident.brand,
                                       "status": incident.status, "reasons": incident.reasons})
    _save(db, merged)
    ids = sorted(set(evidence))
    if ids:  # only posts that are stored (the foreign key), in a fixed order
        marks = ",".join("?" * len(ids))
        run(db, f"INSERT INTO incident_posts SELECT ?, post_id FROM posts WHERE post_id IN "
             f"({marks}) ORDER BY post_id ON CONFLICT DO NOTHING", (incident.key, *ids))
    refresh(db, incident.key)


def refresh(db, key: str) -> Incident:
    """Recompute the aggregates of one incident from its posts and store them."""
    rows = run(db, "SELECT p.post_id, p.created_at, p.platform, p.lang, p.sentiment, "
                "p.compound FROM incident_posts ip JOIN posts p ON p.post_id = ip.post_id "
                "WHERE ip.incident_key = ? ORDER BY p.created_at, p.post_id", (key,)).fetchall()
    incident = _load(db, key)
    if not rows:
        return incident
    labels = Counter(row[4] for row in rows)
    updated = incident.model_copy(update={
        "post_count": len(rows), "first_seen": _parse(rows[0][1]), "last_seen": _parse(rows[-1][1]),
        "sample_post_ids": [row[0] for row in rows[:MAX_SAMPLES]],
        "platforms": [name for name, _ in Counter(row[2] for row in rows).most_common()],
        "languages": [name for name, _ in Counter(row[3] for row in rows).most_common()],
        "sentiment": sentiment_summary(labels, sum(row[5] for row in rows), len(rows))})
    _save(db, updated)
    return updated


def _load(db, key: str) -> Incident:
    row = run(db, "SELECT incident_json FROM incidents WHERE incident_key = ?", (key,)).fetchone()
    return Incident.model_validate_json(row[0])


def _save(db, incident: Incident) -> None:
    run(db, "UPDATE incidents SET status = ?, urgency = ?, first_seen = ?, last_seen = ?, "
         "post_count = ?, incident_json = ? WHERE incident_key = ?",
         (incident.status, incident.urgency, records.iso(incident.first_seen),
          records.iso(incident.last_seen), incident.post_count, incident.model_dump_json(),
          incident.key))


def _parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
