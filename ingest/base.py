"""The common loop of every live source: reconnect, dedup, checkpoints, health, dead letters.

A platform module subclasses :class:`LiveSource` and implements ``cycle()``: one connection
(a stream until the server drops it) or one poll, yielding :class:`Item`s. This class turns
items into :class:`RawRecord`s whose payload is ``Post`` JSON, drops platform ids already
handed on (a bounded window that survives reconnects and restarts), and commits the cursor
only from ``checkpoint()`` — i.e. after the runner flushed the sink.

Failure semantics of ``records()``:
* :class:`AuthFailed` — health ``auth_failed``, re-raised: the run stops loudly.
* :class:`RateLimited` — health ``rate_limited``, wait the platform's reset time, go on.
* anything else — health ``degraded``, exponential backoff, reconnect (resume from cursor).
* a malformed frame — an item with ``raw``/``error``; its record carries the frame in a
  non-Post JSON envelope so the runner's parse turns it into a dead letter; the stream goes on.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ingest.config import LiveConfig
from ingest.health import Health
from schemas import Post
from schemas.errors import AuthFailed, RateLimited
from schemas.protocols import RawRecord, malformed_payload
from sinks.store.source_state import StateStore


@dataclass
class Item:
    """One thing a cycle produced: a post, or a malformed frame (``raw`` + ``error``).
    ``post_json``: the post's JSON when the source already holds it as ``Post`` wrote it
    (the push intake), so it is passed on as it is instead of being written again."""

    post: Post | None = None
    cursor: dict[str, Any] = field(default_factory=dict)
    raw: str | None = None
    error: str | None = None
    post_json: str | None = None


def keyword_filter(keywords: list[str]) -> re.Pattern[str] | None:
    """A case-insensitive whole-word pattern for any keyword (None: accept everything)."""
    if not keywords:
        return None
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(map(re.escape, keywords)), re.IGNORECASE)


class LiveSource(ABC):
    """Base class; subclasses set ``platform`` and implement ``cycle()`` and ``probe()``."""

    platform = "other"

    def __init__(self, config: LiveConfig, state: StateStore | None = None) -> None:
        self.config = config
        self.name = config.name or f"{config.type}:{self.target()}"  # type: ignore[attr-defined]
        self.state = state or StateStore(config.state_path)
        self.health = Health(self.name, self.state)
        self.cursor: dict[str, Any] = self.state.load_cursor(self.name)
        self._seen: OrderedDict[str, None] = OrderedDict.fromkeys(
            self.state.recent_ids(self.name, config.dedup_window))
        self._pending: deque[tuple[int, dict[str, Any], str | None]] = deque()
        self._lock = threading.Lock()
        self._position = 0
        self._stop = threading.Event()
        self._keywords = keyword_filter(config.keywords)

    # -- to implement -------------------------------------------------------------------
    def target(self) -> str:
        """What the source listens to, for its default name."""
        return "default"

    @abstractmethod
    def cycle(self) -> Iterator[Item]:
        """One connection or poll; return when the server closes. Raise to signal errors."""

    @abstractmethod
    def probe(self) -> str:
        """``webcare sources test``: check credentials and reachability; raise on failure."""

    # -- the loop -----------------------------------------------------------------------
    def records(self) -> Iterator[RawRecord]:
        """Run cycles until ``max_cycles``/``max_records``/``close()``; see module doc."""
        cycles, failures, emitted = 0, 0, 0
        self.health.start()
        while not self._stop.is_set():
            cycles += 1
            try:
                for item in self.cycle():
                    failures = 0
                    record = self._to_record(item)
                    if record is not None:
                        emitted += 1
                        yield record
                        if self.config.max_records and emitted >= self.config.max_records:
                            return self._stopped("max_records reached")
                wait = self.config.poll_interval
            except AuthFailed as error:
                self.health.set("auth_failed", str(error))
                raise
            except RateLimited as error:
                self.health.set("rate_limited", str(error))
                wait = error.wait
            except Exception as error:  # noqa: BLE001 - any transport error: reconnect
                failures += 1
                self.health.set("degraded", f"{type(error).__name__}: {error}"[:300])
                wait = min(self.config.backoff_max,
                           self.config.backoff_initial * 2 ** (failures - 1))
            if self.config.max_cycles and cycles >= self.config.max_cycles:
                return self._stopped("max_cycles reached")
            self._stop.wait(wait)
        self._stopped("closed")

    def close(self) -> None:
        """Ask ``records()`` to stop at the next cycle boundary or wait."""
        self._stop.set()

    def _stopped(self, why: str) -> None:
        if self.health.state in ("ok", "degraded"):
            self.health.set("stopped", why)
        self.health.end()

    def wanted(self, text: str) -> bool:
        """Keyword filter (``keywords`` key); platform filters are applied server side."""
        return self._keywords is None or bool(self._keywords.search(text))

    def _to_record(self, item: Item) -> RawRecord | None:
        self.cursor.update(item.cursor)
        post_id = item.post.id if item.post is not None else None
        if (post_id is not None and post_id in self._seen) or (
                item.post is None and item.raw is None):
            return None  # a duplicate, or a skipped event that only moves the cursor
        if item.post is not None:
            self._remember(post_id)
            payload = item.post_json or item.post.model_dump_json()
            self.health.record()
        else:
            payload = malformed_payload(item.raw or "", item.error or "malformed", self.name)
        with self._lock:
            self._position += 1
            self._pending.append((self._position, dict(self.cursor), post_id))
            return RawRecord(payload=payload, source=self.name, position=self._position)

    def _remember(self, post_id: str) -> None:
        self._seen[post_id] = None
        while len(self._seen) > self.config.dedup_window:
            self._seen.popitem(last=False)

    def checkpoint(self, position: int) -> None:
        """Called by the runner after a flush: commit the cursor and ids up to ``position``."""
        with self._lock:
            cursor, ids = None, []
            while self._pending and self._pending[0][0] <= position:
                _, cursor, post_id = self._pending.popleft()
                if post_id is not None:
                    ids.append(post_id)
        if cursor is not None:
            self.state.commit(self.name, cursor, ids, self.config.dedup_window)
            self.committed(cursor)

    def committed(self, cursor: dict[str, Any]) -> None:
        """Called after ``checkpoint`` stored ``cursor``; push sources release their intake."""
