"""End to end on a real broker: ingest → classify → route → sink, every post exactly once."""

from __future__ import annotations

import sqlite3
import time

from bus import client
from sinks.sqlite_store import SqliteStore
from tests.kafka.harness import (expected, make_config, post_line, produce, start, stop,
                                 wait_for)


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
    n = 10_000
    config = make_config(broker, str(tmp_path / "s.sqlite"), max_poll_records=1000)
    client.create_topics(config.kafka)
    workers = [start(stage, config) for stage in ("classify", "route", "sink")]
    try:
        started = time.perf_counter()
        assert produce(config, [post_line(i) for i in range(n)]) == n
        wait_for(lambda: stored(config) >= n, timeout=120, every=0.5, what=f"{n} stored posts")
        elapsed = time.perf_counter() - started
    finally:
        stop(*workers)
    store = SqliteStore(config.store)
    counts = store.counts()
    store.close()
    assert {k: counts[k] for k in ("posts", "queue_open", "incidents")} == expected(n)
    assert counts["dead_letters"] == 0 and counts["noise"] == {"spam": n // 4}
    assert sum(w.processed for w in workers) >= 3 * n
    print(f"\n{n} posts end to end in {elapsed:.1f}s ({n / elapsed:.0f} posts/s)")


def test_run_all_stages_in_one_process(broker, tmp_path):
    """What ``webcare run --bus kafka --replay FILE`` does (with the fake classifier)."""
    from bus.run import run_all
    from tests.kafka.harness import fake_classify

    replay = tmp_path / "posts.jsonl"
    replay.write_text("\n".join(post_line(i) for i in range(300)) + "\n{broken\n")
    config = make_config(broker, str(tmp_path / "s.sqlite"))
    assert run_all(config, str(replay), timeout_s=60, classify=fake_classify) == \
        {"sent": 301, "stored": 301}
    store = SqliteStore(config.store)
    assert store.counts()["posts"] == 300 and store.counts()["dead_letters"] == 1
    store.close()
