"""Incidents in distributed mode: the sink stage runs the incident correlator (route/incidents)
and the incident/ticket store wiring, as the in-process runner does; decisions are keyed by
brand so one sink replica sees a brand's whole burst. Real Classifier, shipped config."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bus import client
from bus.messages import decision_key
from sinks.store.sqlite import SqliteStore
from tests.bus.harness import (
    T0,
    ListSource,
    burst_lines,
    make_config,
    produce,
    start,
    stop,
    wait_for,
)
from tests.bus.test_pipeline import stored


def outage() -> list[str]:
    """A 300-post outage burst over 20 minutes (distinct authors, varied texts)."""
    return burst_lines(300, T0 + timedelta(minutes=5), minutes=20)


def burst_incidents(path: str) -> list[tuple[str, int]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT incident_key, post_count FROM incidents WHERE kind = 'burst'"
                          ).fetchall()


def in_process(config, lines: list[str]) -> list[tuple[str, int]]:
    from webcare.job.assembly import build_pipeline

    pipeline, sink = build_pipeline(config)
    try:
        pipeline.run(ListSource(lines))
    finally:
        sink.close()
    return burst_incidents(config.store.path)


def test_a_burst_is_one_incident_with_two_sink_replicas(broker, tmp_path):
    lines = outage()
    config = make_config(broker, str(tmp_path / "s.sqlite"), real=True)
    reference = in_process(make_config(broker, str(tmp_path / "ref.sqlite"), real=True), lines)
    assert len(reference) == 1  # the in-process runner: one incident for the outage
    client.create_topics(config.kafka)
    workers = [start("classify", config, classify=None), start("route", config),
               start("sink", config), start("sink", config)]
    try:
        produce(config, lines)
        wait_for(lambda: stored(config) >= len(lines), timeout=120, what="all posts stored")
        wait_for(lambda: burst_incidents(config.store.path), timeout=30, what="an incident")
    finally:
        stop(*workers)
    incidents = burst_incidents(config.store.path)
    assert len(incidents) == 1, incidents
    (key, count), (_, ref_count) = incidents[0], reference[0]
    assert key.startswith("burst:Lumen Telecom:outage:")
    # the classify partitions interleave differently from the file, so the near-duplicate
    # filter drops a few different posts; the evidence count is close to the in-process one
    assert count >= max(50, 0.9 * ref_count)
    with sqlite3.connect(config.store.path) as db:
        linked = db.execute("SELECT COUNT(*) FROM incident_posts WHERE incident_key = ?",
                            (key,)).fetchone()[0]
        keyed = db.execute("SELECT COUNT(*) FROM queue_items WHERE incident_key = ?",
                           (key,)).fetchone()[0]
    assert linked == count and keyed > 0  # evidence attached, queue items point at it
    store = SqliteStore(config.store)
    try:
        incident = next(i for i in store.incidents() if i.key == key)
    finally:
        store.close()
    assert incident.status == "open" and incident.reasons[0].startswith("burst ")


@pytest.mark.slow
def test_a_redelivered_decision_is_not_counted_twice(tmp_path):
    """A batch delivered again (a retried flush, a restart before the commit): the correlator
    recognises the posts it counted, keys them as before and counts nothing twice."""
    from classify.pipeline import Classifier
    from route.incidents import IncidentCorrelator
    from route.rules import Router
    from schemas import Decision
    from schemas.protocols import RawRecord
    from webcare.job.runner import Pipeline

    config = make_config("127.0.0.1:1", str(tmp_path / "s.sqlite"), real=True)
    correlator = IncidentCorrelator(config.incidents)
    pipeline = Pipeline(Classifier(config.classify), Router(config.route), sink=None)
    decisions = [d for d in pipeline.process_batch(
        [RawRecord(line, "t", i) for i, line in enumerate(burst_lines(150, T0))])
        if isinstance(d, Decision)]
    first = [correlator(d) for d in decisions]
    (incident,) = correlator.open.values()
    counted = incident.count
    again = [correlator(d) for d in decisions]
    assert incident.count == counted and len(correlator.open) == 1
    assert all(a.incident_key == f.incident_key for f, a in zip(first, again) if f.incident_key)
    assert len({d.incident_key for d in first + again} - {None}) == 1
    assert {decision_key(d) for d in decisions} == {b"Lumen Telecom"}
