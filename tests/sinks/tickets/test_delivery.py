"""The delivery loop with a scripted sink and a simulated clock: backoff, Retry-After, 4xx."""

from __future__ import annotations

import random

from schemas.plumbing.http import Rejected, Retryable
from sinks.tickets.delivery import Policy
from tests.sinks.tickets.conftest import KEY, SimClock, deliverer, lifecycle


class Scripted:
    """Raises the scripted errors in order, then succeeds; records what it delivered."""

    name = "fake"

    def __init__(self, *errors) -> None:
        self.errors, self.calls, self.delivered = list(errors), [], []

    def deliver(self, entry, ticket_id):
        self.calls.append((entry.kind, ticket_id))
        if self.errors:
            raise self.errors.pop(0)
        self.delivered.append((entry.kind, ticket_id))
        return ticket_id or "T-1"


def test_backoff_grows_with_full_jitter_and_is_capped():
    policy, rng = Policy(backoff_initial=2, backoff_max=60), random.Random(1)
    for attempts in range(12):
        delay = policy.delay(attempts, None, rng)
        assert 1.0 <= delay <= min(60, 2 * 2 ** attempts)
    assert policy.delay(0, 120.0, rng) == 120.0  # Retry-After wins when longer


def test_retry_after_is_respected(outbox):
    clock, sink = SimClock(), Scripted(Retryable("HTTP 429", retry_after=90, status=429))
    loop = deliverer(outbox, {"fake": sink}, clock)
    outbox.enqueue(lifecycle(updates=0), ["fake"], clock())
    assert loop.run_once()["retry"] == 1
    clock.advance(89)
    assert loop.run_once() == {"sent": 0, "retry": 0, "dead": 0, "skipped": 0}
    clock.advance(1)
    assert loop.drain()["sent"] == 2
    assert sink.delivered == [("opened", None), ("resolved", "T-1")]


def test_4xx_is_a_dead_letter_with_the_body(outbox):
    clock = SimClock()
    sink = Scripted(Rejected(400, '{"error": "Invalid category"}'))
    loop = deliverer(outbox, {"fake": sink}, clock)
    outbox.enqueue(lifecycle(updates=0), ["fake"], clock())
    counts = loop.drain()
    assert counts["dead"] == 1 and counts["sent"] == 1  # the resolve created the ticket
    dead = outbox.dead()[0]
    assert (dead["status"], dead["body"], dead["kind"]) == (400, '{"error": "Invalid category"}',
                                                             "opened")


def test_unexpected_errors_are_retried_not_dropped(outbox):
    clock, sink = SimClock(), Scripted(RuntimeError("bug in a sink"))
    loop = deliverer(outbox, {"fake": sink}, clock, backoff_initial=1, backoff_max=1)
    outbox.enqueue(lifecycle(updates=0), ["fake"], clock())
    loop.run_once()
    clock.advance(2)
    assert loop.drain()["sent"] == 2


def test_entries_retrying_past_give_up_become_dead(outbox):
    clock = SimClock()
    sink = Scripted(*[Retryable("HTTP 503", status=503)] * 100)
    loop = deliverer(outbox, {"fake": sink}, clock, backoff_max=600, give_up_hours=2)
    outbox.enqueue(lifecycle(updates=0), ["fake"], clock())
    for _ in range(60):
        loop.run_once()
        clock.advance(600)
    assert outbox.dead()[0]["error"].startswith("gave up after 2 h")


def test_requeued_dead_entry_older_than_a_sent_one_is_superseded(outbox):
    clock = SimClock()
    sink = Scripted(Rejected(400, "bad"))
    loop = deliverer(outbox, {"fake": sink}, clock)
    outbox.enqueue(lifecycle(updates=1), ["fake"], clock())
    loop.drain()  # opened dead, updated creates T-1, resolved updates it
    outbox.retry(clock())
    loop.drain()
    assert sink.delivered == [("updated", None), ("resolved", "T-1")]  # no stale re-send
    assert outbox.counts() == {"fake": {"sent": 3}}


def test_sink_missing_from_config_keeps_entries(outbox):
    clock = SimClock()
    outbox.enqueue(lifecycle(KEY), ["gone"], clock())
    assert deliverer(outbox, {}, clock).run_once()["skipped"] == 1
    assert outbox.counts() == {"gone": {"pending": 4}}
