"""The store sink plus incident lifecycle: what the runner flushes when incidents are on.

The runner calls ``add``/``flush`` exactly as on :class:`sinks.store_sink.StoreSink`. After the
store batch is durable, ``flush`` takes the correlators' events (opened / updated / resolved)
and applies them to the store in one transaction (:func:`sinks.store.incident_rows.apply_event`),
together with the state of every tracked correlator that changed (:mod:`sinks.store.incident_state`),
then hands the events to any listeners (the ticket outbox). A tracked scope (the in-process
runner's ``local``, or one Kafka decisions partition) is restored from the store when it is
first tracked, so a restart continues the same incidents and tickets. A single-post incident
opens only when the store kept that post as that single incident: a redelivered post (at-least-once after a
worker crash) or a replayed one (the restored correlator may now key it to a burst, or no
longer) may come back with another decision, and the first stored decision wins, so it must
not open an incident (or a ticket) the store does not show. If
applying fails, the events stay pending and the next flush retries them, and ``flush`` raises
so the source is not checkpointed. Events and states are idempotent, so a retry after a
partial failure is harmless.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator

import orjson

from route.incidents import IncidentCorrelator, IncidentEvent
from schemas import DeadLetter, Decision
from sinks.store import incident_rows, incident_state, records, ticket_status
from sinks.store_sink import StoreSink

Listener = Callable[[list[IncidentEvent]], None]
LOCAL_SCOPE = "local"  # the in-process runner's correlator state


class IncidentSink:
    name = "store+incidents"

    def __init__(self, inner: StoreSink, correlator: IncidentCorrelator,
                 listeners: list[Listener] | None = None, scope: str | None = None) -> None:
        """``scope``: persist and restore ``correlator`` under that name (None: memory only)."""
        self.inner = inner
        self.store = inner.store
        self.correlator = correlator
        self.listeners = list(listeners or [])
        self._pending: list[IncidentEvent] = []
        self._singles: list[IncidentEvent] = []  # opened when the store kept the decision
        self.scopes: dict[str, IncidentCorrelator] = {}
        self._saved: dict[str, bytes] = {}  # the state last saved (or restored) per scope
        ticket_status.ensure(self.store.db)  # desk resolutions (issue 21)
        if scope is not None:
            self.track(scope, correlator)

    def track(self, scope: str, correlator: IncidentCorrelator | None = None
              ) -> IncidentCorrelator:
        """The correlator of ``scope``, restored from the store when first asked for (a new
        one with the sink's correlator config unless given); each flush saves its state.
        Called when the sink is built (in-process) and by the Kafka sink stage for each
        decisions partition. Raises ValueError naming the scope when the stored state is
        unusable (the operator deletes that ``incident_state`` row to start afresh)."""
        if scope in self.scopes:
            return self.scopes[scope]
        correlator = correlator or IncidentCorrelator(self.correlator.config)
        try:
            state = incident_state.load(self.store.db, scope)
            if state is not None:
                correlator.restore(state)
        except ValueError as error:
            raise ValueError(f"stored incident state of scope {scope!r} is unusable: {error}"
                             ) from error
        self._absorb([correlator])  # the desk resolved some while this scope was down
        self.scopes[scope] = correlator
        self._saved[scope] = orjson.dumps(correlator.snapshot())
        return correlator

    def release(self, scope: str) -> None:
        """Stop tracking ``scope``: its Kafka partition went to another worker, which restores
        what the last flush saved. Called between batches (after the flush)."""
        self.scopes.pop(scope, None)
        self._saved.pop(scope, None)

    def add(self, item: Decision | DeadLetter) -> None:
        self.inner.add(item)
        if isinstance(item, Decision) and item.action == "incident" \
                and not incident_rows.is_burst(item.incident_key):  # a single-post incident
            incident = records.single_incident(item)
            self._singles.append(IncidentEvent("opened", incident, incident.first_seen,
                                               (item.post.id,)))

    def flush(self) -> None:
        """Store the batch, then the incident events with the states that produced them;
        raises (events kept) on failure."""
        self.inner.flush()
        self._absorb(self._correlators())
        for correlator in self._correlators():
            self._pending.extend(correlator.drain())
        desk = self._desk_events()
        states = self._changed_states()
        if not self._pending and not self._singles and not states and not desk:
            return
        events = write_events(self.store, self._pending + desk, self._singles, states)
        self._saved.update(states)
        for listener in self.listeners:  # idempotent (the ticket outbox dedupes): a failure
            listener(events)             # keeps the events, the next flush hands them again
        if desk:  # handed to every listener: the desk's resolution is announced once
            ticket_status.mark_notified(self.store.db, [e.incident.key for e in desk],
                                        datetime.now(timezone.utc))
        self._pending, self._singles = [], []

    def _absorb(self, correlators: list[IncidentCorrelator]) -> None:
        """Drop the incidents the service desk resolved from ``correlators``, so quiet volume
        never resolves (or updates) them again (issue 21)."""
        open_keys = {i.key for c in correlators for i in c.open.values()}
        for key, at in ticket_status.resolved_at(self.store.db, open_keys).items():
            for correlator in correlators:
                correlator.forget(key, at)

    def _desk_events(self) -> list[IncidentEvent]:
        """``resolved`` events of desk resolutions no listener has had yet (recorded by the
        status reader or the app's ticket webhook, in any process)."""
        events = []
        for found in ticket_status.unnotified(self.store.db):
            incident = ticket_status.incident(self.store.db, found.incident_key)
            if incident is not None:
                events.append(IncidentEvent("resolved", incident, found.resolved_at, (),
                                            found.decided_by))
        return events

    def _correlators(self) -> list[IncidentCorrelator]:
        tracked = [c for c in self.scopes.values() if c is not self.correlator]
        return [self.correlator, *tracked]

    def _changed_states(self) -> dict[str, bytes]:
        snapshots = {scope: orjson.dumps(c.snapshot()) for scope, c in self.scopes.items()}
        return {scope: state for scope, state in snapshots.items()
                if state != self._saved.get(scope)}

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.inner.close()


def write_events(store, events: list[IncidentEvent], singles: list[IncidentEvent] = (),
                 states: dict[str, bytes] | None = None) -> list[IncidentEvent]:
    """Apply events to a SQLite or PostgreSQL store in a single transaction; ``singles``
    (single-post incidents) only where the store kept the post as that single incident;
    ``states`` (correlator snapshots per scope) saved in the same transaction. Returns the
    events applied."""
    with _transaction(store.db) as db:
        kept = incident_rows.stored_incident_keys(db, [e.evidence_post_ids[0] for e in singles])
        applied = [e for e in singles if kept.get(e.evidence_post_ids[0]) == e.incident.key]
        applied += events
        for event in applied:
            incident_rows.apply_event(db, event.kind, event.incident, event.evidence_post_ids)
        now = datetime.now(timezone.utc)
        for scope, state in sorted((states or {}).items()):
            incident_state.save(db, scope, state, now)
    return applied


def incident_sink_of(sink) -> IncidentSink:
    """The :class:`IncidentSink` inside the wrappers (tickets, outbound) of a built sink."""
    while not isinstance(sink, IncidentSink):
        sink = sink.inner
    return sink


@contextmanager
def _transaction(db) -> Iterator:
    if isinstance(db, sqlite3.Connection):
        with db:
            yield db
        return
    with db.transaction(), db.cursor() as cursor:
        yield cursor
