"""Time-bounded batches from sources whose ``records()`` may block for ever.

A live source (a stream, a webhook receiver) waits inside ``records()`` until its next post
arrives, so whoever reads it directly can act only when the next post comes. :class:`MultiSource`
reads each source in its own daemon thread into one bounded queue (backpressure) and hands the
records out as :class:`Batch`es: when ``size`` records arrived or ``max_wait`` seconds after
the first of them was read, whichever comes first. The in-process runner
(:meth:`webcare.job.runner.Pipeline.run`) and the Kafka ingest worker (:class:`bus.ingest.Ingestor`)
both consume it; ``checkpoint`` fans a merged position back out to each source's own position.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from schemas.errors import AuthFailed
from schemas.protocols import RawRecord, Source

log = logging.getLogger("webcare.ingest")
WAKE_S = 0.1  # the longest a waiting consumer goes without looking at its stop event
_END = object()


@dataclass
class Batch:
    """Records in the order they were read, with when each was read (``time.time()``).

    Empty when ``max_wait`` passed without a record: the consumer's heartbeat."""

    records: list[RawRecord] = field(default_factory=list)
    read_at: list[float] = field(default_factory=list)


class MultiSource:
    """Merges sources read in their own threads; bounded queue = backpressure.

    With several sources, positions are renumbered from 1 in arrival order; a single source
    keeps its own positions (a replay's line numbers name its dead letters). A source that
    fails stops alone; its error is re-raised when the batches end (:class:`AuthFailed` first),
    so the run still ends loudly."""

    def __init__(self, sources: Sequence[Source], buffer: int = 1000) -> None:
        self.sources = list(sources)
        self.name = "+".join(source.name for source in self.sources)
        self._queue: queue.Queue = queue.Queue(maxsize=buffer)
        self._map: deque[tuple[int, int, int]] = deque()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._running = 0
        self._position = 0
        self._failures: list[BaseException] = []

    def batches(self, size: int, max_wait: float,
                stop: threading.Event | None = None) -> Iterator[Batch]:
        """Yield a batch at ``size`` records or ``max_wait`` s after its first record was read;
        an empty one after ``max_wait`` s without records. Ends when every source ended, or
        soon after ``stop`` is set: then the sources are closed (push receivers stop accepting)
        and the records already read are handed out before the end."""
        stop = stop or threading.Event()
        self._start()
        try:
            while self._running and not stop.is_set():
                yield self._collect(size, max_wait, stop)
            self.close()
            yield from self._drain(size)
        finally:
            self.close()
        if self._failures:
            raise next((f for f in self._failures if isinstance(f, AuthFailed)),
                       self._failures[0])

    def checkpoint(self, position: int) -> None:
        """Called after the batch up to ``position`` is safe (flushed, or acked by the broker):
        checkpoint each source at its last record at or before ``position``."""
        latest: dict[int, int] = {}
        with self._lock:
            while self._map and self._map[0][0] <= position:
                _, index, own = self._map.popleft()
                latest[index] = own
        for index, own in latest.items():
            self.sources[index].checkpoint(own)

    def close(self) -> None:
        """Stop reading and close every source that can be closed (once; also at the end)."""
        if self._closed.is_set():
            return
        self._closed.set()
        for source in self.sources:
            getattr(source, "close", lambda: None)()

    def _start(self) -> None:
        self._running = len(self.sources)
        for index, source in enumerate(self.sources):
            threading.Thread(target=self._pump, args=(index, source), daemon=True,
                             name=f"source-{source.name}").start()

    def _pump(self, index: int, source: Source) -> None:
        """One source's thread: its records, then an end marker or its error, into the queue."""
        try:
            for record in source.records():
                if not self._put((index, record, time.monotonic(), time.time())):
                    return  # closed: an unread record is not checkpointed, so read again later
            self._put((index, _END))
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            self._put((index, error))

    def _put(self, item: tuple) -> bool:
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=WAKE_S)
                return True
            except queue.Full:
                continue
        return False

    def _collect(self, size: int, max_wait: float, stop: threading.Event) -> Batch:
        batch, deadline = Batch(), time.monotonic() + max_wait
        while len(batch.records) < size and self._running and not stop.is_set():
            left = deadline - time.monotonic()
            item = self._next(min(max(left, 0.0), WAKE_S))  # past the deadline: only what waits
            if item is None:
                if left <= 0:
                    break
                continue
            if not batch.records:
                deadline = item[2] + max_wait
            self._add(batch, item)
        return batch

    def _drain(self, size: int) -> Iterator[Batch]:
        """After a stop: the records the threads had already read, in batches of ``size``."""
        batch = Batch()
        while not self._queue.empty():
            item = self._next(0)
            if item is not None:
                self._add(batch, item)
            if len(batch.records) >= size:
                yield batch
                batch = Batch()
        if batch.records:
            yield batch

    def _next(self, timeout: float) -> tuple | None:
        """The next record item; None after ``timeout`` or for a source's end (or error)."""
        try:
            item = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return None
        index, payload = item[0], item[1]
        if payload is _END or isinstance(payload, BaseException):
            self._running -= 1
            if payload is not _END:
                log.error("source %s stopped: %s", self.sources[index].name, payload)
                self._failures.append(payload)
            return None
        return item

    def _add(self, batch: Batch, item: tuple) -> None:
        index, record, _, read_at = item
        self._position = record.position if len(self.sources) == 1 else self._position + 1
        with self._lock:
            self._map.append((self._position, index, record.position))
        batch.records.append(RawRecord(record.payload, record.source, self._position))
        batch.read_at.append(read_at)
