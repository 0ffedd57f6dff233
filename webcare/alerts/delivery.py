"""The alert delivery loop and the background thread that also runs the evaluator.

:meth:`Deliverer.run_once` takes the due outbox entries (claimed with a lease), renders each
event for its alert's destination and sends it. Outcomes: success marks the entry sent;
:class:`Retryable` (429, 5xx, timeouts, refused connections, SMTP 4xx) reschedules it with
exponential backoff and full jitter (never sooner than ``Retry-After``); :class:`Rejected`
(other 4xx, SMTP 5xx, auth failures), an entry that failed ``max_attempts`` times or has been
retried for longer than ``give_up_hours`` becomes dead (``webcare alerts status`` shows it).
A sender that raises anything else is treated as retryable: nothing is dropped silently. An
entry of an alert no longer configured is left pending for a later run.

:class:`AlertThread` runs evaluator passes every ``evaluate_s`` and delivery passes every
``poll_s`` (and when woken after an enqueue). :meth:`AlertThread.finish` is what a run's end
calls: a last evaluator pass (held-back alerts folded into a digest at once), then delivery
until nothing of the configured alerts is pending, waiting out backoff up to ``exit_wait_s``
— so a replay run delivers what is due before it exits, through a short outage. Whatever is
still pending after that stays in the outbox for the next run.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from schemas.plumbing.http import Rejected, Retryable
from sinks.store.alert_outbox import AlertEntry, AlertOutbox
from webcare.alerts.channels import Sender, idempotency_key
from webcare.alerts.evaluate import Evaluator
from webcare.alerts.events import AlertEvent

log = logging.getLogger("webcare.alerts")
Clock = Callable[[], datetime]
EVALUATE_S = 30.0
POLL_S = 5.0
EXIT_WAIT_S = 30.0


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Policy:
    """Retry timing of one alert (its ``backoff_*`` and ``give_up_hours`` keys)."""

    backoff_initial: float = 2.0
    backoff_max: float = 300.0
    give_up_hours: float = 24.0

    def delay(self, attempts: int, retry_after: float | None, rng: random.Random) -> float:
        """Full-jitter exponential backoff after ``attempts`` failures, at least Retry-After."""
        cap = min(self.backoff_max, self.backoff_initial * 2 ** min(attempts, 30))
        wait = rng.uniform(self.backoff_initial / 2, max(cap, self.backoff_initial / 2))
        return max(wait, retry_after or 0.0)


def policy_of(alert) -> Policy:
    return Policy(alert.backoff_initial, alert.backoff_max, alert.give_up_hours)


@dataclass
class Deliverer:
    outbox: AlertOutbox
    senders: dict[str, Sender]
    alerts: dict = field(default_factory=dict)  # name -> alert config (retry policy)
    clock: Clock = utcnow
    rng: random.Random = field(default_factory=random.Random)

    def run_once(self, limit: int = 100) -> dict[str, int]:
        """One pass over due entries; returns counts of sent / retry / dead / skipped."""
        counts = {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
        for entry in self.outbox.due(self.clock(), limit):
            sender = self.senders.get(entry.alert)
            if sender is None:  # an alert removed from the config: keep the entry
                counts["skipped"] += 1
                continue
            counts[self._deliver(sender, entry)] += 1
        return counts

    def drain(self, max_passes: int = 1000) -> dict[str, int]:
        """Repeat :meth:`run_once` until nothing is due now."""
        total = {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
        for _ in range(max_passes):
            counts = self.run_once()
            for key, value in counts.items():
                total[key] += value
            if counts["sent"] + counts["dead"] == 0:
                break
        return total

    def _deliver(self, sender: Sender, entry: AlertEntry) -> str:
        now = self.clock()
        try:
            event = AlertEvent.model_validate_json(entry.event_json)
            note = sender.send(event, idempotency_key(entry.alert, entry.key))
        except Rejected as error:
            log.warning("alert %s %s dead: %s", entry.alert, entry.event, error)
            self.outbox.mark_dead(entry, str(error), error.status)
            return "dead"
        except ValueError as error:  # an unreadable stored event: it will not get better
            self.outbox.mark_dead(entry, f"{type(error).__name__}: {error}", None)
            return "dead"
        except Exception as error:  # noqa: BLE001 - retryable, never dropped
            return self._retry(entry, error, now)
        self.outbox.mark_sent(entry, self.clock(), note)
        return "sent"

    def _retry(self, entry: AlertEntry, error: Exception, now: datetime) -> str:
        alert = self.alerts.get(entry.alert)
        policy = policy_of(alert) if alert is not None else Policy()
        max_attempts = alert.max_attempts if alert is not None else 10
        status = getattr(error, "status", None)
        detail = str(error) if isinstance(error, Retryable) else f"{type(error).__name__}: {error}"
        if entry.attempts + 1 >= max_attempts:
            self.outbox.mark_dead(entry, f"gave up after {entry.attempts + 1} attempts: "
                                  f"{detail}", status)
            return "dead"
        if now - entry.enqueued_at > timedelta(hours=policy.give_up_hours):
            self.outbox.mark_dead(entry, f"gave up after {policy.give_up_hours:g} h: {detail}",
                                  status)
            return "dead"
        wait = policy.delay(entry.attempts, getattr(error, "retry_after", None), self.rng)
        self.outbox.mark_retry(entry, now + timedelta(seconds=wait), detail, status)
        log.info("alert %s %s retry in %.0f s: %s", entry.alert, entry.event, wait, detail)
        return "retry"


class AlertThread:
    """Evaluator and delivery in the background; :meth:`wake` after an enqueue."""

    def __init__(self, deliverer: Deliverer, evaluator: Evaluator, poll_s: float = POLL_S,
                 evaluate_s: float = EVALUATE_S) -> None:
        self.deliverer, self.evaluator = deliverer, evaluator
        self.poll_s, self.evaluate_s = poll_s, evaluate_s
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name="alert-delivery", daemon=True)
        self._evaluated = 0.0

    def start(self) -> AlertThread:
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
                if time.monotonic() - self._evaluated >= self.evaluate_s:
                    self._evaluated = time.monotonic()
                    self.evaluator.run(self.deliverer.clock())
                self.deliverer.drain()
            except Exception:
                log.exception("alert pass failed; retrying")
            self._wake.wait(self.poll_s)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current pass (bounded by ``timeout``) and stop; pending entries stay."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)


def finish(deliverer: Deliverer, evaluator: Evaluator, exit_wait_s: float = EXIT_WAIT_S,
           sleep: Callable[[float], None] = time.sleep) -> dict[str, int]:
    """The end of a run: a final evaluator pass, then deliver until none of the configured
    alerts has a pending entry or ``exit_wait_s`` passed; returns the delivery counts plus
    ``left`` (entries still pending, kept for the next run)."""
    evaluator.run(deliverer.clock(), final=True)
    deadline = time.monotonic() + exit_wait_s
    total = {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
    while True:
        for key, value in deliverer.drain().items():
            total[key] += value
        left, next_ts = deliverer.outbox.waiting(deliverer.senders)
        remaining = deadline - time.monotonic()
        if not left or remaining <= 0:
            break
        wait = max(0.05, (next_ts or 0) - deliverer.clock().timestamp())
        if wait > remaining:
            break
        sleep(min(wait, remaining))
    if left:
        log.warning("alerts: %d entries still pending at exit (kept for the next run)", left)
    return {**total, "left": left}
