"""End to end on a real broker: ingest → classify → route → sink, every post exactly once."""

from __future__ import annotations

import sqlite3
import time

from bus import client
from bus.messages import ClassifiedPost
from sinks.store.records import QUEUED_ACTIONS
from sinks.store.sqlite import SqliteStore
from tests.bus.harness import make_config, post_line, produce, real_lines, start, stop, wait_for


def stored(config) -> int:
    try:
        with sqlite3.connect(config.store.path) as db:
            return db.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_topics_create_is_idempotent(broker, tmp_path):
    config = make_config(broker, str(tmp_path / "s.sqlite"))
    first = client.create_topics(config.kafka)
    assert set(first.values()) == {"created"} and len(first) == 4
    assert set(client.create_topics(config.kafka).values()) == {"exists"}
    prefix = config.kafka.topic_prefix
    assert set(first) == {f"{prefix}.posts.raw", f"{prefix}.posts.classified",
                          f"{prefix}.decisions", f"{prefix}.dlq"}


def test_ten_thousand_posts_exactly_once(broker, tmp_path):
    """10,000 realistic posts through the real Classifier, the shipped route rules, the
    incident correlator and the SQLite store: every post stored exactly once."""
    n = 10_000
    lines = real_lines(n)
    config = make_config(broker, str(tmp_path / "s.sqlite"), real=True, max_poll_records=1000)
    client.create_topics(config.kafka)
    workers = [start(stage, config, classify=None) for stage in ("classify", "route", "sink")]
    try:
        started = time.perf_counter()
        assert produce(config, lines) == n
        wait_for(lambda: stored(config) >= n, timeout=180, every=0.5, what=f"{n} stored posts")
        elapsed = time.perf_counter() - started
    finally:
        stop(*workers)
    with sqlite3.connect(config.store.path) as db:
        ids = [row[0] for row in db.execute("SELECT post_id FROM posts")]
        queued = db.execute("SELECT COUNT(*) FROM posts WHERE action IN (%s)" % ",".join(
            "?" * len(QUEUED_ACTIONS)), sorted(QUEUED_ACTIONS)).fetchone()[0]
        queue_items = db.execute("SELECT COUNT(*) FROM queue_items").fetchone()[0]
        dead = db.execute("SELECT COUNT(*) FROM dead_letters").fetchone()[0]
    assert len(ids) == n and set(ids) == {f"r-{i}" for i in range(n)}
    assert dead == 0 and queue_items == queued > 0
    assert all(w.processed >= n for w in workers)
    retried = sum(w.redelivered for w in workers)
    print(f"\n{n} posts end to end in {elapsed:.1f}s ({n / elapsed:.0f} posts/s), "
          f"{retried} records redelivered")


def test_classify_worker_gives_the_in_process_results(broker, tmp_path):
    """On one partition the worker sees the posts in file order, so Classifier.classify_batch
    over each polled batch must give exactly what the in-process runner computes."""
    from classify.pipeline import Classifier
    from schemas import Post
    from tests.bus.harness import read_topic

    lines = real_lines(1500)
    config = make_config(broker, str(tmp_path / "s.sqlite"), partitions=1, real=True,
                         max_poll_records=300)
    client.create_topics(config.kafka)
    produce(config, lines)
    worker = start("classify", config, classify=None)
    try:
        wait_for(lambda: worker.processed >= len(lines), timeout=120, what="all classified")
    finally:
        stop(worker)
    got = {}
    for record in read_topic(config, "classified", len(lines)):
        item = ClassifiedPost.model_validate_json(record.value)
        got[item.post.id] = item.classification
    posts = [Post.model_validate_json(line) for line in lines]
    want = Classifier(config.classify).classify_many(posts)
    assert len(got) == len(posts)
    assert [got[post.id] for post in posts] == want


def test_run_all_stages_in_one_process(broker, tmp_path):
    """What ``webcare run --bus kafka --replay FILE`` does (with the fake classifier)."""
    from tests.bus.harness import fake_classify
    from webcare.job.kafka import run_all

    replay = tmp_path / "posts.jsonl"
    replay.write_text("\n".join(post_line(i) for i in range(300)) + "\n{broken\n")
    config = make_config(broker, str(tmp_path / "s.sqlite"))
    assert run_all(config, str(replay), timeout_s=60, classify=fake_classify) == \
        {"sent": 301, "stored": 301}
    store = SqliteStore(config.store)
    assert store.counts()["posts"] == 300 and store.counts()["dead_letters"] == 1
    store.close()
