"""The durable intake of a push source: what a receiver acknowledged and the pipeline has not
yet finished, in the source's state file (SQLite, WAL, ``synchronous=FULL``).

A receiver answers 2xx only after :meth:`Intake.submit`'s future resolved, i.e. after the
delivery's entries (posts and dead-letter envelopes) are committed to disk: a post that was
acknowledged survives kill -9. Concurrent deliveries are written by one writer thread in a
single transaction each round (group commit), so many small requests cost one fsync. The
source reads rows in order (:meth:`read`) and deletes them with :meth:`done` once the runner
flushed their results and checkpointed the source, so a restart re-reads exactly what was
accepted but not finished (the store and the dedup window absorb a repeat). The intake is
bounded: :meth:`submit` raises :class:`IntakeFull` when ``capacity`` rows are pending, which
the receiver answers with 503 and ``Retry-After``. A write failure (disk full) fails the
delivery's future: the receiver answers 503 and the sender retries; nothing is acknowledged
that was not written.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from schemas.errors import WebcareError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS intake (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, payload TEXT NOT NULL,
    accepted_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS intake_by_source ON intake (source, seq);
"""
_STOP = object()
MAX_ROUND = 2000  # entries committed in one transaction at most
POLL_S = 0.01  # how often an idle reader looks for new entries


class IntakeFull(WebcareError, RuntimeError):
    """``capacity`` accepted entries are still waiting; the sender should retry later."""


class IntakeClosed(WebcareError, RuntimeError):
    """The source is stopping and accepts nothing more (answered 503)."""


class Intake:
    """Durable FIFO of one source's accepted entries (payload strings)."""

    def __init__(self, path: str | Path, source: str, capacity: int) -> None:
        self.source, self.capacity = source, capacity
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._requests: queue.Queue = queue.Queue()
        self._pending = self._count()
        self._closed = False
        self._writer: threading.Thread | None = None

    def _count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM intake WHERE source = ?",
                                    (self.source,)).fetchone()[0]

    @property
    def pending(self) -> int:
        """Entries accepted and not yet done (or queued for writing)."""
        return self._pending

    def submit(self, payloads: list[str]) -> Future:
        """Queue ``payloads`` for the next group commit; the future resolves (to their
        sequence numbers) once they are on disk. Raises :class:`IntakeFull` or
        :class:`IntakeClosed` at once, writing nothing."""
        if self._closed:
            raise IntakeClosed("the source is stopping")
        with self._lock:
            if self._pending + len(payloads) > self.capacity:
                # the reader (another process) may have finished entries since: recount
                self._pending = self._db.execute(
                    "SELECT COUNT(*) FROM intake WHERE source = ?", (self.source,)).fetchone()[0]
            if self._pending + len(payloads) > self.capacity:
                raise IntakeFull(f"{self._pending} entries waiting, capacity {self.capacity}")
            self._pending += len(payloads)
        self._start_writer()
        future: Future = Future()
        self._requests.put((payloads, future))
        return future

    def _start_writer(self) -> None:
        if self._writer is None:
            with self._lock:
                if self._writer is None:
                    self._writer = threading.Thread(target=self._write_loop, daemon=True,
                                                    name=f"intake-{self.source}")
                    self._writer.start()

    def _write_loop(self) -> None:
        """The writer thread: commit every queued request of a round in one transaction."""
        while True:
            first = self._requests.get()
            if first is _STOP:
                return
            round_, size = [first], len(first[0])
            while size < MAX_ROUND:
                try:
                    more = self._requests.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    self._requests.put(_STOP)
                    break
                round_.append(more)
                size += len(more[0])
            self._commit(round_)

    def _commit(self, round_: list[tuple[list[str], Future]]) -> None:
        now = time.time()
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    seqs = [[self._insert(payload, now) for payload in payloads]
                            for payloads, _ in round_]
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
        except Exception as error:  # noqa: BLE001 - each delivery's sender is told
            with self._lock:
                self._pending -= sum(len(payloads) for payloads, _ in round_)
            for _, future in round_:
                future.set_exception(error)
            return
        for (_, future), numbers in zip(round_, seqs):
            future.set_result(numbers)

    def _insert(self, payload: str, now: float) -> int:
        cursor = self._db.execute(
            "INSERT INTO intake (source, payload, accepted_at) VALUES (?, ?, ?)",
            (self.source, payload, now))
        return int(cursor.lastrowid)

    def read(self, after: int, limit: int, wait: float) -> list[tuple[int, str]]:
        """Up to ``limit`` entries with a sequence number above ``after``, oldest first;
        waits up to ``wait`` seconds for one to arrive when there is none (the writer is
        usually another process: the file is polled every ``POLL_S``)."""
        deadline = time.monotonic() + wait
        while True:
            rows = self._select(after, limit)
            if rows or time.monotonic() >= deadline:
                return rows
            time.sleep(POLL_S)

    def _select(self, after: int, limit: int) -> list[tuple[int, str]]:
        with self._lock:
            return self._db.execute(
                "SELECT seq, payload FROM intake WHERE source = ? AND seq > ? ORDER BY seq "
                "LIMIT ?", (self.source, after, limit)).fetchall()

    def done(self, upto: int) -> None:
        """Forget every entry up to sequence ``upto`` (called after the checkpoint commit)."""
        with self._lock:
            removed = self._db.execute("DELETE FROM intake WHERE source = ? AND seq <= ?",
                                       (self.source, upto)).rowcount
            self._pending = max(0, self._pending - removed)

    def close(self) -> None:
        """Refuse new entries and finish writing the queued ones (their senders get their
        answers); the connection stays open for the last :meth:`done` calls."""
        self._closed = True
        if self._writer is not None:
            self._requests.put(_STOP)
            self._writer.join(timeout=30)
