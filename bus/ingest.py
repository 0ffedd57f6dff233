"""The ingest worker: the configured sources as producers into ``<prefix>.posts.raw``.

Started by ``webcare worker --stage ingest`` (or ``--replay FILE``) and ``webcare run --bus
kafka``. Every source (replay files and live sources alike) is read concurrently by
:class:`ingest.batches.MultiSource`; a batch is sent at ``pipeline.batch_size`` records or
``pipeline.max_wait`` seconds after its first record was read. Each raw line is sent unchanged
(the classify worker parses it, so a bad line is a dead letter with its offset), keyed by
conversation/author, with the time it was read in the ``ingested_ms`` header (the start of
the ingest→store latency). A source is checkpointed only after the broker acknowledged
(``acks=all``) everything up to that position; a failed send is retried after a backoff.
A stop (SIGTERM) closes the sources, sends what was read, checkpoints and ends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator

from kafka.errors import KafkaError

from bus import messages, metrics
from bus.config import KafkaConfig
from bus.stages import INGESTED
from ingest.batches import Batch, MultiSource
from schemas.protocols import RawRecord, Source

log = logging.getLogger("webcare.ingest")


class Ingestor:
    """Runs once per ingest worker; ``stop`` (set by SIGTERM) ends it cleanly."""

    def __init__(self, config: KafkaConfig, producer, batch_size: int = 500,
                 rate: float = 0.0, max_wait: float = 0.2,
                 stop: threading.Event | None = None,
                 health: metrics.Health | None = None) -> None:
        self.config, self.producer = config, producer
        self.batch_size, self.max_wait, self.rate = batch_size, max_wait, rate
        self.stop = stop or threading.Event()
        self.health = health or metrics.Health(3 * config.request_timeout_ms / 1000)
        self.sent = 0

    def run(self, sources: Iterable[Source]) -> int:
        """Read every source until all ended or stop; returns the number of records sent."""
        merged = MultiSource([Paced(source, self.rate) if self.rate > 0 else source
                              for source in sources])
        for batch in merged.batches(self.batch_size, self.max_wait, self.stop):
            self.health.beat()
            if batch.records:
                self._send(merged, batch)
        self.producer.flush()
        self.health.beat("stopped")
        log.info("ingest finished", extra={"fields": {"sent": self.sent}})
        return self.sent

    def _send(self, source: MultiSource, batch: Batch) -> None:
        """Send a batch and wait for its acks, retrying; then checkpoint the sources. A stop
        during the retries leaves the batch unsent and unchecked (it is read again later)."""
        delay, topic = self.config.backoff_initial_s, self.config.topic("raw")
        while True:
            futures = [self.producer.send(topic, key=messages.raw_key(record.payload),
                                          value=record.payload.encode("utf-8"),
                                          headers=[(INGESTED, str(int(read_at * 1000)).encode())])
                       for record, read_at in zip(batch.records, batch.read_at)]
            self.producer.flush()
            try:
                for future in futures:
                    future.get(timeout=self.config.request_timeout_ms / 1000)
                break
            except KafkaError as error:
                metrics.RETRIES.labels("ingest", "produce").inc()
                self.health.beat("retrying")
                log.warning("produce failed, resending batch", extra={"fields": {
                    "error": f"{type(error).__name__}: {error}", "retry_in_s": delay}})
                if self.stop.wait(delay):
                    return
                delay = min(delay * 2, self.config.backoff_max_s)
        metrics.PRODUCED.labels("ingest", topic).inc(len(batch.records))
        self.sent += len(batch.records)
        source.checkpoint(batch.records[-1].position)


class Paced:
    """A source held at ``rate`` records/s (``--rate``: a fixed offered load for latency
    measurements); checkpoints go to the wrapped source."""

    def __init__(self, source: Source, rate: float) -> None:
        self.source, self.rate, self.name = source, rate, source.name

    def records(self) -> Iterator[RawRecord]:
        started = time.perf_counter()
        for offered, record in enumerate(self.source.records(), start=1):
            ahead = offered / self.rate - (time.perf_counter() - started)
            if ahead > 0:
                time.sleep(ahead)
            yield record

    def checkpoint(self, position: int) -> None:
        self.source.checkpoint(position)

    def close(self) -> None:
        getattr(self.source, "close", lambda: None)()
