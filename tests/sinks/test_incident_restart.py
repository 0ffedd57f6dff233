"""Restart mid-outage, in-process: the simulator's outages replayed in three runs on one store
(SQLite and PostgreSQL) give one incident and one ticket per outage, detected when the
uninterrupted run detects it (issue 18). Real classifier, router, store and ticket outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

import orjson
import pytest

from sinks.store.config import SqliteStoreConfig
from tests.sinks.conftest import open_store
from tests.sinks.tickets.fakes import FakeWebhook, Server
from webcare.job.assembly import run_replay
from webcare.job.config import WebcareConfig, load_config
from webcare.lab.simulate import simulate

SECRET = "hook-secret"


@pytest.fixture(scope="module")
def stream():
    """One day with two outages (the slow 50-post one and a 1,200-post one)."""
    return simulate(1, 2, seed=3, per_day=800)


def configured(store, hook) -> WebcareConfig:
    tickets = WebcareConfig.model_validate({"tickets": [
        {"type": "webhook", "url": hook.url + "/itsm", "timeout": 2}]}).tickets
    return load_config().model_copy(update={"store": store, "tickets": tickets})


def replay(config, posts: list[dict], path) -> None:
    path.write_bytes(b"".join(orjson.dumps(post) + b"\n" for post in posts))
    run_replay(config, str(path))


def split_mid_outages(posts: list[dict], outages) -> list[list[dict]]:
    """The stream cut in the middle of every outage."""
    cuts = [(o.start + (o.end - o.start) / 2).strftime("%Y-%m-%dT%H:%M:%SZ") for o in outages]
    runs, rest = [], posts
    for cut in cuts:
        runs.append([p for p in rest if p["created_at"] < cut])
        rest = rest[len(runs[-1]):]
    return [*runs, rest]


def detections(tool: FakeWebhook, store_config) -> dict[str, list[tuple[str, datetime, int]]]:
    """Per brand: (incident key, detection event time, tickets created) of its burst incidents."""
    store = open_store(store_config)
    try:
        bursts = [i for i in store.incidents() if i.kind == "burst"]
    finally:
        store.close()
    found: dict[str, list] = {}
    for incident in bursts:
        opened = [e for e in tool.tickets.get(incident.key, []) if e["kind"] == "opened"]
        at = datetime.fromisoformat(opened[0]["at"]) if opened else None
        found.setdefault(incident.brand, []).append((incident.key, at,
                                                     tool.creates(incident.key)))
    return found


@pytest.mark.slow
def test_restarts_mid_outage_continue_the_same_incidents_and_tickets(
        stream, store_config, tmp_path, monkeypatch):
    monkeypatch.setenv("WEBCARE_TICKET_WEBHOOK_SECRET", SECRET)
    posts, outages = stream
    reference_store = SqliteStoreConfig(path=str(tmp_path / "reference.sqlite"))
    with Server(FakeWebhook(SECRET)) as hook:
        replay(configured(reference_store, hook), posts, tmp_path / "all.jsonl")
        reference = detections(hook.tool, reference_store)
    with Server(FakeWebhook(SECRET)) as hook:
        for n, part in enumerate(split_mid_outages(posts, outages)):
            replay(configured(store_config, hook), part, tmp_path / f"run{n}.jsonl")
        restarted = detections(hook.tool, store_config)
    assert sorted(reference) == sorted(o.brand for o in outages)  # one incident per outage
    assert sorted(restarted) == sorted(reference)
    for brand, found in restarted.items():
        assert len(found) == 1 == len(reference[brand]), (found, reference[brand])
        (_, detected, tickets), (_, expected, _) = found[0], reference[brand][0]
        assert tickets == 1
        assert abs(detected - expected) <= timedelta(minutes=1)
