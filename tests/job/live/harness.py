"""Real processes for the live path: ``webcare run`` with a webhook source on 127.0.0.1, a
sender that retries like real platforms do, and readers of what reached the store.

Used by ``tests/live`` (kill -9 chaos, SIGTERM) and ``benchmarks/live_latency.py``.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

from webcare.job.config import default_config_path

TOKEN = "live-test-token"
WEBCARE = str(Path(sys.executable).parent / "webcare")
OPENERS = ["@LumenCare", "Hey @LumenCare,", "Lumen,", "@LumenCare help:", "Dear Lumen Telecom,",
           "@LumenTelecom", "Seriously Lumen?", "Hi Lumen support,", "@LumenCare urgent:",
           "Lumen Telecom again..."]
PROBLEMS = ["my internet has been down", "the wifi drops every few minutes", "no mobile data at all",
            "the TV box keeps buffering", "I cannot log in to the app", "my invoice is charged twice",
            "the router blinks red", "calls fail on my phone", "the fibre connection is dead",
            "password reset mails never arrive", "speed is stuck at 2 Mbps", "the eSIM will not activate"]
PLACES = ["in Utrecht", "in Rotterdam-Zuid", "on Kerkstraat", "near the station", "in Tampere",
          "in Almere Haven", "at my office", "in Zwolle", "in the whole street", "in Espoo",
          "at my parents' house", "in Groningen centrum", "since we moved", "in Haarlem",
          "in block C of our flat"]
WHENS = ["since this morning", "for three days", "since 14:00", "all weekend", "since the update",
         "every evening", "since last night's storm", "for a week now", "since Tuesday",
         "after your maintenance"]
ASKS = ["what is going on?", "when will it be fixed?", "is there an outage?", "please call me back",
        "I work from home, this is costing me", "nobody answers the phone", "refund please",
        "any ETA?"]


def post_text(n: int) -> str:
    """A realistic complaint, varied enough that the near-duplicate filter keeps it."""
    pick = [OPENERS, PROBLEMS, PLACES, WHENS, ASKS]
    parts, rest = [], n
    for pool in pick:
        parts.append(pool[rest % len(pool)])
        rest = rest // len(pool) + n * 7919  # mixes the choices so neighbours differ
    return " ".join(parts)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post_json(n: int, prefix: str = "live") -> bytes:
    """One realistic post for the webhook (distinct id, author and wording per ``n``)."""
    return json.dumps({
        "id": f"{prefix}-{n}", "platform": "webhook", "text": post_text(n),
        "created_at": datetime.now(timezone.utc).isoformat(),
        "author": {"handle": f"customer{n % 997}"}}).encode()


def write_config(directory: Path, port: int, kafka: dict | None = None, **pipeline) -> Path:
    """The shipped default config plus one webhook source and a store in ``directory``
    (and a ``kafka`` section when given)."""
    config = yaml.safe_load(default_config_path().read_text("utf-8"))
    config["store"] = {"type": "sqlite", "path": str(directory / "store.sqlite")}
    config["sources"] = [{"type": "webhook", "host": "127.0.0.1", "port": port,
                          "state_path": str(directory / "state.sqlite"),
                          "token_env": "LIVE_TEST_TOKEN"}]
    config["pipeline"] = {**config.get("pipeline", {}), **pipeline}
    if kafka:
        config["kafka"] = kafka
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return path


def start_run(config: Path, log: Path | None = None, command: tuple[str, ...] = ("run",)
              ) -> subprocess.Popen:
    """``webcare run --config`` (or another ``command``, e.g. ``("worker", "--stage",
    "sink")``) as a real process in its own session, so signals reach it only."""
    env = {**os.environ, "LIVE_TEST_TOKEN": TOKEN}
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen([WEBCARE, *command, "--config", str(config)], env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        if log:
            out.close()  # the child keeps its own copy


def kafka_section(broker: str, prefix: str, partitions: int = 2) -> dict:
    """The ``kafka:`` keys of a test or benchmark config against a Tansu broker."""
    return {"bootstrap_servers": [broker], "topic_prefix": prefix,
            "topics": {"partitions": partitions}, "session_timeout_ms": 6000,
            "poll_timeout_ms": 100, "linger_ms": 2, "backoff_initial_s": 0.1,
            "backoff_max_s": 1.0}


def wait_listening(port: int, proc: subprocess.Popen | None = None, timeout: float = 120) -> bool:
    """True once 127.0.0.1:port accepts connections; False when ``proc`` ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on {port} within {timeout} s")


def wait_released(port: int, timeout: float = 30) -> None:
    """Until nothing listens on 127.0.0.1:port (a killed pipeline's receiver has let go)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            return
        time.sleep(0.05)
    raise TimeoutError(f"port {port} still taken after {timeout} s")


def stop(proc: subprocess.Popen, timeout: float = 60) -> int:
    """SIGTERM and wait; the exit code."""
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout)


@dataclass
class Sender:
    """Posts bodies to the webhook from ``threads`` keep-alive connections, each retried until
    answered 2xx (connection refused/reset, 5xx: back off and resend), optionally paced at
    ``rate`` posts/s in all. ``acked`` holds (body index, monotonic and wall time of the 2xx)."""

    port: int
    bodies: list[bytes]
    threads: int = 4
    rate: float = 0.0
    path: str = "/webhook"
    acked: dict[int, tuple[float, float]] = field(default_factory=dict)
    retries: int = 0
    refused: Counter = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        self._started = 0.0

    def start(self) -> "Sender":
        self._started = time.monotonic()
        for k in range(self.threads):
            worker = threading.Thread(target=self._send_share, args=(k,), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    @property
    def done(self) -> bool:
        return not any(worker.is_alive() for worker in self._workers)

    def join(self, timeout: float | None = None) -> None:
        for worker in self._workers:
            worker.join(timeout)

    def _send_share(self, k: int) -> None:
        connection = None
        for index in range(k, len(self.bodies), self.threads):
            if self.rate > 0:
                ahead = self._started + index / self.rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            while True:
                try:
                    connection = connection or http.client.HTTPConnection(
                        "127.0.0.1", self.port, timeout=30)
                    status = self._post(connection, self.bodies[index])
                except (OSError, http.client.HTTPException):
                    connection = self._retry(connection, "connection")
                    continue
                if 200 <= status < 300:
                    with self._lock:
                        self.acked[index] = (time.monotonic(), time.time())
                    break
                connection = self._retry(connection, str(status))

    def _post(self, connection: http.client.HTTPConnection, body: bytes) -> int:
        connection.request("POST", self.path, body, {
            "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status

    def _retry(self, connection, why: str):
        with self._lock:
            self.retries += 1
            self.refused[why] += 1
        if connection is not None:
            connection.close()
        time.sleep(0.05)
        return None


def stored(store: Path, table: str = "posts") -> Counter:
    """How often each post id is in ``table`` of the SQLite store."""
    if not store.exists():
        return Counter()
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=30) as db:
        return Counter(row[0] for row in db.execute(f"SELECT post_id FROM {table}"))


def stored_at(store: Path) -> dict[str, float]:
    """Each stored post's ``stored_at`` as a Unix time."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=30) as db:
        rows = db.execute("SELECT post_id, stored_at FROM posts").fetchall()
    return {post_id: datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc).timestamp() for post_id, at in rows}


def intake_left(state: Path) -> int:
    """Accepted entries not yet finished (the push intake of the state file)."""
    with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=30) as db:
        return db.execute("SELECT COUNT(*) FROM intake").fetchone()[0]


def wait_until(predicate, timeout: float, every: float = 0.2, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout} s")
        time.sleep(every)
