"""The outbox on SQLite and PostgreSQL: idempotent enqueue, per-incident order, dead letters."""

from __future__ import annotations

from datetime import timedelta

from sinks.tickets.outbox import Outbox
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
    assert [e.incident.key for e in outbox.due(T0)] == [OTHER]  # KEY waits, updates too
    assert [e.kind for e in outbox.due(T0 + timedelta(seconds=30))] == ["opened", "opened"]


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
