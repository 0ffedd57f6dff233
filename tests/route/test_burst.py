"""Burst detector and seasonal baseline as pure functions of event-time streams."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from route.baseline import DIURNAL, SeasonalBaseline
from route.burst import BurstConfig, BurstDetector
from tests.route.burst_helpers import MONDAY


def feed(detector, times, brand="B", topic="outage", authors=None):
    """Observe posts at ``times`` (minutes after MONDAY 19:00); the detections, in order."""
    start = MONDAY + timedelta(hours=19)
    found = []
    for i, minute in enumerate(times):
        author = authors[i] if authors else f"@a{i}"
        found.append(detector.observe(brand, topic, f"p{i}", author,
                                      start + timedelta(minutes=minute)))
    return found


def test_single_posts_and_small_clusters_never_trigger():
    detector = BurstDetector()
    assert not any(feed(detector, [0, 30, 60, 90, 120]))
    assert not any(feed(BurstDetector(), [0, 1, 2, 3, 4]))  # 5 < min_count


def test_one_author_or_one_instant_is_not_a_burst():
    assert not any(feed(BurstDetector(), [i * 0.5 for i in range(10)], authors=["@x"] * 10))
    assert not any(feed(BurstDetector(), [i / 100 for i in range(10)]))  # 6 s < 2 min


def test_sudden_burst_goes_moderate_then_strong_and_explains_itself():
    found = [d for d in feed(BurstDetector(), [i * 0.5 for i in range(40)]) if d]
    assert found[0].level == "moderate" and found[0].count == 7  # 19h prior: 9.1/h
    assert found[-1].level == "strong"
    text = found[0].explain()
    for part in ("burst moderate", "7 actionable posts", "in 10 min", "18:53–19:03 UTC",
                 "baseline 1.58", "threshold 7"):
        assert part in text
    assert found[0].first_post_at == MONDAY + timedelta(hours=19)
    assert found[0].post_ids == tuple(f"p{i}" for i in range(7))


def test_slow_burst_of_50_posts_over_25_minutes_is_detected():
    found = [d for d in feed(BurstDetector(), [i * 25 / 49 for i in range(50)]) if d]
    assert found and found[-1].level == "strong"


def test_baseline_learns_a_busy_key_so_its_normal_volume_does_not_trigger():
    detector = BurstDetector()
    start = MONDAY
    for n, minute in enumerate(range(0, 14 * 24 * 60, 5)):  # 12 per hour, two weeks
        found = detector.observe("B", "billing", f"p{n}", f"@a{n % 50}",
                                 start + timedelta(minutes=minute))
        assert found is None or minute < 24 * 60  # a cold start may misjudge the first day
    expected = detector.baseline.expected_per_hour("B\x1fbilling", start + timedelta(days=14))
    assert 10 < expected < 14
    cold = BurstDetector().baseline.expected_per_hour("B\x1fbilling", start)
    assert cold == pytest.approx(6.0 * DIURNAL[0] * 24 / sum(DIURNAL))  # prior × night shape


def test_seasonal_slots_differ_by_hour_of_day():
    baseline = SeasonalBaseline()
    for day in range(14):
        for hour in range(24):
            moment = MONDAY + timedelta(days=day, hours=hour)
            baseline.observe_hour("k", moment, 20 if hour == 19 else 1)
    evening = baseline.expected_per_hour("k", MONDAY + timedelta(days=14, hours=19))
    night = baseline.expected_per_hour("k", MONDAY + timedelta(days=14, hours=3))
    assert evening > 10 * night


def test_hours_inside_an_incident_are_clamped_before_learning():
    baseline = SeasonalBaseline()
    baseline.observe_hour("k", MONDAY, 500, in_incident=True)
    assert baseline.expected_per_hour("k", MONDAY) <= 3 * 6.0  # learn_cap × prior


def test_state_round_trips_through_json_and_gives_the_same_answers():
    detector = BurstDetector()
    feed(detector, [i * 3 for i in range(30)])
    copy = BurstDetector.from_state(json.loads(json.dumps(detector.to_state())))
    later = [100 + i * 0.2 for i in range(20)]
    assert feed(detector, later) == feed(copy, later)


def test_memory_is_bounded_in_keys_and_posts():
    detector = BurstDetector(BurstConfig(max_keys=3, max_posts_per_key=10,
                                         windows=[{"minutes": 10, "min_count": 6}]))
    for k in range(10):
        feed(detector, [i * 0.01 for i in range(50)], topic=f"t{k}")
    state = detector.to_state()
    assert len(state["keys"]) == 3
    assert all(len(s["times"]) <= 10 for s in state["keys"].values())
    assert len(state["baseline"]) <= 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=600, allow_nan=False), max_size=80))
def test_any_stream_detects_only_with_enough_posts_in_the_window(minutes):
    detector = BurstDetector()
    for found in feed(detector, minutes):
        if found:
            assert found.count >= 6 and found.authors >= 4
            assert found.window_start < found.first_post_at <= found.window_end


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=10))
def test_malformed_state_is_a_value_error(state):
    try:
        BurstDetector.from_state({"keys": {}, "baseline": {"k": state}})
    except ValueError:
        pass
