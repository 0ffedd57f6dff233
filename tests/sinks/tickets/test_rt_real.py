"""Request Tracker 5 REST2 sink against a REAL RT (installed and started by the fixture)."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from sinks.store.ticket_outbox import CLAIM_S
from sinks.tickets.base import tag
from sinks.tickets.rt import RtConfig, RtSink
from tests.sinks.tickets.conftest import SimClock, deliverer, lifecycle
from tests.sinks.tickets.rt_server import AUTH, real_rt


@pytest.fixture(scope="module")
def rt_url():
    with real_rt() as url:
        yield url


@pytest.fixture
def rt_sink(rt_url, monkeypatch):
    monkeypatch.setenv("RT_PASSWORD", "password")
    return RtSink(RtConfig(url=rt_url, user="root", timeout=30))


def get(url: str, path: str):
    request = urllib.request.Request(url + "/REST/2.0" + path, headers={"Authorization": AUTH})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def unique_key() -> str:
    return f"burst:Lumen Telecom:outage:test-{uuid.uuid4().hex[:8]}"


def test_create_comment_resolve_on_real_rt(rt_url, rt_sink, outbox):
    key, clock = unique_key(), SimClock()
    loop = deliverer(outbox, {"rt": rt_sink}, clock)
    outbox.enqueue(lifecycle(key, updates=2), ["rt"], clock())
    assert loop.drain() == {"sent": 4, "retry": 0, "dead": 0, "skipped": 0}
    ticket_id = outbox.ticket_id("rt", key)
    ticket = get(rt_url, f"/ticket/{ticket_id}")
    assert ticket["Status"] == "resolved" and tag(key) in ticket["Subject"]
    history = get(rt_url, f"/ticket/{ticket_id}/history?fields=Type&per_page=100")["items"]
    assert [h["Type"] for h in history].count("Comment") == 3


def test_crash_between_create_and_store_finds_the_ticket(rt_url, rt_sink, outbox):
    key, clock = unique_key(), SimClock()
    outbox.enqueue(lifecycle(key, updates=0), ["rt"], clock())
    created = rt_sink.deliver(outbox.due(clock())[0], None)  # the id is never stored
    clock.advance(CLAIM_S)  # the dead worker's claim expires
    deliverer(outbox, {"rt": rt_sink}, clock).drain()
    assert outbox.ticket_id("rt", key) == created
    found = get(rt_url, "/tickets?query=" + urllib.request.quote(f"Subject LIKE '{tag(key)}'"))
    assert found["total"] == 1


def test_wrong_password_is_a_dead_letter(rt_url, outbox, monkeypatch):
    monkeypatch.setenv("RT_PASSWORD", "wrong")
    clock = SimClock()
    sink = RtSink(RtConfig(url=rt_url, user="root", timeout=30))
    outbox.enqueue(lifecycle(unique_key(), updates=0), ["rt"], clock())
    deliverer(outbox, {"rt": sink}, clock).drain()
    assert [d["status"] for d in outbox.dead()] == [401, 401]


def test_unknown_queue_is_a_dead_letter_with_rts_message(rt_url, outbox, monkeypatch):
    monkeypatch.setenv("RT_PASSWORD", "password")
    clock = SimClock()
    sink = RtSink(RtConfig(url=rt_url, user="root", queue="NoSuchQueue", timeout=30))
    outbox.enqueue(lifecycle(unique_key(), updates=0), ["rt"], clock())
    deliverer(outbox, {"rt": sink}, clock).drain()
    dead = outbox.dead()
    assert dead and dead[0]["status"] in (400, 403) and "NoSuchQueue" in dead[0]["body"]
