"""Incident correlator: one incident per outage, evidence attached, bounded updates."""

from __future__ import annotations

from datetime import timedelta

from route.incidents import IncidentConfig, IncidentCorrelator
from tests.route.burst_helpers import MONDAY, decision, spread

OUTAGE = MONDAY + timedelta(hours=19)


def run(correlator, decisions):
    return [correlator(d) for d in sorted(decisions, key=lambda d: d.post.created_at)]


def burst_keys(results):
    return {d.incident_key for d in results if d.incident_key and d.incident_key.startswith("burst:")}


def test_a_burst_of_1000_posts_is_one_incident_with_bounded_updates():
    correlator = IncidentCorrelator()
    results = run(correlator, spread(OUTAGE, 1000, 90))
    assert burst_keys(results) == {"burst:Lumen Telecom:outage:20261116T1900Z"}
    unkeyed = {d.post.id for d in results if not d.incident_key}
    assert len(unkeyed) < 30  # the posts before the detection (2 min at least) ...
    events = correlator.drain()
    assert unkeyed <= set(events[0].evidence_post_ids)  # ... are attached as evidence
    kinds = [e.kind for e in events]
    assert kinds.count("opened") == 1
    assert kinds.count("updated") <= 90 / 10 + 2  # bounded rate (+1 level upgrade)
    opened = events[0]
    assert opened.kind == "opened" and len(opened.evidence_post_ids) >= 6
    assert opened.incident.reasons[0].startswith("burst moderate: 13 actionable posts")
    assert opened.incident.first_seen == OUTAGE


def test_incident_aggregates_count_platforms_languages_sentiment_and_samples():
    correlator = IncidentCorrelator()
    run(correlator, spread(OUTAGE, 60, 30))
    last = correlator.open["Lumen Telecom\x1foutage"].snapshot()
    assert last.post_count == 60 and last.first_seen == OUTAGE
    assert last.last_seen == OUTAGE + timedelta(minutes=30)
    assert len(last.sample_post_ids) == 5 and last.platforms == ["x"] and last.languages == ["en"]
    assert last.sentiment["negative"] == 1.0 and last.sentiment["compound"] == -0.6
    assert last.urgency == "critical" and last.kind == "burst"


def test_resolves_after_a_quiet_period_and_a_new_burst_is_a_new_incident():
    correlator = IncidentCorrelator(IncidentConfig(quiet_minutes=30))
    first = run(correlator, spread(OUTAGE, 40, 20))
    later = OUTAGE + timedelta(hours=3)
    second = run(correlator, spread(later, 40, 20, first=1000))
    events = correlator.drain()
    resolved = [e for e in events if e.kind == "resolved"]
    assert len(resolved) == 1 and resolved[0].incident.status == "resolved"
    assert resolved[0].at == later  # event time: noticed when the next post arrives
    assert len(burst_keys(first) | burst_keys(second)) == 2


def test_single_incident_posts_attach_to_an_open_burst_and_stay_single_otherwise():
    correlator = IncidentCorrelator()
    lone = correlator(decision(1, OUTAGE - timedelta(hours=2), action="incident"))
    assert lone.incident_key == "single:p-1"
    run(correlator, spread(OUTAGE, 30, 10, first=10))
    vip = correlator(decision(99, OUTAGE + timedelta(minutes=11), action="incident"))
    assert vip.incident_key.startswith("burst:") and vip.action == "incident"
    other_topic = correlator(decision(98, OUTAGE + timedelta(minutes=11), topic="security",
                                      action="incident"))
    assert other_topic.incident_key == "single:p-98"


def test_topics_and_brands_are_separate_incidents_and_noise_is_ignored():
    correlator = IncidentCorrelator()
    results = run(correlator, spread(OUTAGE, 30, 15)
                  + spread(OUTAGE, 30, 15, first=100, topic="billing")
                  + spread(OUTAGE, 30, 15, first=200, brand="Kettle")
                  + spread(OUTAGE, 30, 15, first=300, brand="Glowwire", noise=True)
                  + spread(OUTAGE, 30, 15, first=400, brand="Reisly", actionable=False)
                  + spread(OUTAGE, 30, 15, first=500, brand="Tuuli", topic="feedback"))
    assert {k.split(":")[1:3].__str__() for k in burst_keys(results)} == {
        "['Lumen Telecom', 'outage']", "['Lumen Telecom', 'billing']", "['Kettle', 'outage']"}


def test_service_desk_resolution_and_replay_gives_the_same_keys():
    stream = spread(OUTAGE, 50, 20) + spread(OUTAGE + timedelta(hours=5), 50, 20, first=100)
    a, b = IncidentCorrelator(), IncidentCorrelator()
    assert [d.incident_key for d in run(a, stream)] == [d.incident_key for d in run(b, stream)]
    key = next(iter(a.open.values())).key
    assert a.resolve(key, OUTAGE + timedelta(hours=6)) and not a.resolve(key, OUTAGE)
    assert a.drain()[-1].incident.reasons[-1] == "resolved: resolved by the service desk"


def test_disabled_correlator_passes_decisions_through():
    correlator = IncidentCorrelator(IncidentConfig(enabled=False))
    assert not burst_keys(run(correlator, spread(OUTAGE, 50, 10)))


def test_outage_connectivity_performance_and_access_posts_are_one_service_incident():
    correlator = IncidentCorrelator()
    stream = [decision(i, OUTAGE + timedelta(minutes=i),
                       topic=["outage", "connectivity", "performance", "access"][i % 4])
              for i in range(40)]
    assert burst_keys(run(correlator, stream)) == {"burst:Lumen Telecom:outage:20261116T1900Z"}


def test_stragglers_after_a_quiet_resolution_do_not_reopen_the_outage():
    """An outage resolved for quiet volume: the detector's windows still hold its posts, so
    one late straggler would complete a 'burst' of them and open a second incident of one
    outage. Those posts belong to the resolved one; a new wave later is a new incident."""
    correlator = IncidentCorrelator(IncidentConfig(quiet_minutes=10))
    first = run(correlator, spread(OUTAGE, 40, 20))
    stragglers = run(correlator, [decision(500, OUTAGE + timedelta(minutes=31)),
                                  decision(501, OUTAGE + timedelta(minutes=33))])
    assert len(burst_keys(first)) == 1 and burst_keys(stragglers) == set()
    later = run(correlator, spread(OUTAGE + timedelta(hours=3), 40, 20, first=1000))
    assert len(burst_keys(later)) == 1 and burst_keys(later) != burst_keys(first)
    kinds = [e.kind for e in correlator.drain()]
    assert kinds.count("opened") == 2 and kinds.count("resolved") == 1
