"""Correlator state: snapshot/restore continues an outage; late and redelivered posts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from route.incidents import IncidentCorrelator
from tests.route.burst_helpers import MONDAY, background, decision, spread

OUTAGE = MONDAY + timedelta(hours=19)
SLOT = "Lumen Telecom\x1foutage"


def feed(correlator, decisions):
    return [correlator(d) for d in decisions]


def keys(results):
    return {d.incident_key for d in results if d.incident_key}


def test_a_restored_correlator_continues_the_outage_it_was_saved_in():
    stream = background(1, 2, brand="Other") + spread(OUTAGE, 200, 40)
    stream.sort(key=lambda d: d.post.created_at)
    half = len(stream) - 120
    whole = IncidentCorrelator()
    reference = feed(whole, stream)
    first = IncidentCorrelator()
    before = feed(first, stream[:half])
    saved = json.loads(json.dumps(first.snapshot()))  # plain JSON survives the store
    second = IncidentCorrelator()
    second.restore(saved)
    after = feed(second, stream[half:])
    assert keys(before) == keys(after) == keys(reference) and len(keys(reference)) == 1
    assert [d.incident_key for d in before + after] == [d.incident_key for d in reference]
    events = [(e.kind, e.incident.key, e.at) for e in first.drain() + second.drain()]
    assert events == [(e.kind, e.incident.key, e.at) for e in whole.drain()]
    assert [kind for kind, _, _ in events].count("opened") == 1


def test_restore_rejects_another_version_or_a_malformed_state_and_changes_nothing():
    correlator = IncidentCorrelator()
    feed(correlator, spread(OUTAGE, 40, 10))
    good = correlator.snapshot()
    fresh = IncidentCorrelator()
    with pytest.raises(ValueError, match="version"):
        fresh.restore({**good, "version": 99})
    with pytest.raises(ValueError, match="malformed"):
        fresh.restore({**good, "open": {SLOT: {"key": "x"}}})
    assert fresh.open == {} and fresh.now is None


def test_a_redelivered_post_is_keyed_but_not_counted_again():
    correlator = IncidentCorrelator()
    stream = spread(OUTAGE, 60, 20)
    first = feed(correlator, stream)
    count = correlator.open[SLOT].count
    again = feed(correlator, stream[-20:])
    assert correlator.open[SLOT].count == count
    assert keys(again) == keys(first[-20:])


def test_a_late_post_joins_an_open_incident_but_never_opens_one():
    correlator = IncidentCorrelator()
    ahead = decision(1, OUTAGE + timedelta(minutes=30), brand="Other")
    burst = spread(OUTAGE, 40, 10)
    results = feed(correlator, [ahead, *burst])  # all older than the event time
    assert not keys(results) and correlator.drain() == []
    on_time = correlator(decision(99, OUTAGE + timedelta(minutes=30, seconds=1)))
    late = correlator(decision(98, OUTAGE + timedelta(minutes=5)))
    assert on_time.incident_key == late.incident_key == "burst:Lumen Telecom:outage:20261116T1900Z"
    opened = [e for e in correlator.drain() if e.kind == "opened"]  # the late posts counted
    assert len(opened) == 1 and len(opened[0].evidence_post_ids) > 20


def test_the_state_stays_bounded_when_brands_go_quiet():
    correlator = IncidentCorrelator()
    feed(correlator, spread(OUTAGE, 60, 20))
    feed(correlator, [decision(500 + i, OUTAGE + timedelta(hours=3, minutes=i), brand="Other")
                      for i in range(3)])
    state = correlator.snapshot()
    assert state["open"] == {}  # resolved incidents are dropped
    windows = state["detector"]["keys"]
    assert windows[SLOT]["times"] == [] and len(windows["Other\x1foutage"]["times"]) == 3
    assert set(state["recent"]) == {"Other\x1foutage"}
