"""The delivery loop: sends due outbox entries to their ticket sinks, with retries.

:meth:`Deliverer.run_once` is called by the delivery thread (every ``poll`` seconds and when the
pipeline enqueued something), by tests with a simulated clock, and by ``webcare tickets
retry``. Per (sink, incident) only the oldest pending entry is ever in flight, so a ticket sees
open → updates → resolve in order. Outcomes: success stores the ticket id (later events update
that ticket); :class:`Retryable` (429, 5xx, timeout, refused) reschedules with exponential
backoff and full jitter, never sooner than ``Retry-After``; :class:`Rejected` (4xx) and
entries retried for longer than ``give_up_hours`` become dead letters with the response body.
A sink that raises anything else is treated as retryable, so nothing is ever dropped silently.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from schemas.plumbing.http import Rejected, Retryable
from sinks.store.ticket_outbox import Outbox
from sinks.tickets.base import Entry, TicketSink
from sinks.tickets.desk import outgoing

log = logging.getLogger("webcare.tickets")
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Policy:
    """Retry timing of one sink (from its ``tickets:`` entry)."""

    backoff_initial: float = 2.0
    backoff_max: float = 300.0
    give_up_hours: float = 72.0

    def delay(self, attempts: int, retry_after: float | None, rng: random.Random) -> float:
        """Full-jitter exponential backoff after ``attempts`` failures, at least Retry-After."""
        cap = min(self.backoff_max, self.backoff_initial * 2 ** min(attempts, 30))
        wait = rng.uniform(self.backoff_initial / 2, max(cap, self.backoff_initial / 2))
        return max(wait, retry_after or 0.0)


@dataclass
class Deliverer:
    outbox: Outbox
    sinks: dict[str, TicketSink]
    policies: dict[str, Policy] = field(default_factory=dict)
    clock: Clock = utcnow
    rng: random.Random = field(default_factory=random.Random)

    def run_once(self, limit: int = 100) -> dict[str, int]:
        """One pass over due entries; returns counts of sent / retry / dead / skipped."""
        counts = {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
        for entry in self.outbox.due(self.clock(), limit):
            sink = self.sinks.get(entry.sink)
            if sink is None:  # a sink removed from the config: keep the entry for later
                counts["skipped"] += 1
                continue
            counts[self._deliver(sink, entry)] += 1
        return counts

    def drain(self, max_passes: int = 1000) -> dict[str, int]:
        """Repeat :meth:`run_once` until nothing is due now (tests, ``tickets retry``)."""
        total = {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
        for _ in range(max_passes):
            counts = self.run_once()
            for key, value in counts.items():
                total[key] += value
            if counts["sent"] + counts["dead"] == 0:
                break
        return total

    def _deliver(self, sink: TicketSink, entry: Entry) -> str:
        now = self.clock()
        ticket = self.outbox.ticket_id(entry.sink, entry.incident.key)
        if ticket is not None and self.outbox.superseded(entry):
            self.outbox.mark_sent(entry, ticket, now, note="superseded by a later event")
            return "sent"
        entry, why = outgoing(self.outbox, sink, entry)  # the desk owns resolutions (issue 21)
        if why and ticket is not None:
            self.outbox.mark_sent(entry, ticket, now, note=why)
            return "sent"
        try:
            ticket = sink.deliver(entry, ticket)
        except Rejected as error:
            log.warning("ticket %s %s dead: %s", entry.sink, entry.event_id, error)
            self.outbox.mark_dead(entry, str(error), error.status, error.body)
            return "dead"
        except Exception as error:
            return self._retry(entry, error, now)
        self.outbox.mark_sent(entry, ticket, self.clock())
        return "sent"

    def _retry(self, entry: Entry, error: Exception, now: datetime) -> str:
        policy = self.policies.get(entry.sink, Policy())
        status = getattr(error, "status", None)
        detail = str(error) if isinstance(error, Retryable) else f"{type(error).__name__}: {error}"
        if now - self.outbox.enqueued_at(entry) > timedelta(hours=policy.give_up_hours):
            self.outbox.mark_dead(entry, f"gave up after {policy.give_up_hours:g} h: {detail}",
                                  status, None)
            return "dead"
        wait = policy.delay(entry.attempts, getattr(error, "retry_after", None), self.rng)
        self.outbox.mark_retry(entry, now + timedelta(seconds=wait), detail, status)
        log.info("ticket %s %s retry in %.0f s: %s", entry.sink, entry.event_id, wait, detail)
        return "retry"


class DeliveryThread:
    """Runs a :class:`Deliverer` in the background; :meth:`wake` after an enqueue."""

    def __init__(self, deliverer: Deliverer, poll: float = 5.0) -> None:
        self.deliverer, self.poll = deliverer, poll
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ticket-delivery", daemon=True)

    def start(self) -> DeliveryThread:
        self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.deliverer.drain()
            except Exception:
                log.exception("ticket delivery pass failed; retrying")
            self._wake.wait(self.poll)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current pass (bounded by ``timeout``) and stop; pending entries stay."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
