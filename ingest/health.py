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
from typing import TYPE_CHECKING

from prometheus_client import Gauge

if TYPE_CHECKING:
    from ingest.state import StateStore

STATES = ("ok", "degraded", "auth_failed", "rate_limited", "stopped")
log = logging.getLogger("webcare.ingest")

SOURCE_HEALTH = Gauge("webcare_source_health", "1 for the current health state of a source",
                      ["source", "state"])


class AuthFailed(RuntimeError):
    """Credentials were rejected or are missing; the source must stop, not retry."""


class RateLimited(RuntimeError):
    """The platform asked us to wait ``wait`` seconds (from its reset header)."""

    def __init__(self, message: str, wait: float) -> None:
        super().__init__(message)
        self.wait = max(0.0, wait)


class Health:
    """The health of one source; cheap to update on every record."""

    def __init__(self, source: str, store: StateStore | None = None) -> None:
        self.source = source
        self.store = store
        self.state = "ok"
        self.detail = "starting"
        self.records = 0

    def start(self) -> None:
        """Called when ``records()`` starts (not at construction: ``sources test`` builds
        sources too and must not overwrite the state a run left behind)."""
        self.state, self.detail = "ok", "starting"
        self._write()

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

    def record(self) -> None:
        """One record handed on: the source is healthy."""
        self.records += 1
        if self.state != "ok" or self.detail != "receiving":
            self.set("ok", "receiving")
        elif self.records % 100 == 0:
            self._write()

    def _write(self) -> None:
        for state in STATES:
            SOURCE_HEALTH.labels(self.source, state).set(1 if state == self.state else 0)
        if self.store is not None:
            self.store.set_health(self.source, self.state, self.detail, self.records)
