"""The consume → handle → produce → (sink flush) → commit loop of one stage worker.

Started by ``webcare worker --stage classify|route|sink`` (one group member per process).
At-least-once: offsets are committed only after every output of the batch is acknowledged by
the broker and, for the sink, after the store flush succeeded, and never past a record the
handler still holds back (the sink's event-time order, :mod:`bus.event_order`): while it
holds records the worker hands it empty polls too, so they are released, stored and
committed on a quiet topic. A failed produce rewinds the batch and retries it after a
backoff; a failed flush is retried with backoff and never committed past. SIGTERM/SIGINT:
finish the batch, commit, leave the group, exit (held records are delivered again).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kafka import OffsetAndMetadata, TopicPartition
from kafka.errors import CommitFailedError, KafkaError

from bus import metrics
from bus.config import KafkaConfig
from bus.stages import Handler, Output

log = logging.getLogger("webcare.worker")


class Worker:
    """One stage's loop; ``stop`` (SIGTERM, see :mod:`ingest.signals`) ends it after the batch.

    A poll waits at most ``poll_timeout_ms`` and ``max_wait_s`` (``pipeline.max_wait``), and
    returns as soon as records are there, so a batch is what arrived within that time."""

    def __init__(self, config: KafkaConfig, handler: Handler, consumer, producer,
                 health: metrics.Health | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 stop: threading.Event | None = None, max_wait_s: float | None = None) -> None:
        self.config, self.handler = config, handler
        self.consumer, self.producer = consumer, producer
        self.health = health or metrics.Health(3 * config.session_timeout_ms / 1000)
        self.stop = stop or threading.Event()
        self.poll_ms = config.poll_timeout_ms if max_wait_s is None else max(
            1, min(config.poll_timeout_ms, int(max_wait_s * 1000)))
        self._sleep = sleep
        self.processed = 0
        self.redelivered = 0  # records of batches rewound or not committed (done again)
        self._holding: set = set()  # partitions with records held at the last commit

    def run(self) -> None:
        """Poll until stopped; every batch is fully safe before its offsets are committed."""
        stage = self.handler.stage
        log.info("worker started", extra={"fields": {"stage": stage,
                                                     "topics": self.handler.topics()}})
        try:
            while not self.stop.is_set():
                batch = self.consumer.poll(timeout_ms=self.poll_ms,
                                           max_records=self.config.max_poll_records)
                self.health.beat()
                if batch or self.handler.holding():
                    self.process(batch)
        finally:
            self.close()

    def process(self, batch: dict) -> None:
        """Handle one polled batch, make its results durable, then commit its offsets."""
        stage, records = self.handler.stage, []
        for part in batch.values():
            records += part
            metrics.CONSUMED.labels(stage).inc(len(part))
        self.handler.retain(self.consumer.assignment())
        holding = self.handler.holding()
        started = time.perf_counter()
        outputs = self.handler.handle_batch(records)  # the whole batch (classify: per stage)
        per_record = (time.perf_counter() - started) / max(1, len(records))
        latency = metrics.STAGE_LATENCY.labels(stage)
        for _ in records:
            latency.observe(per_record)
        if not self._produce(outputs):
            self._rewind(batch)
            return
        if not self._flush_sink():
            self._rewind(batch)
            return
        if not self._commit(self._offsets(batch)):
            self.redelivered += len(records)
        self.processed += len(records) + holding - self.handler.holding()
        self._update_lag()

    def _offsets(self, batch: dict) -> dict:
        """What may be committed: the next offset of every partition in the batch, or whose
        held records were all released since, but never past the first record still held."""
        held, assigned = self.handler.held(), self.consumer.assignment()
        offsets = {tp: part[-1].offset + 1 for tp, part in batch.items() if part}
        for tp in ((self._holding - held.keys()) & assigned) - offsets.keys():
            offsets[tp] = self.consumer.position(tp)  # everything read is handled
        self._holding = set(held)
        return {tp: OffsetAndMetadata(min(offset, held.get(tp, offset)), "", -1)
                for tp, offset in offsets.items()}

    def _produce(self, outputs: list[Output]) -> bool:
        """Send and wait for every ack; False (after logging) when any send failed."""
        futures = [(out.topic, self.producer.send(out.topic, key=out.key, value=out.value,
                                                  headers=out.headers)) for out in outputs]
        self.producer.flush()
        try:
            for topic, future in futures:
                future.get(timeout=self.config.request_timeout_ms / 1000)
                metrics.PRODUCED.labels(self.handler.stage, topic).inc()
        except KafkaError as error:
            self._backoff("produce", error)
            return False
        return True

    def _flush_sink(self) -> bool:
        """Flush the store (sink stage only), retrying with backoff until it works or stop."""
        sink, delay = self.handler.sink, self.config.backoff_initial_s
        while sink is not None:
            try:
                sink.flush()
                self._observe_end_to_end()
                return True
            except Exception as error:  # noqa: BLE001 - transient store errors are retried
                if self.stop.is_set():
                    log.error("stopping with an unflushed batch; it will be redelivered",
                              extra={"fields": {"error": str(error)}})
                    return False
                self._backoff("sink_flush", error, delay)
                delay = min(delay * 2, self.config.backoff_max_s)
        return True

    def _observe_end_to_end(self) -> None:
        now_ms = time.time() * 1000
        for ingested in getattr(self.handler, "latest_ingested", []):
            metrics.END_TO_END.observe(max(0.0, (now_ms - ingested) / 1000))
        if hasattr(self.handler, "latest_ingested"):
            self.handler.latest_ingested.clear()

    def _commit(self, offsets: dict) -> bool:
        if not offsets:
            return True
        try:
            self.consumer.commit(offsets)
            metrics.COMMITS.labels(self.handler.stage).inc()
            return True
        except CommitFailedError as error:  # rebalanced away: the next owner redelivers
            log.warning("commit failed after rebalance; batch will be redelivered",
                        extra={"fields": {"stage": self.handler.stage, "error": str(error)}})
            return False

    def _rewind(self, batch: dict) -> None:
        """Seek back to the first record of the batch so the next poll retries it."""
        self.redelivered += sum(len(records) for records in batch.values())
        for tp, records in batch.items():
            if records and tp in self.consumer.assignment():
                self.consumer.seek(tp, records[0].offset)

    def _backoff(self, what: str, error: Exception, delay: float | None = None) -> None:
        delay = delay or self.config.backoff_initial_s
        metrics.RETRIES.labels(self.handler.stage, what).inc()
        log.warning(f"{what} failed, retrying", extra={"fields": {
            "stage": self.handler.stage, "error": f"{type(error).__name__}: {error}",
            "retry_in_s": delay}})
        self.health.beat("retrying")
        self.stop.wait(delay) if self._sleep is time.sleep else self._sleep(delay)

    def _update_lag(self) -> None:
        for tp in self.consumer.assignment():
            end = self.consumer.highwater(tp)
            if end is not None:
                lag = max(0, end - self.consumer.position(tp))
                metrics.LAG.labels(self.handler.stage, str(tp.partition)).set(lag)

    def close(self) -> None:
        """Flush what is pending, leave the group (a fast rebalance), close the clients."""
        self.health.beat("stopped")
        try:
            self.producer.flush()
            if self.handler.sink is not None:
                self.handler.sink.close()
        except Exception as error:  # noqa: BLE001 - uncommitted work is redelivered
            log.error("close failed", extra={"fields": {"error": f"{type(error).__name__}: "
                                                                  f"{error}"}})
        finally:
            self.consumer.close()
            self.producer.close()
            log.info("worker stopped", extra={"fields": {"stage": self.handler.stage,
                                                         "processed": self.processed}})


__all__ = ["Worker", "TopicPartition"]
