"""Ingestor health: ``ok``, ``degraded``, ``auth_failed``, ``rate_limited`` (plus ``stopped``).

Every live source owns a :class:`Health` that it updates on connect, on error and on each
record. The state is written to the state file (for ``webcare sources status``), exported as
the Prometheus gauge ``webcare_source_health{source,state}`` and logged on every change.
Platform clients translate their errors into :class:`AuthFailed` (the source stops loudly;
retrying a revoked token only hides the problem) and :class:`RateLimited` (the source waits
until the platform's reset time).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from prometheus_client import Gauge

if TYPE_CHECKING:
    from sinks.store.source_state import StateStore

STATES = ("ok", "degraded", "auth_failed", "rate_limited", "stopped")
ENDED = ("auth_failed", "stopped")  # states in which no heartbeat is expected
HEARTBEAT_S = 10.0  # a running source writes its heartbeat this often (see StateStore.health)
COUNT_EVERY_S = 1.0  # the record count is written at most this often (a write is an fsync)
log = logging.getLogger("webcare.ingest")

SOURCE_HEALTH = Gauge("webcare_source_health", "1 for the current health state of a source",
                      ["source", "state"])


class Health:
    """The health of one source; cheap to update on every record."""

    def __init__(self, source: str, store: StateStore | None = None) -> None:
        self.source = source
        self.store = store
        self.state = "ok"
        self.detail = "starting"
        self.records = 0
        self._counted_at = 0.0
        self._beating: threading.Event | None = None

    def start(self) -> None:
        """Called when ``records()`` starts (not at construction: ``sources test`` builds
        sources too and must not overwrite the state a run left behind). Starts the
        heartbeat: a thread that stamps the state file every ``HEARTBEAT_S`` seconds until
        the source ends, so ``webcare sources status`` can tell a killed process (``stale``)
        from a quiet one."""
        self.state, self.detail = "ok", "starting"
        self._write()
        if self.store is not None and self._beating is None:
            self._beating = threading.Event()
            threading.Thread(target=self._beat, args=(self._beating,), daemon=True,
                             name=f"heartbeat-{self.source}").start()

    def _beat(self, ended: threading.Event) -> None:
        while not ended.wait(HEARTBEAT_S):
            try:
                self.store.beat(self.source)
            except Exception as error:  # noqa: BLE001 - a missed beat shows as stale
                log.warning("source %s: heartbeat not written: %s", self.source, error)

    def set(self, state: str, detail: str) -> None:
        """Change state (logged and persisted only when state or detail changed)."""
        if state not in STATES:
            raise ValueError(f"unknown health state {state!r}")
        if (state, detail) == (self.state, self.detail):
            return
        level = logging.INFO if state in ("ok", "stopped") else logging.WARNING
        if state == "auth_failed":
            level = logging.ERROR
        log.log(level, "source %s: %s (%s)", self.source, state, detail)
        self.state, self.detail = state, detail
        self._write()
        if state in ENDED:
            self.end()

    def end(self) -> None:
        """Stop the heartbeat (the source ended; its state row says how)."""
        if self._beating is not None:
            self._beating.set()
            self._beating = None

    def record(self) -> None:
        """One record handed on: the source is healthy."""
        self.records += 1
        if self.state != "ok" or self.detail != "receiving":
            self.set("ok", "receiving")
        elif time.monotonic() - self._counted_at >= COUNT_EVERY_S:
            self._write()

    def _write(self) -> None:
        self._counted_at = time.monotonic()
        for state in STATES:
            SOURCE_HEALTH.labels(self.source, state).set(1 if state == self.state else 0)
        if self.store is not None:
            self.store.set_health(self.source, self.state, self.detail, self.records)
