"""The delivery loop every persisted outbox shares (ticket sinks, alerts) and its thread.

:class:`OutboxDeliverer` is the loop: :meth:`~OutboxDeliverer.run_once` takes the due entries
of its outbox (claimed with a lease, :mod:`sinks.store.outbox`), finds each entry's target
(an entry of a target no longer configured is left pending for a later run) and hands it to the
kind's :meth:`~OutboxDeliverer.deliver`, which returns ``sent``, ``dead`` or, through
:meth:`~OutboxDeliverer._retry`, ``retry``: a failed attempt is rescheduled with the target's
:class:`schemas.plumbing.retry.Policy` (exponential backoff, full jitter, never sooner than
``Retry-After``) or becomes dead after ``max_attempts`` or ``give_up_hours``. The kinds:
:class:`sinks.tickets.delivery.Deliverer`, :class:`webcare.alerts.delivery.Deliverer`.

:class:`DeliveryThread` runs passes in the background (every ``poll`` seconds and when woken
after an enqueue); :class:`DeliverySink` attaches a delivery to a built sink as a listener of
its incident sink; :func:`close_delivery` is how a run's end hands over to a last foreground
pass without two senders at once.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

from schemas.plumbing.retry import Policy, error_detail
from sinks.incident_sink import incident_sink_of

log = logging.getLogger("webcare.outbox")
Clock = Callable[[], datetime]
OUTCOMES = ("sent", "retry", "dead", "skipped")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def alias(field_name: str) -> property:
    """A kind's own name for a field of :class:`OutboxDeliverer` (``sinks``, ``senders``)."""
    return property(lambda self: getattr(self, field_name),
                    lambda self, value: setattr(self, field_name, value))


@dataclass
class OutboxDeliverer:
    """The loop over one outbox; a kind supplies ``names``, ``deliver`` and ``policy``."""

    outbox: Any  # a sinks.store.outbox.PersistedOutbox
    targets: dict[str, Any]  # target name -> who delivers (a ticket sink, an alert sender)
    configs: dict[str, Any] = field(default_factory=dict)  # target name -> its retry policy
    clock: Clock = utcnow
    rng: random.Random = field(default_factory=random.Random)
    what: ClassVar[str] = "entry"  # how log lines name an entry ("ticket", "alert")
    log: ClassVar[logging.Logger] = log

    def names(self, entry) -> tuple[str, str]:
        """(target name, event) of ``entry``: whom it goes to, and for log lines."""
        raise NotImplementedError

    def deliver(self, target, entry) -> str:
        """Send one claimed entry and settle it: ``sent``, ``retry`` or ``dead``."""
        raise NotImplementedError

    def policy(self, entry) -> Policy:
        raise NotImplementedError

    def enqueued_at(self, entry) -> datetime:
        return entry.enqueued_at

    def run_once(self, limit: int = 100) -> dict[str, int]:
        """One pass over due entries; returns counts of sent / retry / dead / skipped."""
        counts = dict.fromkeys(OUTCOMES, 0)
        for entry in self.outbox.due(self.clock(), limit):
            target = self.targets.get(self.names(entry)[0])
            if target is None:  # removed from the config: keep the entry for later
                counts["skipped"] += 1
                continue
            counts[self.deliver(target, entry)] += 1
        return counts

    def drain(self, max_passes: int = 1000) -> dict[str, int]:
        """Repeat :meth:`run_once` until nothing is due now (tests, ``retry`` commands)."""
        total = dict.fromkeys(OUTCOMES, 0)
        for _ in range(max_passes):
            counts = self.run_once()
            for key, value in counts.items():
                total[key] += value
            if counts["sent"] + counts["dead"] == 0:
                break
        return total

    def _dead(self, entry, error, detail: str) -> str:
        self.log.warning("%s %s %s dead: %s", self.what, *self.names(entry), detail)
        self.outbox.mark_dead(entry, detail, getattr(error, "status", None),
                              getattr(error, "body", None))
        return "dead"

    def _retry(self, entry, error: Exception, now: datetime) -> str:
        """Reschedule ``entry`` after a failed attempt, or make it dead when its policy
        gives up (``max_attempts`` failures, or retried for longer than ``give_up_hours``)."""
        policy = self.policy(entry)
        status = getattr(error, "status", None)
        detail = error_detail(error)
        if policy.max_attempts is not None and entry.attempts + 1 >= policy.max_attempts:
            self.outbox.mark_dead(entry, f"gave up after {entry.attempts + 1} attempts: "
                                  f"{detail}", status)
            return "dead"
        if now - self.enqueued_at(entry) > timedelta(hours=policy.give_up_hours):
            self.outbox.mark_dead(entry, f"gave up after {policy.give_up_hours:g} h: {detail}",
                                  status)
            return "dead"
        wait = policy.delay(entry.attempts, getattr(error, "retry_after", None), self.rng)
        self.outbox.mark_retry(entry, now + timedelta(seconds=wait), detail, status)
        self.log.info("%s %s %s retry in %.0f s: %s", self.what, *self.names(entry), wait,
                      detail)
        return "retry"


class DeliveryThread:
    """Runs a deliverer's passes in the background; :meth:`wake` after an enqueue.

    A pass is ``deliverer.drain()`` unless ``step`` names another one (alerts also evaluate)."""

    def __init__(self, deliverer, poll: float = 5.0, name: str = "outbox-delivery",
                 step: Callable[[], Any] | None = None,
                 logger: logging.Logger | None = None) -> None:
        self.deliverer, self.poll = deliverer, poll
        self._step = step or deliverer.drain
        self._log = logger or getattr(deliverer, "log", log)
        self._what = name.replace("-", " ")
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

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
                self._step()
            except Exception:
                self._log.exception("%s pass failed; retrying", self._what)
            self._wake.wait(self.poll)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current pass (bounded by ``timeout``) and stop; pending entries stay."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)


def close_delivery(thread: DeliveryThread | None, outbox, last_pass: Callable[[], Any],
                   timeout: float):
    """The end of a run: stop the thread, then one foreground ``last_pass`` (its result) unless
    the thread is still busy (never two senders at once: None); the outbox is closed after."""
    try:
        if thread:
            thread.stop(timeout)
        if thread is None or not thread.alive:
            return last_pass()
        return None
    finally:
        outbox.close()


def requeue_and_drain(outbox, deliverer: OutboxDeliverer, target: str | None) -> dict[str, int]:
    """A ``retry`` command: dead entries (of one target, or all) back to pending, then deliver
    everything due now in the foreground; the outbox is closed after."""
    try:
        requeued = outbox.retry(utcnow(), target)
        return {"requeued": requeued, **deliverer.drain()}
    finally:
        outbox.close()


def status_lines(report: dict, names: Callable[[dict], str],
                 dead_detail: Callable[[dict], str]) -> list[str]:
    """The pending and dead rows of a ``status`` report (each named by ``names(row)``) as
    lines for the operator."""
    lines = [f"  pending {names(row)} attempts {row['attempts']}"
             + (f": {row['error']}" if row["error"] else "") for row in report["pending"]]
    return lines + [f"  dead {names(row)} {dead_detail(row)}" for row in report["dead"]]


class DeliverySink:
    """The pipeline's sink with a delivery attached (same add / flush / close): ``delivery``
    listens to the incident sink inside ``inner`` and is closed after it."""

    suffix = "delivery"

    def __init__(self, inner, delivery) -> None:
        self.inner, self.delivery = inner, delivery
        self.name = f"{inner.name}+{self.suffix}"
        self.store = inner.store
        incident_sink_of(inner).listeners.append(delivery)

    def add(self, item) -> None:
        self.inner.add(item)

    def flush(self) -> None:
        self.inner.flush()

    def close(self) -> None:
        """Close the inner sinks (the last flush enqueues its events), then the delivery."""
        try:
            self.inner.close()
        finally:
            self.delivery.close()
