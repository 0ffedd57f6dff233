"""Tickets in the pipeline and the ``webcare tickets status|retry`` commands.

:func:`attach` is called by ``build_pipeline`` when ``tickets:`` is configured: the returned
:class:`TicketingSink` wraps the incident sink, whose listener (:meth:`TicketDelivery.__call__`)
enqueues every event after the store flush (so a ticket is only ever sent for a stored
incident) and wakes the delivery thread. Closing the sink stops the thread after a last pass;
entries not yet delivered stay in the outbox for the next run or ``webcare tickets retry``.
An enqueue failure raises from ``flush`` (no checkpoint) and is retried by the next flush.
"""

from __future__ import annotations

from sinks.outbox_delivery import DeliverySink, close_delivery, requeue_and_drain, status_lines
from sinks.store.ticket_outbox import Outbox
from sinks.tickets.delivery import Clock, Deliverer, DeliveryThread, utcnow
from sinks.tickets.desk import PollThread, StatusPoller
from sinks.tickets.registry import build_sinks, policies


class TicketDelivery:
    """Outbox + sinks + delivery thread of one run."""

    def __init__(self, tickets: list, store_config, clock: Clock = utcnow,
                 background: bool = True, poll: float = 5.0) -> None:
        sinks = build_sinks(tickets)
        self.outbox = Outbox.open(store_config)
        self.names = list(sinks)
        self.clock = clock
        self.deliverer = Deliverer(self.outbox, sinks, policies(tickets), clock)
        self.thread = DeliveryThread(self.deliverer, poll, "ticket-delivery").start() \
            if background else None
        self.poller = StatusPoller(tickets, sinks, clock)  # the desk's state read back (issue 21)
        self.status_thread = PollThread(self.poller, lambda: _open(store_config),
                                        lambda store: store.close()).start() \
            if background else None

    def __call__(self, events: list) -> None:
        """The IncidentSink listener: persist the events, then nudge delivery."""
        self.outbox.enqueue(events, self.names, self.clock())
        if self.thread:
            self.thread.wake()

    def close(self, timeout: float = 30.0) -> None:
        if self.status_thread:
            self.status_thread.stop(timeout)
        # then deliver until nothing due is left (retries wait for later)
        close_delivery(self.thread, self.outbox, self.deliverer.drain, timeout)


class TicketingSink(DeliverySink):
    """The pipeline's sink with ticket delivery attached (same add/flush/close)."""

    suffix = "tickets"


def _open(store_config):
    from sinks.store.registry import open_store

    return open_store(store_config)


def attach(sink, config) -> TicketingSink:
    """Wrap an :class:`sinks.incident_sink.IncidentSink` with the configured ticket sinks."""
    return TicketingSink(sink, TicketDelivery(config.tickets, config.store))


def status(config) -> dict:
    """Counts per sink and state, the next pending entries and the dead letters."""
    outbox = Outbox.open(config.store)
    try:
        return {"counts": outbox.counts(), "pending": outbox.pending(), "dead": outbox.dead()}
    finally:
        outbox.close()


def format_status(report: dict) -> str:
    lines = [f"{sink}: " + ", ".join(f"{state} {n}" for state, n in sorted(states.items()))
             for sink, states in sorted(report["counts"].items())] or ["outbox is empty"]
    lines += status_lines(
        report, lambda row: f"#{row['seq']} {row['sink']} {row['kind']} {row['incident_key']}",
        lambda row: f"HTTP {row['status']}: {row['error']} body: {(row['body'] or '')[:200]}")
    return "\n".join(lines)


def retry(config, sink: str | None = None) -> dict[str, int]:
    """Re-queue dead entries and deliver everything due now (in the foreground)."""
    delivery = TicketDelivery(config.tickets, config.store, background=False)
    return requeue_and_drain(delivery.outbox, delivery.deliverer, sink)
