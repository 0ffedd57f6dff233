"""Generic webhook sink against a receiver on 127.0.0.1 that checks the HMAC signature."""

from __future__ import annotations

import pytest

from sinks.tickets.webhook import WebhookTicketConfig, WebhookTicketSink
from tests.sinks.tickets.conftest import KEY, SimClock, deliverer, lifecycle
from tests.sinks.tickets.fakes import FakeWebhook, Server


@pytest.fixture
def hook(monkeypatch):
    monkeypatch.setenv("WEBCARE_TICKET_WEBHOOK_SECRET", "hook-secret")
    with Server(FakeWebhook()) as server:
        yield server


def make_sink(server) -> WebhookTicketSink:
    return WebhookTicketSink(WebhookTicketConfig(url=server.url + "/itsm", timeout=2))


@pytest.mark.slow
def test_signed_events_in_order_with_the_ticket_id(hook, outbox):
    clock = SimClock()
    outbox.enqueue(lifecycle(updates=2), ["webhook"], clock())
    assert deliverer(outbox, {"webhook": make_sink(hook)}, clock).drain()["sent"] == 4
    events = hook.tool.tickets[KEY]
    assert [e["kind"] for e in events] == ["opened", "updated", "updated", "resolved"]
    assert events[0]["ticket_id"] is None and {e["ticket_id"] for e in events[1:]} == \
        {outbox.ticket_id("webhook", KEY)}
    assert hook.tool.creates(KEY) == 1 and events[-1]["incident"]["status"] == "resolved"


@pytest.mark.slow
def test_bad_signature_is_a_dead_letter(hook, outbox, monkeypatch):
    monkeypatch.setenv("WEBCARE_TICKET_WEBHOOK_SECRET", "other")
    clock = SimClock()
    outbox.enqueue(lifecycle(updates=0), ["webhook"], clock())
    deliverer(outbox, {"webhook": make_sink(hook)}, clock).drain()
    assert [d["status"] for d in outbox.dead()] == [401, 401] and hook.tool.tickets == {}


@pytest.mark.slow
def test_5xx_then_success_retries_with_the_same_event_id(hook, outbox):
    clock = SimClock()
    hook.tool.faults = [(500, {}, "boom"), (502, {}, "bad gateway")]
    loop = deliverer(outbox, {"webhook": make_sink(hook)}, clock)
    outbox.enqueue(lifecycle(updates=0), ["webhook"], clock())
    for _ in range(30):
        loop.run_once()
        clock.advance(5)
    assert outbox.counts() == {"webhook": {"sent": 2}} and hook.tool.creates(KEY) == 1
    assert hook.tool.redeliveries == 0


def test_connection_refused_is_retried(outbox, monkeypatch):
    monkeypatch.setenv("WEBCARE_TICKET_WEBHOOK_SECRET", "hook-secret")
    server = Server(FakeWebhook())
    url = server.url
    server.httpd.server_close()  # nothing listens on that port now
    clock = SimClock()
    sink = WebhookTicketSink(WebhookTicketConfig(url=url, timeout=1))
    outbox.enqueue(lifecycle(updates=0), ["webhook"], clock())
    assert deliverer(outbox, {"webhook": sink}, clock).run_once()["retry"] == 1
