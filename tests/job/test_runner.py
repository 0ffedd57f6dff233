"""The runner with stand-in stages: errors become dead letters, flush precedes checkpoint."""

import json

import pytest

from route.rules import RouteConfig, Router
from schemas import DeadLetter
from schemas.dead_letters import parse_post
from schemas.protocols import RawRecord
from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from sinks.store_sink import StoreSink
from tests.conftest import T0, make_classification
from webcare.job.runner import Pipeline

pytestmark = pytest.mark.pipeline

GOOD = {"id": "p1", "platform": "x", "text": "@LumenCare internet down",
        "created_at": "2026-11-20T10:00:00Z", "author": {"handle": "@a", "followers": 5},
        "labels": {"topic": "outage"}}


class ListSource:
    name = "list"

    def __init__(self, payloads):
        self.payloads = payloads
        self.checkpoints = []

    def records(self):
        for number, payload in enumerate(self.payloads, start=1):
            yield RawRecord(payload=payload, source=self.name, position=number)

    def checkpoint(self, position):
        self.checkpoints.append(position)


class RecordingSink(StoreSink):
    def __init__(self, store, events):
        super().__init__(store)
        self.events = events

    def flush(self):
        self.events.append("flush")
        super().flush()


class PerPost:
    """A stand-in classify stage: a function applied post by post, errors as values."""

    def __init__(self, function):
        self.function = function

    def classify_batch(self, posts):
        results = []
        for post in posts:
            try:
                results.append(self.function(post))
            except Exception as error:  # noqa: BLE001
                results.append(error)
        return results


def pipeline(store, classify=None, batch_size=2, events=None):
    classify = PerPost(classify or (lambda post: make_classification(post)))
    router = Router(RouteConfig.model_validate({"rules": [
        {"name": "attention", "when": {"actionable": True}, "action": "webcare"}]}))
    sink = RecordingSink(store, events if events is not None else [])
    return Pipeline(classify, router, sink, batch_size), sink


def payload(**changes):
    return json.dumps({**GOOD, **changes})


def test_bad_input_becomes_dead_letters_and_processing_continues(tmp_path):
    store = SqliteStore(SqliteStoreConfig(path=str(tmp_path / "s.sqlite")))
    lines = [payload(), "{not json", json.dumps({"id": "x"}), payload(id="p2", text="x" * 50_000),
             '{"id": "p3", "text": "caf\\xe9 \\ud800"', payload(id="p4"), "[1, 2]"]
    run, sink = pipeline(store)
    stats = run.run(ListSource(lines))
    sink.close()
    assert stats.posts == 2 and stats.dead_letters == 5
    letters = SqliteStore(SqliteStoreConfig(path=str(tmp_path / "s.sqlite"))).dead_letters()
    assert {letter.line for letter in letters} == {2, 3, 4, 5, 7}
    by_line = {letter.line: letter for letter in letters}
    assert "author: Field required" in by_line[3].reason
    assert "at most 20000 characters" in by_line[4].reason
    assert by_line[2].payload == "{not json" and by_line[2].stage == "parse"


def test_stage_exception_is_a_dead_letter_with_post_id(tmp_path):
    store = SqliteStore(SqliteStoreConfig(path=":memory:"))

    def explode(post):
        raise RuntimeError("model exploded")

    run, _ = pipeline(store, classify=explode)
    result = run.process(RawRecord(payload(), "list", 1))
    assert isinstance(result, DeadLetter)
    assert (result.stage, result.error_type, result.post_id) == ("classify", "RuntimeError", "p1")
    assert result.reason == "model exploded"


def test_flush_happens_before_each_checkpoint(tmp_path):
    store = SqliteStore(SqliteStoreConfig(path=":memory:"))
    events = []
    source = ListSource([payload(id=f"p{i}") for i in range(5)])
    original = source.checkpoint
    source.checkpoint = lambda position: (events.append(f"checkpoint {position}"),
                                          original(position))
    run, _ = pipeline(store, events=events)
    run.run(source)
    assert events == ["flush", "checkpoint 2", "flush", "checkpoint 4", "flush", "checkpoint 5"]
    assert store.counts()["posts"] == 5


def test_replaying_the_same_input_changes_nothing(tmp_path):
    store = SqliteStore(SqliteStoreConfig(path=":memory:"))
    lines = [payload(id=f"p{i}") for i in range(4)] + ["broken"]
    for _ in range(2):
        run, sink = pipeline(store)
        run.run(ListSource(lines))
        sink.flush()
    counts = store.counts()
    assert (counts["posts"], counts["queue_open"], counts["dead_letters"]) == (4, 4, 1)


def test_lone_surrogates_are_cleaned_not_rejected():
    line = payload(text="cut emoji \ud83d")
    post = parse_post(RawRecord(line, "x", 1))
    assert post.text == "cut emoji ?"


def test_labels_in_input_are_ignored_and_times_are_utc():
    post = parse_post(RawRecord(payload(created_at="2026-11-20T11:00:00+01:00"), "x", 1))
    assert post.created_at == T0.replace(hour=10)
    assert not hasattr(post, "labels")
