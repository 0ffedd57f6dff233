"""The ingest worker: the configured sources as producers into ``<prefix>.posts.raw``.

Started by ``webcare worker --stage ingest`` (or ``--replay FILE``). Each raw line is sent
unchanged (the classify worker parses it, so a bad line is a dead letter with its offset),
keyed by conversation/author. A source is checkpointed only after the broker acknowledged
everything up to that position; a failed send is retried after a backoff.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from kafka.errors import KafkaError

from bus import messages, metrics
from bus.config import KafkaConfig
from schemas.protocols import RawRecord, Source

log = logging.getLogger("webcare.ingest")


class Ingestor:
    def __init__(self, config: KafkaConfig, producer, batch_size: int = 500,
                 rate: float = 0.0) -> None:
        self.config, self.producer = config, producer
        # at a fixed rate, send every ~10 ms so batching adds no measurable latency
        self.batch_size = max(1, int(rate // 100)) if rate > 0 else batch_size
        self.rate = rate
        self.stop = threading.Event()
        self.sent = 0

    def run(self, sources: Iterable[Source]) -> int:
        """Drain every source into the raw topic; returns the number of records sent."""
        for source in sources:
            self._drain(source)
            if self.stop.is_set():
                break
        self.producer.flush()
        log.info("ingest finished", extra={"fields": {"sent": self.sent}})
        return self.sent

    def _drain(self, source: Source) -> None:
        batch: list[RawRecord] = []
        started, offered = time.perf_counter(), 0
        for record in source.records():
            batch.append(record)
            offered += 1
            if len(batch) >= self.batch_size:
                self._send(source, batch)
                batch = []
            if self.rate > 0:
                self._pace(started, offered)
            if self.stop.is_set():
                break
        if batch:
            self._send(source, batch)

    def _pace(self, started: float, offered: int) -> None:
        """Hold a fixed offered load (posts/s) for latency measurements."""
        ahead = offered / self.rate - (time.perf_counter() - started)
        if ahead > 0:
            time.sleep(ahead)

    def _send(self, source: Source, batch: list[RawRecord]) -> None:
        """Send a batch and wait for its acks, retrying; then checkpoint the source."""
        delay, topic = self.config.backoff_initial_s, self.config.topic("raw")
        while True:
            futures = [self.producer.send(topic, key=messages.raw_key(r.payload),
                                          value=r.payload.encode("utf-8")) for r in batch]
            self.producer.flush()
            try:
                for future in futures:
                    future.get(timeout=self.config.request_timeout_ms / 1000)
                break
            except KafkaError as error:
                metrics.RETRIES.labels("ingest", "produce").inc()
                log.warning("produce failed, resending batch", extra={"fields": {
                    "error": f"{type(error).__name__}: {error}", "retry_in_s": delay}})
                if self.stop.wait(delay):
                    return
                delay = min(delay * 2, self.config.backoff_max_s)
        metrics.PRODUCED.labels("ingest", topic).inc(len(batch))
        self.sent += len(batch)
        source.checkpoint(batch[-1].position)
