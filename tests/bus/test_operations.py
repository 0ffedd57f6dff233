"""Operations: broker unreachable at start, graceful SIGTERM, /healthz + /metrics, JSON logs,
environment overrides."""

from __future__ import annotations

import io
import json
import logging
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml
from kafka.errors import KafkaTimeoutError

from bus import client, logs, metrics
from bus.config import KafkaConfig
from bus.tansu import free_port
from tests.bus.harness import (
    committed,
    make_config,
    post_line,
    produce,
    read_topic,
    start,
    stop,
    wait_for,
)
from tests.bus.test_failures import ROOT, spawn

WEBCARE = Path(sys.executable).parent / "webcare"


def write_config(config, tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config.model_dump(mode="json", exclude={"classify"})))
    return path


@pytest.mark.slow
def test_unreachable_broker_is_one_clear_error_after_backoff(tmp_path):
    config = make_config("127.0.0.1:1", str(tmp_path / "s.sqlite"), connect_attempts=3,
                         bootstrap_timeout_ms=300, backoff_initial_s=0.1)
    port = free_port()
    result = subprocess.run(
        [str(WEBCARE), "worker", "--stage", "route", "--config", str(write_config(config, tmp_path)),
         "--bootstrap", f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    logged = [json.loads(line) for line in lines if line.startswith("{")]
    assert logged[0]["msg"] == "worker starting"
    retries = logged[1:]
    assert [r["retry_in_s"] for r in retries] == [0.1, 0.2]
    assert all(r["msg"] == "broker unreachable, retrying" for r in retries)
    assert lines[-1].startswith(f"Error: Kafka broker unreachable at 127.0.0.1:{port}")
    assert "3 attempt(s)" in lines[-1]


def test_retry_backs_off_then_connects():
    config = KafkaConfig(backoff_initial_s=0.5, backoff_max_s=1.5)
    calls, sleeps = [], []

    def build():
        calls.append(1)
        if len(calls) < 4:
            raise KafkaTimeoutError("Unable to bootstrap")
        return "connected"

    assert client.with_retry(config, "test", build, sleep=sleeps.append) == "connected"
    assert sleeps == [0.5, 1.0, 1.5]


def test_sigterm_finishes_the_batch_commits_and_leaves(broker, tmp_path):
    n = 1500
    config = make_config(broker, str(tmp_path / "s.sqlite"), max_poll_records=50)
    client.create_topics(config.kafka)
    produce(config, [post_line(i) for i in range(n)])
    worker = spawn(config, "classify", tmp_path, delay_ms=2)
    try:
        wait_for(lambda: len(read_topic(config, "classified", 200, timeout=1)) >= 200,
                 timeout=60, every=0.5, what="first classified posts")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
    finally:
        worker.kill()
    stderr = worker.stderr.read()
    assert "Traceback" not in stderr and '"msg":"worker stopped"' in stderr
    produced = len(read_topic(config, "classified", n, timeout=3))
    assert 200 <= produced < n
    assert committed(config, "classify") == produced  # nothing produced past the commit


def test_sigterm_while_the_worker_starts_ends_it_cleanly(broker, tmp_path):
    """A stop asked for while the models load (a pod terminated during start) exits 0, with
    no traceback, instead of dying of the signal."""
    config = make_config(broker, str(tmp_path / "s.sqlite"), real=True)
    client.create_topics(config.kafka)
    worker = spawn(config, "classify", tmp_path, real=True)
    try:
        first = worker.stderr.readline()
        assert '"msg":"worker starting"' in first
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        worker.kill()
    assert "Traceback" not in worker.stderr.read()


def test_healthz_and_metrics(broker, tmp_path):
    config = make_config(broker, str(tmp_path / "s.sqlite"))
    client.create_topics(config.kafka)
    workers = [start("classify", config), start("route", config)]
    server = metrics.serve(0, workers[0].health, host="127.0.0.1")
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        produce(config, [post_line(i) for i in range(40)])
        wait_for(lambda: workers[1].processed >= 40, timeout=30, what="40 routed")
        health = json.loads(urllib.request.urlopen(f"{base}/healthz").read())
        text = urllib.request.urlopen(f"{base}/metrics").read().decode()
    finally:
        server.shutdown()
        stop(*workers)
    assert health["status"] == "ok"
    for name in ('webcare_consumed_total{stage="classify"}', 'webcare_noise_dropped_total{',
                 "webcare_consumer_lag{", "webcare_stage_latency_seconds_bucket{",
                 'webcare_produced_total{stage="route"'):
        assert name in text
    workers[0].health.state = "failed"
    assert not workers[0].health.ok()


def test_json_logs_carry_fields():
    stream = io.StringIO()
    logs.setup("INFO", stream)
    try:
        logging.getLogger("webcare.test").warning("hello", extra={"fields": {"stage": "sink"}})
    finally:
        logging.getLogger().handlers.clear()
    entry = json.loads(stream.getvalue())
    assert entry["msg"] == "hello" and entry["stage"] == "sink" and entry["level"] == "warning"


def test_environment_overrides_bootstrap(monkeypatch):
    config = KafkaConfig(bootstrap_servers=["file:9092"])
    assert config.servers() == ["file:9092"]
    monkeypatch.setenv("WEBCARE_KAFKA_BOOTSTRAP", "a:1, b:2")
    assert config.servers() == ["a:1", "b:2"]


def test_kafka_section_is_validated(tmp_path):
    from webcare.job.config import ConfigError, load_config

    path = tmp_path / "c.yaml"
    path.write_text("kafka: {topic_prefix: 'bad prefix!', partitons: 3}\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "kafka.topic_prefix" in str(error.value) and "kafka.partitons" in str(error.value)
