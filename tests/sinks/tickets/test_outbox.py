"""The outbox on SQLite and PostgreSQL: idempotent enqueue, per-incident order, dead letters."""

from __future__ import annotations

from datetime import timedelta

from sinks.store.ticket_outbox import CLAIM_S, Outbox
from tests.conftest import T0
from tests.sinks.tickets.conftest import KEY, lifecycle

OTHER = "burst:Lumen Telecom:outage:20261121T0800Z"


def test_enqueue_is_idempotent_per_sink_and_event(outbox):
    events = lifecycle()
    assert outbox.enqueue(events, ["snow", "hook"], T0) == 8
    assert outbox.enqueue(events, ["snow", "hook"], T0) == 0  # a replayed flush adds nothing
    assert outbox.counts() == {"hook": {"pending": 4}, "snow": {"pending": 4}}


def test_only_the_oldest_pending_entry_per_incident_is_due(outbox):
    outbox.enqueue(lifecycle(KEY) + lifecycle(OTHER), ["snow"], T0)
    due = outbox.due(T0)
    assert [(e.incident.key, e.kind) for e in due] == [(KEY, "opened"), (OTHER, "opened")]
    outbox.mark_retry(due[0], T0 + timedelta(seconds=30), "HTTP 503", 503)
    assert outbox.due(T0) == []  # KEY waits (its updates too), OTHER is claimed
    assert [(e.incident.key, e.kind) for e in outbox.due(T0 + timedelta(seconds=30))] == [
        (KEY, "opened")]
    later = T0 + timedelta(seconds=CLAIM_S)  # OTHER's claim expired unsettled: due again
    assert [(e.incident.key, e.kind) for e in outbox.due(later)] == [(OTHER, "opened")]


def test_two_workers_on_one_store_never_get_the_same_entry(outbox, outbox_factory):
    """Sink replicas share the store: each due entry is claimed by exactly one of them."""
    keys = [f"burst:B:outage:20261120T{h:02d}00Z" for h in range(20)]
    for key in keys:
        outbox.enqueue(lifecycle(key), ["snow"], T0)
    other = outbox_factory()
    first, second = outbox.due(T0, limit=10), other.due(T0, limit=100)
    assert len(first) == 10 and len(second) == 10
    assert {e.incident.key for e in first}.isdisjoint(e.incident.key for e in second)
    assert other.due(T0) == [] == outbox.due(T0)


def test_sent_entries_store_the_ticket_and_unblock_the_next(outbox):
    outbox.enqueue(lifecycle(), ["snow"], T0)
    first = outbox.due(T0)[0]
    outbox.mark_sent(first, "sys-1", T0)
    assert outbox.ticket_id("snow", KEY) == "sys-1"
    assert outbox.due(T0)[0].kind == "updated"


def test_dead_entries_keep_the_body_and_can_be_retried(outbox):
    outbox.enqueue(lifecycle(updates=0), ["snow"], T0)
    entry = outbox.due(T0)[0]
    outbox.mark_dead(entry, "HTTP 400", 400, '{"error": "bad category"}')
    assert outbox.dead()[0]["body"] == '{"error": "bad category"}'
    assert outbox.due(T0)[0].kind == "resolved"  # a dead entry does not block the incident
    assert outbox.retry(T0) == 1
    assert outbox.counts() == {"snow": {"pending": 2}}


def test_outbox_survives_reopening(store, outbox):
    outbox.enqueue(lifecycle(), ["snow"], T0)
    again = Outbox.open(store._ticket_test_config)
    try:
        assert again.counts() == {"snow": {"pending": 4}}
        assert again.due(T0)[0].incident.key == KEY
    finally:
        again.close()
