"""Failure handling on a real broker: crash + restart, poison messages, sharing partitions,
graceful SIGTERM."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import yaml

from bus import client
from bus.messages import header_map
from sinks.store.sqlite import SqliteStore
from tests.bus.harness import (
    committed,
    make_config,
    post_line,
    produce,
    read_topic,
    real_lines,
    start,
    stop,
    wait_for,
)
from tests.bus.test_pipeline import stored

ROOT = Path(__file__).resolve().parents[2]


def spawn(config, stage: str, tmp_path: Path, delay_ms: int = 0,
          real: bool = False) -> subprocess.Popen:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config.model_dump(mode="json", exclude={"classify"})))
    env = {**os.environ, "FAKE_DELAY_MS": str(delay_ms), "PYTHONPATH": str(ROOT),
           "REAL_CLASSIFIER": "1" if real else "0"}
    return subprocess.Popen([sys.executable, "-m", "tests.bus.worker_proc", str(path), stage],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)


def counts(config) -> dict:
    store = SqliteStore(config.store)
    try:
        return store.counts()
    finally:
        store.close()


def test_kill_9_of_classify_worker_loses_and_duplicates_nothing(broker, tmp_path):
    """Real Classifier (slowed 2 ms/post so the kill lands mid-stream), real route rules and
    incidents: after kill -9 and a restart every post is stored once, every queued post has
    exactly one queue item, nothing is dead-lettered. The kill is timed on the classify
    group's commits, so the restarted worker has posts left to classify."""
    n = 3000
    lines = real_lines(n)
    config = make_config(broker, str(tmp_path / "s.sqlite"), real=True, max_poll_records=100)
    client.create_topics(config.kafka)
    produce(config, lines)
    downstream = [start("route", config), start("sink", config)]
    first = spawn(config, "classify", tmp_path, delay_ms=2, real=True)
    try:
        wait_for(lambda: committed(config, "classify") >= 500, timeout=90, every=0.05,
                 what="first posts classified")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert 500 <= committed(config, "classify") < n, "the kill must happen mid-stream"
        second = spawn(config, "classify", tmp_path, real=True)
        wait_for(lambda: stored(config) >= n, timeout=120, every=0.3, what="all posts stored")
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=20) == 0
    finally:
        first.kill()
        stop(*downstream)
    with sqlite3.connect(config.store.path) as db:
        ids = [row[0] for row in db.execute("SELECT post_id FROM posts")]
        queued = db.execute("SELECT COUNT(*) FROM posts WHERE action IN ('webcare', 'incident')"
                            ).fetchone()[0]
        items = db.execute("SELECT COUNT(*), COUNT(DISTINCT post_id) FROM queue_items"
                           ).fetchone()
        singles = db.execute("SELECT COUNT(*) FROM incidents WHERE kind != 'burst'").fetchone()[0]
        single_posts = db.execute("SELECT COUNT(*) FROM posts WHERE action = 'incident'"
                                  ).fetchone()[0]
        dead = db.execute("SELECT COUNT(*) FROM dead_letters").fetchone()[0]
    assert len(ids) == n and set(ids) == {f"r-{i}" for i in range(n)}
    assert items[0] == items[1] == queued > 0 and dead == 0
    assert singles <= single_posts
    classified = read_topic(config, "classified", n + 1, timeout=5)
    assert len({orjson.loads(r.value)["post"]["id"] for r in classified}) == n  # never lost
    assert len(classified) >= n


def test_poison_messages_reach_the_dlq_and_the_rest_flows_on(broker, tmp_path):
    config = make_config(broker, str(tmp_path / "s.sqlite"))
    client.create_topics(config.kafka)
    good = [post_line(i) for i in range(200)]
    bad = ["{not json", orjson.dumps({"id": "no-text"}).decode(),
           post_line(999, text="please EXPLODE now")]
    produce(config, good[:100] + bad + good[100:])
    workers = [start(stage, config) for stage in ("classify", "route", "sink")]
    try:
        wait_for(lambda: counts(config)["posts"] == 200 and counts(config)["dead_letters"] == 3,
                 timeout=60, what="200 posts and 3 dead letters")
    finally:
        stop(*workers)
    letters = read_topic(config, "dlq", 3)
    by_payload = {orjson.loads(r.value)["payload"]: header_map(r.headers) for r in letters}
    headers = [by_payload[payload] for payload in bad]
    assert [h["stage"] for h in headers] == ["parse", "parse", "classify"]
    assert all(h["source_topic"] == config.kafka.topic("raw") and h["attempt"] == "1"
               and h["reason"] and h["error_type"] and h["source_offset"].isdigit()
               and h["source_partition"].isdigit() for h in headers)
    assert "text" in headers[1]["reason"] and "exploded" in headers[2]["reason"]
    assert headers[2]["error_type"] == "RuntimeError"
    stored_letters = SqliteStore(config.store).dead_letters()
    assert {letter.payload for letter in stored_letters} == set(bad)


def test_two_classify_workers_split_the_partitions(broker, tmp_path):
    n = 2000
    config = make_config(broker, str(tmp_path / "s.sqlite"))
    client.create_topics(config.kafka)
    pair = [start("classify", config), start("classify", config)]
    downstream = [start("route", config), start("sink", config)]
    try:
        parts = wait_for(lambda: _split(pair), timeout=30, what="both workers assigned")
        produce(config, [post_line(i) for i in range(n)])
        wait_for(lambda: stored(config) >= n, timeout=60, what="all posts stored")
    finally:
        stop(*pair, *downstream)
    assert parts[0] and parts[1] and not parts[0] & parts[1]
    assert parts[0] | parts[1] == set(range(config.kafka.topics.partitions))
    assert all(worker.processed > 0 for worker in pair)
    assert sum(worker.processed for worker in pair) == n
    assert counts(config)["posts"] == n


def _split(pair):
    parts = [{tp.partition for tp in worker.consumer.assignment()} for worker in pair]
    return parts if all(parts) and len(parts[0] | parts[1]) == 4 else None
