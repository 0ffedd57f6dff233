"""The delivery loop: sends due outbox entries to their ticket sinks, with retries.

:meth:`Deliverer.run_once` is called by the delivery thread (every ``poll`` seconds and when the
pipeline enqueued something), by tests with a simulated clock, and by ``webcare tickets
retry``. Per (sink, incident) only the oldest pending entry is ever in flight, so a ticket sees
open → updates → resolve in order. Outcomes: success stores the ticket id (later events update
that ticket); :class:`Retryable` (429, 5xx, timeout, refused) reschedules with exponential
backoff and full jitter, never sooner than ``Retry-After``; :class:`Rejected` (4xx) and
entries retried for longer than ``give_up_hours`` become dead letters with the response body.
A sink that raises anything else is treated as retryable, so nothing is ever dropped silently.
The loop, the retry and the thread are :mod:`sinks.outbox_delivery` (shared with alerts); here
only what delivering a ticket means (:meth:`Deliverer.deliver`).
"""

from __future__ import annotations

import logging

from schemas.plumbing.http import Rejected
from schemas.plumbing.retry import Policy
from sinks.outbox_delivery import Clock, DeliveryThread, OutboxDeliverer, alias, utcnow
from sinks.store.ticket_outbox import Outbox
from sinks.tickets.base import Entry, TicketSink
from sinks.tickets.desk import outgoing

__all__ = ["Clock", "Deliverer", "DeliveryThread", "Policy", "utcnow"]
log = logging.getLogger("webcare.tickets")


class Deliverer(OutboxDeliverer):
    """``Deliverer(outbox, sinks, policies, clock, rng)``: sinks and retry policies by name."""

    outbox: Outbox
    what, log = "ticket", log

    sinks = alias("targets")  # dict[str, TicketSink]
    policies = alias("configs")  # dict[str, Policy]

    def policy(self, entry: Entry) -> Policy:
        return self.policies.get(entry.sink, Policy())

    def names(self, entry: Entry) -> tuple[str, str]:
        return entry.sink, entry.event_id

    def enqueued_at(self, entry: Entry):
        return self.outbox.enqueued_at(entry)

    def deliver(self, sink: TicketSink, entry: Entry) -> str:
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
            return self._dead(entry, error, str(error))
        except Exception as error:
            return self._retry(entry, error, now)
        self.outbox.mark_sent(entry, ticket, self.clock())
        return "sent"
