"""Kafka mode runs every configured source concurrently, live ones too: a webhook that stays
open does not hold back a replay file, every record reaches the raw topic (and the store)
while the webhook still listens, and SIGTERM ends the run cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

import yaml

from bus import client
from bus.messages import header_map
from bus.stages import INGESTED
from bus.tansu import free_port
from ingest.config import ReplayConfig, WebhookConfig
from sinks.store.sqlite import SqliteStore
from tests.bus.harness import fake_classify, make_config, post_line, read_topic, wait_for
from tests.bus.test_failures import ROOT
from tests.bus.test_operations import WEBCARE
from tests.job.test_live_run import post_lines


def live_config(broker: str, tmp_path: Path, port: int, replayed: list[str]):
    """A webhook on ``port`` (listed first: it never ends) and a replay file of ``replayed``."""
    (tmp_path / "posts.jsonl").write_text("\n".join(replayed) + "\n")
    sources = [WebhookConfig(port=port, state_path=str(tmp_path / "state.sqlite")),
               ReplayConfig(path=str(tmp_path / "posts.jsonl"))]
    return make_config(broker, str(tmp_path / "s.sqlite")).model_copy(
        update={"sources": sources})


def webhook_lines() -> list[str]:
    return [post_line(n, f"my internet is down, webhook post {n}") for n in range(100, 103)]


def test_ingest_worker_runs_a_live_and_a_replay_source_concurrently(broker, tmp_path):
    port, replayed = free_port(), [post_line(n) for n in range(20)]
    config = live_config(broker, tmp_path, port, replayed)
    client.create_topics(config.kafka)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config.model_dump(mode="json", exclude={"classify"})))
    worker = subprocess.Popen([str(WEBCARE), "worker", "--stage", "ingest", "--config", str(path)],
                              cwd=ROOT, env={**os.environ, "WEBCARE_WEBHOOK_TOKEN": "secret"},
                              stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: post_lines(port, webhook_lines()), timeout=120, what="the webhook")
        found = wait_for(lambda: _all(config, 23), timeout=120, what="23 raw records")
        assert worker.poll() is None  # still listening: nothing waited for the webhook to end
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=120) == 0
    finally:
        worker.kill()
    stderr = worker.stderr.read()
    assert "Traceback" not in stderr and '"msg":"ingest finished"' in stderr
    assert {record.value.decode() for record in found} >= set(replayed)
    assert all(INGESTED in header_map(record.headers) for record in found)


def _all(config, count: int) -> list:
    found = read_topic(config, "raw", count, timeout=1)
    return found if len(found) >= count else []


def test_run_on_kafka_without_replay_runs_the_sources_until_sigterm(broker, tmp_path,
                                                                   monkeypatch):
    """What ``webcare run --bus kafka`` does without ``--replay`` (fake classifier)."""
    from webcare.job.kafka import run_all

    monkeypatch.setenv("WEBCARE_WEBHOOK_TOKEN", "secret")
    port = free_port()
    config = live_config(broker, tmp_path, port, [post_line(n) for n in range(20)])

    def feed_then_stop() -> None:
        try:
            wait_for(lambda: post_lines(port, webhook_lines()), timeout=120, what="the webhook")
            wait_for(lambda: _stored(config) >= 23, timeout=120, what="23 posts stored")
        finally:  # run_all has the handler in the main thread
            os.kill(os.getpid(), signal.SIGTERM)

    feeder = threading.Thread(target=feed_then_stop, daemon=True)
    feeder.start()
    assert run_all(config, None, timeout_s=60, classify=fake_classify) == \
        {"sent": 23, "stored": 23}
    feeder.join(timeout=10)


def _stored(config) -> int:
    store = SqliteStore(config.store)
    try:
        return store.counts()["posts"]
    finally:
        store.close()
