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
still pending after that stays in the outbox for the next run. The loop, the retry and the
thread are :mod:`sinks.outbox_delivery` (shared with tickets); here what sending an alert means.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from schemas.plumbing.http import Rejected
from schemas.plumbing.retry import Policy
from sinks.outbox_delivery import OUTCOMES, Clock, DeliveryThread, OutboxDeliverer, alias, utcnow
from sinks.store.alert_outbox import AlertEntry, AlertOutbox
from webcare.alerts.channels import Sender, idempotency_key
from webcare.alerts.evaluate import Evaluator
from webcare.alerts.events import AlertEvent

__all__ = ["AlertThread", "Clock", "Deliverer", "finish", "policy_of", "utcnow"]
log = logging.getLogger("webcare.alerts")
EVALUATE_S = 30.0
POLL_S = 5.0
EXIT_WAIT_S = 30.0
DEFAULT_POLICY = Policy(give_up_hours=24.0, max_attempts=10)  # an alert no longer configured


def policy_of(alert) -> Policy:
    """The retry policy of one alert (its ``backoff_*``, ``give_up_hours``, ``max_attempts``)."""
    return Policy(alert.backoff_initial, alert.backoff_max, alert.give_up_hours,
                  alert.max_attempts)


class Deliverer(OutboxDeliverer):
    """``Deliverer(outbox, senders, alerts, clock, rng)``: senders and alert configs by name."""

    outbox: AlertOutbox
    what, log = "alert", log

    senders = alias("targets")  # dict[str, Sender]
    alerts = alias("configs")  # name -> alert config (its retry policy)

    def policy(self, entry: AlertEntry) -> Policy:
        alert = self.alerts.get(entry.alert)
        return policy_of(alert) if alert is not None else DEFAULT_POLICY

    def names(self, entry: AlertEntry) -> tuple[str, str]:
        return entry.alert, entry.event

    def deliver(self, sender: Sender, entry: AlertEntry) -> str:
        now = self.clock()
        try:
            event = AlertEvent.model_validate_json(entry.event_json)
            note = sender.send(event, idempotency_key(entry.alert, entry.key))
        except Rejected as error:
            return self._dead(entry, error, str(error))
        except ValueError as error:  # an unreadable stored event: it will not get better
            self.outbox.mark_dead(entry, f"{type(error).__name__}: {error}", None)
            return "dead"
        except Exception as error:  # noqa: BLE001 - retryable, never dropped
            return self._retry(entry, error, now)
        self.outbox.mark_sent(entry, self.clock(), note)
        return "sent"


class AlertThread(DeliveryThread):
    """Evaluator and delivery in the background; :meth:`wake` after an enqueue."""

    def __init__(self, deliverer: Deliverer, evaluator: Evaluator, poll_s: float = POLL_S,
                 evaluate_s: float = EVALUATE_S) -> None:
        super().__init__(deliverer, poll_s, name="alert-delivery", step=self._pass)
        self.evaluator, self.evaluate_s = evaluator, evaluate_s
        self._evaluated = 0.0

    def _pass(self) -> None:
        if time.monotonic() - self._evaluated >= self.evaluate_s:
            self._evaluated = time.monotonic()
            self.evaluator.run(self.deliverer.clock())
        self.deliverer.drain()


def finish(deliverer: Deliverer, evaluator: Evaluator, exit_wait_s: float = EXIT_WAIT_S,
           sleep: Callable[[float], None] = time.sleep) -> dict[str, int]:
    """The end of a run: a final evaluator pass, then deliver until none of the configured
    alerts has a pending entry or ``exit_wait_s`` passed; returns the delivery counts plus
    ``left`` (entries still pending, kept for the next run)."""
    evaluator.run(deliverer.clock(), final=True)
    deadline = time.monotonic() + exit_wait_s
    total = dict.fromkeys(OUTCOMES, 0)
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
