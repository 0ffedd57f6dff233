"""Incidents on Kafka across sink restarts and partition skew (issue 18): the simulator's outage
as decisions (real Classifier and Router), consumed by real sink workers on a real broker,
with the ticket outbox delivering to a webhook. One incident and one ticket per outage, no
dead letters, detected when the in-process correlator detects it; held decisions are never
committed before they are stored."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import orjson
import pytest

from bus import client
from bus.messages import decision_key
from route.incidents import IncidentCorrelator
from schemas import Decision
from tests.bus.harness import committed, make_config, start, stop, wait_for
from tests.bus.test_pipeline import stored
from tests.sinks.tickets.fakes import FakeWebhook, Server
from webcare.job.config import WebcareConfig
from webcare.lab.simulate import simulate

SECRET = "hook-secret"
UNTIL = "2026-11-16T08:00:00Z"  # the outage (05:10-05:35) and a quiet aftermath


@pytest.fixture(scope="module")
def day():
    """The decisions of the simulated night and morning, in event-time order, and the outage."""
    from classify.pipeline import Classifier
    from route.rules import Router
    from schemas.protocols import RawRecord
    from webcare.job.config import load_config
    from webcare.job.runner import Pipeline

    posts, (outage,) = simulate(1, 1, seed=3, per_day=800)
    config = load_config()
    pipeline = Pipeline(Classifier(config.classify), Router(config.route), sink=None)
    records = [RawRecord(orjson.dumps(p).decode(), "sim", n)
               for n, p in enumerate(posts) if p["created_at"] < UNTIL]
    decisions = [d for d in pipeline.process_batch(records) if isinstance(d, Decision)]
    return decisions, outage


@pytest.fixture
def hook(monkeypatch):
    monkeypatch.setenv("WEBCARE_TICKET_WEBHOOK_SECRET", SECRET)
    with Server(FakeWebhook(SECRET)) as server:
        yield server


def sink_config(broker, tmp_path, hook, **kafka) -> WebcareConfig:
    config = make_config(broker, str(tmp_path / "s.sqlite"), real=True, **kafka)
    tickets = WebcareConfig.model_validate({"tickets": [
        {"type": "webhook", "url": hook.url + "/itsm", "timeout": 2}]}).tickets
    return config.model_copy(update={"tickets": tickets})


def in_process(config, decisions: list[Decision]) -> dict[str, list[tuple[str, datetime]]]:
    """Incident key → its events (kind, event time) from the uninterrupted in-process
    correlator."""
    correlator = IncidentCorrelator(config.incidents)
    for decision in decisions:
        correlator(decision)
    history: dict[str, list] = {}
    for event in correlator.drain():
        history.setdefault(event.incident.key, []).append((event.kind, event.at))
    return history


def publish(config, decisions: list[Decision], partition: int | None = None) -> None:
    """Decisions into the decisions topic as the route stage writes them (keyed by brand), in
    the order given; ``partition``: all into that one (brands sharing a partition)."""
    producer = client.producer(config.kafka, "test-route")
    try:
        for decision in decisions:
            producer.send(config.kafka.topic("decisions"), key=decision_key(decision),
                          value=decision.model_dump_json().encode(), partition=partition)
        producer.flush()
    finally:
        producer.close()


def outcome(config, hook) -> tuple[dict[str, list[tuple[str, datetime]]], dict[str, int], int]:
    """Burst incidents in the store (key → the events its ticket got: kind, event time),
    tickets created per key, and the dead letters stored."""
    with sqlite3.connect(config.store.path) as db:
        keys = [row[0] for row in db.execute(
            "SELECT incident_key FROM incidents WHERE kind = 'burst'")]
        dead = db.execute("SELECT COUNT(*) FROM dead_letters").fetchone()[0]
    history = {key: [(e["kind"], datetime.fromisoformat(e["at"]))
                     for e in hook.tool.tickets.get(key, [])] for key in keys}
    return history, {key: hook.tool.creates(key) for key in keys}, dead


def assert_one_incident(found: dict, tickets: dict[str, int], dead: int, ends: str) -> None:
    """One incident, one ticket opened once whose last event is ``ends``, no dead letters."""
    assert len(found) == 1, found
    assert list(tickets.values()) == [1] and dead == 0
    (events,) = found.values()
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "opened" and kinds.count("opened") == 1 and kinds[-1] == ends, kinds


def assert_as_in_process(reference: dict, found: dict, tickets: dict[str, int],
                         dead: int) -> None:
    """As :func:`assert_one_incident`, ending as the in-process incident and opened within a
    minute of its detection."""
    assert len(reference) == 1, reference
    (expected,) = reference.values()
    assert_one_incident(found, tickets, dead, ends=expected[-1][0])
    (events,) = found.values()
    assert abs(events[0][1] - expected[0][1]) <= timedelta(minutes=1)


def cuts(config, decisions: list[Decision], outage) -> tuple[datetime, datetime]:
    """Halfway from the outage's start to its in-process detection, and two minutes after
    the detection (still within the outage)."""
    ((_, detected), *_), = in_process(config, decisions).values()
    after = detected + timedelta(minutes=2)
    assert outage.start < detected < after < outage.end
    return outage.start + (detected - outage.start) / 2, after


def test_a_sink_worker_restarted_mid_outage_continues_its_incident_and_ticket(
        broker, tmp_path, hook, day):
    """Two restarts: before the detection (the windows carry over) and after it (the open
    incident and its ticket carry over)."""
    decisions, outage = day
    config = sink_config(broker, tmp_path, hook, max_hold_s=0.5)
    client.create_topics(config.kafka)
    done = 0
    for cut in [*cuts(config, decisions, outage), outage.end + timedelta(hours=3)]:
        part = [d for d in decisions[done:] if d.post.created_at < cut]
        publish(config, part)
        done += len(part)
        worker = start("sink", config)
        try:
            wait_for(lambda: stored(config) >= done, timeout=60, what=f"posts to {cut} stored")
        finally:
            stop(worker)
    assert done == len(decisions)
    assert_as_in_process(in_process(config, decisions), *outcome(config, hook))


def skewed(decisions: list[Decision], brand: str, cut: datetime) -> list[Decision]:
    """One partition as lagging route replicas fill it: every post up to ``cut``, then the
    other brands' posts of the next hours, then the rest of ``brand``."""
    later = [d for d in decisions if d.post.created_at >= cut]
    return ([d for d in decisions if d.post.created_at < cut]
            + [d for d in later if d.classification.brand != brand]
            + [d for d in later if d.classification.brand == brand])


def test_partition_skew_within_the_allowed_lateness_is_one_incident_as_in_process(
        broker, tmp_path, hook, day):
    decisions, outage = day
    config = sink_config(broker, tmp_path, hook, allowed_lateness_s=6 * 3600, max_hold_s=10)
    _, cut = cuts(config, decisions, outage)
    client.create_topics(config.kafka)
    publish(config, skewed(decisions, outage.brand, cut), partition=0)
    worker = start("sink", config)
    try:
        wait_for(lambda: stored(config) >= len(decisions), timeout=60, what="all stored")
    finally:
        stop(worker)
    assert_as_in_process(in_process(config, decisions), *outcome(config, hook))


def test_posts_later_than_the_allowed_lateness_join_the_incident_and_are_no_dead_letters(
        broker, tmp_path, hook, day):
    decisions, outage = day
    config = sink_config(broker, tmp_path, hook, allowed_lateness_s=60, max_hold_s=0.5)
    _, cut = cuts(config, decisions, outage)
    stream = skewed(decisions, outage.brand, cut)
    late = [d for d in stream if d.classification.brand == outage.brand
            and d.post.created_at >= cut]
    client.create_topics(config.kafka)
    publish(config, stream[:-len(late)], partition=0)
    worker = start("sink", config)
    try:
        wait_for(lambda: stored(config) >= len(decisions) - len(late), timeout=60,
                 what="everything but the late posts stored")
        publish(config, late, partition=0)  # after the watermark passed them
        wait_for(lambda: stored(config) >= len(decisions), timeout=60, what="all stored")
    finally:
        stop(worker)
    assert_one_incident(*outcome(config, hook), ends="resolved")


def test_held_decisions_are_not_committed_and_a_restart_stores_them_once(
        broker, tmp_path, hook, day):
    decisions, outage = day
    holding = sink_config(broker, tmp_path, hook, allowed_lateness_s=1800, max_hold_s=600)
    newest = decisions[-1].post.created_at
    released = [d for d in decisions if d.post.created_at <= newest - timedelta(minutes=30)]
    client.create_topics(holding.kafka)
    publish(holding, decisions, partition=0)
    worker = start("sink", holding)
    try:
        wait_for(lambda: stored(holding) >= len(released), timeout=60, what="released stored")
    finally:
        stop(worker)  # the last 30 minutes are still held
    assert stored(holding) == committed(holding, "sink", "decisions") == len(released) < len(
        decisions)
    config = holding.model_copy(update={"kafka": holding.kafka.model_copy(
        update={"max_hold_s": 0.5})})
    worker = start("sink", config)
    try:
        wait_for(lambda: stored(config) >= len(decisions), timeout=60, what="all stored")
        wait_for(lambda: committed(config, "sink", "decisions") == len(decisions), timeout=30,
                 what="all committed")
    finally:
        stop(worker)
    assert stored(config) == len(decisions)
    assert_as_in_process(in_process(config, decisions), *outcome(config, hook))
