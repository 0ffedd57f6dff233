"""Burst incidents in both stores: one row per outage, aggregates recomputed, idempotent."""

from __future__ import annotations

from datetime import timedelta

from route.incidents import IncidentCorrelator
from sinks.incident_sink import IncidentSink, write_events
from sinks.store_sink import StoreSink
from tests.route.burst_helpers import MONDAY, decision, spread
from tests.sinks.conftest import open_store

OUTAGE = MONDAY + timedelta(hours=19)
KEY = "burst:Lumen Telecom:outage:20261116T1900Z"


def correlate(decisions):
    correlator = IncidentCorrelator()
    return correlator, [correlator(d) for d in decisions]


def test_one_burst_incident_with_every_post_and_recomputed_aggregates(store):
    correlator = IncidentCorrelator()
    sink = IncidentSink(StoreSink(store), correlator)
    stream = spread(OUTAGE, 200, 60) + [decision(9999, OUTAGE + timedelta(minutes=61),
                                                 action="incident", lang="nl")]
    for i, item in enumerate(stream):  # as the runner does: correlate, add, flush per batch
        sink.add(correlator(item))
        if i % 37 == 0:
            sink.flush()
    sink.flush()
    incidents = store.incidents()
    assert [i.key for i in incidents] == [KEY]  # the VIP post joined the burst
    burst = incidents[0]
    assert burst.post_count == 201 and burst.first_seen == OUTAGE
    assert burst.last_seen == OUTAGE + timedelta(minutes=61)
    assert burst.sample_post_ids == [f"p-{i}" for i in range(5)]
    assert burst.languages == ["en", "nl"] and burst.platforms == ["x"]
    assert burst.sentiment["negative"] == 1.0 and burst.urgency == "critical"
    assert burst.title.startswith("Lumen Telecom: burst of outage reports since 2026-11-16 19:00")
    assert any("burst strong" in reason for reason in burst.reasons)
    assert store.counts()["incidents"] == 1


def test_replaying_the_same_decisions_and_events_changes_nothing(store):
    correlator, decided = correlate(spread(OUTAGE, 80, 30))
    events = correlator.drain()
    store.write(decided, [])
    write_events(store, events)
    before = store.incidents()
    store.write(decided, [])
    write_events(store, events)
    assert store.incidents() == before and before[0].post_count == 80


def test_resolution_is_stored_and_final(store):
    correlator, decided = correlate(spread(OUTAGE, 40, 20))
    correlator(decision(5000, OUTAGE + timedelta(hours=3), topic="billing"))  # quiet → resolved
    store.write(decided, [])
    events = correlator.drain()
    write_events(store, events)
    write_events(store, [e for e in events if e.kind != "resolved"])  # a late update
    assert store.incidents()[0].status == "resolved"


def test_single_incidents_stay_single_and_deduplicated(store):
    lone = IncidentCorrelator()(decision(1, OUTAGE, action="incident", topic="security"))
    store.write([lone, lone], [])
    store.write([lone], [])
    assert [(i.key, i.kind, i.post_count) for i in store.incidents()] == [("single:p-1", "single", 1)]


def test_events_survive_a_failed_write_and_are_applied_on_the_next_flush(store_config):
    store = open_store(store_config)
    correlator, decided = correlate(spread(OUTAGE, 30, 10))
    sink = IncidentSink(StoreSink(store), correlator)
    seen = []
    sink.listeners.append(seen.extend)
    for item in decided:
        sink.add(item)
    original, calls = sink.store, []

    class Broken:
        db = None

    sink.store = Broken()
    try:
        sink.flush()
    except Exception as error:  # noqa: BLE001 - the failure the test provokes
        calls.append(error)
    assert calls and not seen
    sink.store = original
    sink.flush()
    assert [e.kind for e in seen][0] == "opened" and store.incidents()[0].post_count == 30
    sink.close()


def test_a_redelivered_post_with_another_decision_opens_no_incident(store):
    """At-least-once delivery after a worker crash: the first stored decision of a post wins,
    so a redelivered copy that now says ``incident`` opens no incident (and no ticket) the
    store does not show; a new incident post still opens one."""
    sink = IncidentSink(StoreSink(store), IncidentCorrelator())
    handed = []
    sink.listeners.append(handed.extend)
    sink.add(decision(1, OUTAGE, topic="security"))  # stored with action webcare
    sink.flush()
    sink.add(decision(1, OUTAGE, topic="security", action="incident"))  # the redelivered copy
    sink.add(decision(2, OUTAGE, topic="security", action="incident"))
    sink.flush()
    assert [incident.key for incident in store.incidents()] == ["single:p-2"]
    assert [event.incident.key for event in handed] == ["single:p-2"]
