"""ServiceNow sink against a contract fake on 127.0.0.1 (Table API)."""

from __future__ import annotations

import pytest

from sinks.store.ticket_outbox import CLAIM_S
from sinks.tickets.servicenow import ServiceNowConfig, ServiceNowSink
from tests.sinks.tickets.conftest import KEY, SimClock, deliverer, lifecycle
from tests.sinks.tickets.fakes import FakeServiceNow, Server


@pytest.fixture
def snow(monkeypatch):
    monkeypatch.setenv("SERVICENOW_PASSWORD", "s3cret")
    with Server(FakeServiceNow()) as server:
        yield server


def make_sink(server, **extra) -> ServiceNowSink:
    return ServiceNowSink(ServiceNowConfig(url=server.url, user="webcare", timeout=2, **extra))


@pytest.mark.slow
def test_lifecycle_creates_once_then_patches(snow, outbox):
    clock = SimClock()
    loop = deliverer(outbox, {"servicenow": make_sink(snow)}, clock)
    outbox.enqueue(lifecycle(updates=2), ["servicenow"], clock())
    assert loop.drain()["sent"] == 4
    [record] = snow.tool.by_correlation(KEY)
    assert (record["state"], record["contact_type"], record["urgency"]) == ("6", "social", "1")
    assert record["close_code"] == "Solved (Permanently)" and len(record["work_notes"]) == 3
    assert record["category"] == "network" and "113 reports" in record["work_notes"][1]
    assert outbox.ticket_id("servicenow", KEY) == record["sys_id"]


@pytest.mark.slow
def test_oauth_bearer(monkeypatch, outbox):
    monkeypatch.setenv("SERVICENOW_TOKEN", "oauth-abc")
    with Server(FakeServiceNow(token="oauth-abc")) as server:
        sink = ServiceNowSink(ServiceNowConfig(url=server.url, auth="oauth"))
        clock = SimClock()
        outbox.enqueue(lifecycle(updates=0), ["servicenow"], clock())
        assert deliverer(outbox, {"servicenow": sink}, clock).drain()["sent"] == 2


@pytest.mark.slow
def test_wrong_password_is_a_dead_letter_with_the_body(snow, outbox, monkeypatch):
    monkeypatch.setenv("SERVICENOW_PASSWORD", "wrong")
    clock = SimClock()
    outbox.enqueue(lifecycle(updates=0), ["servicenow"], clock())
    deliverer(outbox, {"servicenow": make_sink(snow)}, clock).drain()
    dead = outbox.dead()
    assert [d["status"] for d in dead] == [401, 401]
    assert "User Not Authenticated" in dead[0]["body"] and snow.tool.records == {}


@pytest.mark.slow
def test_crash_between_create_and_store_does_not_duplicate(snow, outbox):
    """The record is created but the sys_id never reaches the outbox: the lookup finds it."""
    sink, clock = make_sink(snow), SimClock()
    outbox.enqueue(lifecycle(updates=1), ["servicenow"], clock())
    first = outbox.due(clock())[0]
    sink.deliver(first, None)  # ... and the process dies before mark_sent
    clock.advance(CLAIM_S)  # the dead worker's claim expires
    assert deliverer(outbox, {"servicenow": make_sink(snow)}, clock).drain()["sent"] == 3
    assert len(snow.tool.by_correlation(KEY)) == 1


@pytest.mark.slow
def test_down_for_an_hour_loses_nothing_and_duplicates_nothing(snow, outbox):
    """503 for an hour of simulated time, then back: every event delivered once, in order."""
    clock, sink = SimClock(), make_sink(snow)
    loop = deliverer(outbox, {"servicenow": sink}, clock, backoff_initial=2, backoff_max=300)
    keys = [f"burst:Lumen Telecom:outage:20261120T{h:02d}00Z" for h in range(10, 15)]
    snow.tool.down = True
    for key in keys:
        outbox.enqueue(lifecycle(key, updates=3), ["servicenow"], clock())
    attempts = 0
    while clock.now - SimClock().now < __import__("datetime").timedelta(hours=1):
        attempts += loop.run_once()["retry"]
        clock.advance(5)
    assert outbox.counts() == {"servicenow": {"pending": 25}} and attempts > 5 * 8
    snow.tool.down = False
    for _ in range(200):  # at most the backoff cap (300 s) until each incident is retried
        loop.run_once()
        clock.advance(5)
    assert outbox.counts() == {"servicenow": {"sent": 25}}
    for key in keys:
        [record] = snow.tool.by_correlation(key)
        assert record["state"] == "6" and len(record["work_notes"]) == 4
        assert [n.split(" at ")[0] for n in record["work_notes"]] == \
            ["Incident updated"] * 3 + ["Incident resolved"]


@pytest.mark.slow
def test_retry_after_header_from_the_server(snow, outbox):
    clock = SimClock()
    snow.tool.faults = [(429, {"Retry-After": "120"}, '{"error": "rate limited"}')]
    loop = deliverer(outbox, {"servicenow": make_sink(snow)}, clock)
    outbox.enqueue(lifecycle(updates=0), ["servicenow"], clock())
    loop.run_once()
    assert outbox.pending()[0]["next_ts"] >= clock().timestamp() + 120
    clock.advance(121)
    assert loop.drain()["sent"] == 2
