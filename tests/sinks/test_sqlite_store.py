"""Store behaviour, run against every backend (``store``/``store_config`` fixtures: SQLite and
PostgreSQL, see tests/sinks/conftest.py)."""

from datetime import datetime, timezone

import pytest

from route.rules import RouteConfig, Router
from schemas import DeadLetter
from sinks.store_sink import StoreSink
from tests.conftest import make_classification, make_post
from tests.sinks.conftest import open_store

ROUTER = Router(RouteConfig.model_validate({"rules": [
    {"name": "noise", "when": {"noise": True}, "action": "drop"},
    {"name": "sec", "when": {"topic": ["security"]}, "action": "incident"},
    {"name": "attention", "when": {"actionable": True}, "action": "webcare"},
]}))


def decisions():
    posts = [make_post(n) for n in range(1, 6)]
    return [
        ROUTER(posts[0], make_classification(posts[0], priority=40)),
        ROUTER(posts[1], make_classification(posts[1], priority=90)),
        ROUTER(posts[2], make_classification(posts[2], topic="security", urgency="critical")),
        ROUTER(posts[3], make_classification(posts[3], noise=True, noise_reason="spam",
                                             actionable=False)),
        ROUTER(posts[4], make_classification(posts[4], actionable=False, sentiment={
            "label": "positive", "compound": 0.5})),
    ]


def letter(line=7):
    return DeadLetter(stage="parse", error_type="ValidationError", reason="bad json",
                      payload="{oops", source="replay:x", line=line,
                      occurred_at=datetime.now(timezone.utc))


def test_write_and_read_back(store):
    store.write(decisions(), [letter()])
    counts = store.counts()
    assert counts["posts"] == 5
    assert counts["actions"] == {"webcare": 2, "incident": 1, "drop": 1, "monitor": 1}
    assert counts["noise"] == {"spam": 1}
    assert counts["incidents"] == 1 and counts["dead_letters"] == 1
    queue = store.queue()
    assert [item.post_id for item in queue][0] == "t-2"  # highest priority first
    assert {item.post_id for item in queue} == {"t-1", "t-2", "t-3"}
    incident = store.incidents()[0]
    assert incident.key == "single:t-3" and incident.post_count == 1
    assert store.dead_letters()[0].payload == "{oops"


def test_reprocessing_is_idempotent(store):
    store.write(decisions(), [letter()])
    before = (store.counts(), store.trends())
    store.write(decisions(), [letter()])
    store.write(decisions()[:2], [])
    assert (store.counts(), store.trends()) == before
    assert sum(row["posts"] for row in store.trends()) == 5


def test_sink_keeps_buffer_when_flush_fails(store):
    class Failing:
        def __init__(self):
            self.calls = 0

        def write(self, decisions, letters):
            self.calls += 1
            if self.calls == 1:
                raise OSError("disk full")
            store.write(decisions, letters)

        def close(self):
            pass

    sink = StoreSink(Failing())
    for decision in decisions():
        sink.add(decision)
    sink.add(letter())
    with pytest.raises(OSError):
        sink.flush()
    sink.flush()
    assert store.counts()["posts"] == 5 and store.counts()["dead_letters"] == 1


def test_store_survives_reopen(store_config):
    first = open_store(store_config)
    first.write(decisions(), [])
    first.close()
    again = open_store(store_config)
    assert again.counts()["posts"] == 5
    again.close()
