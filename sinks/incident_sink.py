"""The store sink plus incident lifecycle: what the runner flushes when incidents are on.

The runner calls ``add``/``flush`` exactly as on :class:`sinks.store_sink.StoreSink`. After the
store batch is durable, ``flush`` takes the correlator's events (opened / updated / resolved)
and applies them to the store in one transaction (:func:`sinks.incident_rows.apply_event`),
then hands them to any listeners (the ticket outbox). A single-post incident opens only when
the store kept that post with action ``incident``: a redelivered post (at-least-once after a
worker crash) may come back with another decision, and the first stored decision wins, so
it must not open an incident (or a ticket) the store does not show. If applying fails, the
events stay pending and the next flush retries them, and ``flush`` raises so the source is
not checkpointed. Events are idempotent, so a retry after a partial failure is harmless.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from typing import Iterator

from route.incidents import IncidentCorrelator, IncidentEvent
from schemas import DeadLetter, Decision
from sinks import incident_rows, records
from sinks.store_sink import StoreSink

Listener = Callable[[list[IncidentEvent]], None]


class IncidentSink:
    name = "store+incidents"

    def __init__(self, inner: StoreSink, correlator: IncidentCorrelator,
                 listeners: list[Listener] | None = None) -> None:
        self.inner = inner
        self.store = inner.store
        self.correlator = correlator
        self.listeners = list(listeners or [])
        self._pending: list[IncidentEvent] = []
        self._singles: list[IncidentEvent] = []  # opened when the store kept the decision

    def add(self, item: Decision | DeadLetter) -> None:
        self.inner.add(item)
        if isinstance(item, Decision) and item.action == "incident" \
                and not incident_rows.is_burst(item.incident_key):  # a single-post incident
            incident = records.single_incident(item)
            self._singles.append(IncidentEvent("opened", incident, incident.first_seen,
                                               (item.post.id,)))

    def flush(self) -> None:
        """Store the batch, then the incident events; raises (events kept) on failure."""
        self.inner.flush()
        self._pending.extend(self.correlator.drain())
        if not self._pending and not self._singles:
            return
        events = write_events(self.store, self._pending, self._singles)
        for listener in self.listeners:  # idempotent (the ticket outbox dedupes): a failure
            listener(events)             # keeps the events, the next flush hands them again
        self._pending, self._singles = [], []

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.inner.close()


def write_events(store, events: list[IncidentEvent],
                 singles: list[IncidentEvent] = ()) -> list[IncidentEvent]:
    """Apply events to a SQLite or PostgreSQL store in a single transaction; ``singles``
    (single-post incidents) only where the store kept the post with action ``incident``.
    Returns the events applied."""
    with _transaction(store.db) as db:
        kept = incident_rows.incident_post_ids(db, [e.evidence_post_ids[0] for e in singles])
        applied = [e for e in singles if e.evidence_post_ids[0] in kept] + list(events)
        for event in applied:
            incident_rows.apply_event(db, event.kind, event.incident, event.evidence_post_ids)
    return applied


@contextmanager
def _transaction(db) -> Iterator:
    if isinstance(db, sqlite3.Connection):
        with db:
            yield db
        return
    with db.transaction(), db.cursor() as cursor:
        yield cursor
