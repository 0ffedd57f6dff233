"""``/healthz`` and ``/metrics`` of ``webcare run`` (embedded), as a Kafka worker serves them.

:func:`monitor` is entered once per run with ``pipeline.metrics_port`` (or the
``--metrics-port`` / ``$WEBCARE_METRICS_PORT`` override); the runner calls what it yields after
every batch, the empty heartbeat batch of every ``max_wait`` included. ``/healthz`` answers 503
once the runner loop has not come round for :data:`MAX_SILENCE_S`; ``/metrics`` carries the
process's metrics, ``webcare_ingest_to_store_seconds`` (read from the source → flushed) too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ingest.batches import Batch
from schemas.errors import WebcareError

MAX_SILENCE_S = 60.0  # one batch (classify, route, flush, ticket delivery) longer: stuck


class MetricsUnavailable(WebcareError, RuntimeError):
    """The metrics port cannot be bound (in use, or not allowed); the run does not start."""


@contextmanager
def monitor(port: int | None) -> Iterator[Callable[[Batch], None] | None]:
    """Serve the endpoint on ``port`` (None: nothing) while the block runs; yield the per-batch
    callback that beats the health and observes ingest→store latency."""
    if port is None:
        yield None
        return
    from bus import metrics

    health = metrics.Health(MAX_SILENCE_S)
    try:
        server = metrics.serve(port, health)
    except OSError as error:
        raise MetricsUnavailable(f"cannot serve /healthz and /metrics on port {port}: "
                                 f"{error.strerror or error}") from None

    def on_batch(batch: Batch) -> None:
        health.beat()
        now = time.time()
        for read_at in batch.read_at:
            metrics.END_TO_END.observe(max(0.0, now - read_at))

    try:
        yield on_batch
    finally:
        server.shutdown()
        server.server_close()
