"""The embedded default end to end: the shipped demo day through the real pipeline."""

import pytest

from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from webcare.job.assembly import demo_file, run_demo, run_replay
from webcare.job.config import load_config

pytestmark = pytest.mark.pipeline


def test_demo_replay_routes_stores_and_is_idempotent(tmp_path):
    store_path = tmp_path / "demo.sqlite"
    config = load_config().model_copy(update={"store": SqliteStoreConfig(path=str(store_path))})
    lines = [line for line in demo_file().read_text("utf-8").splitlines() if line.strip()]
    stats = run_replay(config, str(demo_file()))
    assert stats.posts == len(lines) and stats.dead_letters == 0
    assert {"drop", "webcare"} <= set(stats.actions)
    assert len(stats.noise) >= 5  # spam, bot, own_post, duplicate, off_topic, empty ...
    store = SqliteStore(SqliteStoreConfig(path=str(store_path)))
    first = (store.counts(), store.trends(), [item.post_id for item in store.queue(500)])
    queue = store.queue(500)
    assert queue == sorted(queue, key=lambda item: (-item.priority, item.created_at))
    assert all(item.reasons for item in queue)
    store.close()
    run_replay(config, str(demo_file()))
    store = SqliteStore(SqliteStoreConfig(path=str(store_path)))
    assert (store.counts(), store.trends(), [i.post_id for i in store.queue(500)]) == first
    store.close()


def test_run_demo_prints_summary_and_queue(tmp_path):
    text = run_demo(str(tmp_path / "var" / "demo.sqlite"))
    assert "noise by reason:" in text and "Top of the webcare queue:" in text
    assert "posts/s" in text
