"""``webcare run`` (embedded) on sources that stay open, as a real process: posts are stored
without a full batch, SIGTERM stores what was read and exits 0, /healthz and /metrics."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import struct
import subprocess
import sys
import termios
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from bus.tansu import free_port
from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from tests.bus.harness import real_lines
from webcare.job.config import ConfigError, default_config_path, load_config

pytestmark = pytest.mark.integration

WEBCARE = Path(sys.executable).parent / "webcare"
PATIENCE_S = 120.0  # model loading on a loaded 2-core machine; a wait, never a threshold


def write_config(tmp_path: Path, sources: list[dict], **pipeline) -> Path:
    config = yaml.safe_load(default_config_path().read_text("utf-8"))
    config["store"] = {"type": "sqlite", "path": str(tmp_path / "store.sqlite")}
    config["sources"] = sources
    config["pipeline"] = {**config["pipeline"], **pipeline}
    path = tmp_path / "webcare.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def spawn(config: Path, *extra: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([str(WEBCARE), "run", "--config", str(config), *extra],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, **(env or {})})


def stored(tmp_path: Path) -> int:
    path = tmp_path / "store.sqlite"
    if not path.exists():
        return 0
    store = SqliteStore(SqliteStoreConfig(path=str(path)))
    try:
        return store.counts()["posts"]
    finally:
        store.close()


def wait_for(predicate, process: subprocess.Popen, what: str):
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        assert process.poll() is None, f"webcare run ended early: {process.stderr.read()}"
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def unread(pipe) -> int:
    """Bytes written to the child's stdin that it has not read yet (Linux FIONREAD)."""
    return struct.unpack("i", fcntl.ioctl(pipe.fileno(), termios.FIONREAD, b"\0" * 4))[0]


def terminate(process: subprocess.Popen) -> tuple[int, str, str]:
    process.send_signal(signal.SIGTERM)
    try:
        out, err = process.communicate(timeout=PATIENCE_S)
    finally:
        process.kill()
    return process.returncode, out.decode(), err.decode()


def test_max_wait_and_metrics_port_are_validated(tmp_path):
    for bad in ("{max_wait: 0}", "{max_wait: 61}", "{metrics_port: 70000}"):
        path = tmp_path / "bad.yaml"
        path.write_text(f"pipeline: {bad}\n")
        with pytest.raises(ConfigError, match=r"pipeline\.(max_wait|metrics_port)"):
            load_config(path)


def test_posts_of_an_open_source_are_stored_without_a_full_batch_then_sigterm(tmp_path):
    config = write_config(tmp_path, [{"type": "replay", "path": "-"}])  # batch_size 256
    process = spawn(config)
    try:
        process.stdin.write("".join(f"{line}\n" for line in real_lines(3)).encode())
        process.stdin.flush()  # and left open: the source blocks like a live one
        wait_for(lambda: stored(tmp_path) == 3, process, "3 posts in the store")
        code, out, err = terminate(process)
    finally:
        process.kill()
    assert code == 0, err
    assert "Traceback" not in err and "posts: 3  dead letters: 0" in out


def test_sigterm_stores_the_records_already_read_of_a_partial_batch(tmp_path):
    """A long max_wait: the batch is not due when SIGTERM comes; what was read is stored."""
    config = write_config(tmp_path, [{"type": "replay", "path": "-"}], max_wait=60)
    process = spawn(config)
    try:
        process.stdin.write("".join(f"{line}\n" for line in real_lines(4)).encode())
        process.stdin.flush()
        wait_for(lambda: unread(process.stdin) == 0, process, "the child to read its input")
        code, out, err = terminate(process)
    finally:
        process.kill()
    assert code == 0, err
    assert "posts: 4  dead letters: 0" in out and stored(tmp_path) == 4


def test_webhook_posts_are_stored_while_it_listens_and_health_is_served(tmp_path):
    port, metrics_port = free_port(), free_port()
    config = write_config(tmp_path, [{"type": "webhook", "port": port,
                                      "state_path": str(tmp_path / "state.sqlite")}])
    process = spawn(config, "--metrics-port", str(metrics_port),
                    env={"WEBCARE_WEBHOOK_TOKEN": "secret"})
    try:
        wait_for(lambda: post_lines(port, real_lines(3)), process, "the webhook to accept")
        wait_for(lambda: stored(tmp_path) == 3, process, "3 webhook posts in the store")
        health = json.loads(_get(metrics_port, "/healthz"))
        metrics = _get(metrics_port, "/metrics")
        code, out, err = terminate(process)
    finally:
        process.kill()
    assert health["status"] == "ok" and "webcare_ingest_to_store_seconds_count 3.0" in metrics
    assert code == 0, err
    assert "posts: 3" in out


def post_lines(port: int, lines: list[str]) -> bool:
    """POST JSON lines to a webhook source (token ``secret``); False while it is not up."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhook", data="\n".join(lines).encode(), method="POST",
        headers={"Authorization": "Bearer secret", "Content-Type": "application/x-ndjson"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status == 200
    except OSError:
        return False  # not listening yet


def _get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
        return answer.read().decode()
