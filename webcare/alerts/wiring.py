"""Alerts in the pipeline (in-process and the Kafka sink worker) and ``webcare alerts``.

:func:`attach` is called by ``build_sink`` when ``alerts:`` is configured, so the in-process
runner and the Kafka sink worker (:func:`webcare.job.kafka.build_handler`) get the same: the
incident sink's listener (:meth:`AlertService.__call__`) turns every incident event of a flush
into alert events, keeps those each alert's ``events`` and ``when:`` take, and enqueues them
(after the store flush, so an alert only ever announces a stored incident; an enqueue failure
raises from ``flush`` and the next flush hands the same events again — enqueueing is
idempotent). A background thread runs the evaluator (SLA, source health, dead-letter spikes,
digests) and delivery. Closing the sink runs :func:`webcare.alerts.delivery.finish`: a replay
run delivers what is due before it exits. Building fails at start (:class:`AlertSetupError`,
naming the alert and the variable) when a secret is missing.
"""

from __future__ import annotations

import logging

from sinks.outbox_delivery import DeliverySink, close_delivery, requeue_and_drain, status_lines
from sinks.store.alert_outbox import AlertOutbox
from webcare.alerts import events as ev
from webcare.alerts.channels import build_sender, build_senders, idempotency_key
from webcare.alerts.delivery import (
    EVALUATE_S,
    EXIT_WAIT_S,
    POLL_S,
    AlertThread,
    Clock,
    Deliverer,
    finish,
    utcnow,
)
from webcare.alerts.evaluate import Evaluator

log = logging.getLogger("webcare.alerts")


class AlertService:
    """Outbox + senders + evaluator + thread of one run (or one ``webcare alerts`` command)."""

    def __init__(self, config, clock: Clock = utcnow, background: bool = True,
                 poll_s: float = POLL_S, evaluate_s: float = EVALUATE_S,
                 exit_wait_s: float = EXIT_WAIT_S) -> None:
        self.alerts = list(config.alerts)
        senders = build_senders(self.alerts)  # AlertSetupError before anything is opened
        self.outbox = AlertOutbox.open(config.store)
        self.clock, self.exit_wait_s = clock, exit_wait_s
        self.deliverer = Deliverer(self.outbox, senders, {a.name: a for a in self.alerts},
                                   clock)
        self.evaluator = Evaluator(self.alerts, self.outbox, config)
        self.incident_alerts = [a for a in self.alerts
                                if any(e.startswith("incident.") for e in a.events)]
        self.thread = AlertThread(self.deliverer, self.evaluator, poll_s, evaluate_s).start() \
            if background else None

    def __call__(self, events: list) -> None:
        """The IncidentSink listener: enqueue what each alert takes, then nudge delivery."""
        if not self.incident_alerts or not events:
            return
        produced = [ev.from_incident(e.kind, e.incident, e.at) for e in events]
        now = self.clock()
        for alert in self.incident_alerts:
            chosen = [event.new_alert() for event in produced if ev.matches(alert, event)]
            if chosen:
                self.outbox.enqueue(alert.name, chosen, now, alert.max_per_hour)
        if self.thread:
            self.thread.wake()

    def close(self, timeout: float = 30.0) -> dict[str, int] | None:
        """Stop the thread, then deliver what is due (waiting out a short outage)."""
        return close_delivery(self.thread, self.outbox, lambda: finish(
            self.deliverer, self.evaluator, self.exit_wait_s), timeout)


class AlertingSink(DeliverySink):
    """The pipeline's sink with alerts attached (same add / flush / close)."""

    suffix = "alerts"


def attach(sink, config, **options) -> AlertingSink:
    """Wrap a built sink (an IncidentSink or a wrapper of one) with the configured alerts."""
    return AlertingSink(sink, AlertService(config, **options))


# -- webcare alerts status | test -----------------------------------------------------------
def status(config) -> dict:
    """Entries per alert and state, the next pending entries and the dead ones."""
    outbox = AlertOutbox.open(config.store)
    try:
        counts = outbox.counts()
        for alert in config.alerts:
            counts.setdefault(alert.name, {})
        return {"counts": counts, "pending": outbox.listing("pending"),
                "dead": outbox.listing("dead")}
    finally:
        outbox.close()


def format_status(report: dict) -> str:
    lines = []
    for alert, states in sorted(report["counts"].items()):
        shown = ", ".join(f"{state} {states.get(state, 0)}"
                          for state in ("pending", "sent", "dead", "folded"))
        lines.append(f"{alert}: {shown}")
    if not lines:
        lines.append("no alerts configured and the outbox is empty")
    lines += status_lines(report, lambda row: f"{row['alert']} {row['event']} {row['subject']}",
                          lambda row: f"(status {row['status']}): {row['error']}")
    return "\n".join(lines)


def send_test(config, name: str) -> str:
    """Send a test message to one alert's destination now (no outbox, no filter); returns a
    line for the operator. Raises LookupError for an unknown name, AlertSetupError for a
    missing secret, Retryable / Rejected when the destination fails."""
    alert = next((a for a in config.alerts if a.name == name), None)
    if alert is None:
        known = ", ".join(a.name for a in config.alerts) or "none configured"
        raise LookupError(f"no alert named {name!r} (alerts: {known})")
    event = ev.probe_event(name, utcnow())
    note = build_sender(alert).send(event, idempotency_key(name, event.key))
    return f"test alert sent to {name} ({alert.type})" + (f": {note}" if note else "")


def retry(config, alert: str | None = None) -> dict[str, int]:
    """``webcare alerts retry``: dead entries back to pending, then deliver what is due now."""
    service = AlertService(config, background=False)
    return requeue_and_drain(service.outbox, service.deliverer, alert)
