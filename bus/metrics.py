"""Prometheus metrics and the ``/healthz`` + ``/metrics`` HTTP endpoint of a worker.

The metrics are module-level (one registry per process); a worker updates them per batch.
:func:`serve` is called once at worker start when a metrics port is configured; a port already
in use fails the start (the error names the port).
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

CONSUMED = Counter("webcare_consumed_total", "Kafka records consumed", ["stage"])
PRODUCED = Counter("webcare_produced_total", "Kafka records produced and acked",
                   ["stage", "topic"])
DEAD_LETTERS = Counter("webcare_dead_letters_total", "Messages sent to the DLQ",
                       ["stage", "error_type"])
NOISE_DROPPED = Counter("webcare_noise_dropped_total", "Noise posts dropped, by reason",
                        ["reason"])
LAG = Gauge("webcare_consumer_lag", "Records behind the partition end", ["stage", "partition"])
STAGE_LATENCY = Histogram("webcare_stage_latency_seconds", "Handling time per record",
                          ["stage"], buckets=(1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5, 1))
END_TO_END = Histogram("webcare_ingest_to_store_seconds", "Ingest to durable store write",
                       buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
COMMITS = Counter("webcare_commits_total", "Offset commits after safe output", ["stage"])
RETRIES = Counter("webcare_retries_total", "Produce or sink flush retries", ["stage", "what"])


class Health:
    """Liveness of the poll loop: healthy while it polled within ``max_silence_s``."""

    def __init__(self, max_silence_s: float) -> None:
        self.max_silence_s = max_silence_s
        self.last_beat = time.monotonic()
        self.state = "starting"

    def beat(self, state: str = "running") -> None:
        self.last_beat, self.state = time.monotonic(), state

    def ok(self) -> bool:
        return self.state != "failed" and time.monotonic() - self.last_beat < self.max_silence_s


def serve(port: int, health: Health, host: str = "0.0.0.0") -> ThreadingHTTPServer:
    """Start the endpoint in a daemon thread; returns the server (``server_port`` if port 0)."""

    class Endpoint(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            if self.path == "/healthz":
                ok = health.ok()
                body = f'{{"status": "{"ok" if ok else "unhealthy"}", "state": "{health.state}"}}'
                self._send(200 if ok else 503, body.encode(), "application/json")
            elif self.path == "/metrics":
                self._send(200, generate_latest(), CONTENT_TYPE_LATEST)
            else:
                self._send(404, b"not found\n", "text/plain")

        def _send(self, code: int, body: bytes, kind: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # scrapes are not log lines
            pass

    server = ThreadingHTTPServer((host, port), Endpoint)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
