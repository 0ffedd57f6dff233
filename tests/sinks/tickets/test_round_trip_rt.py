"""The ticket round trip against a REAL Request Tracker 5 (issue 21): a quiet-volume resolution
only comments; the desk resolves the ticket in RT; the status reader resolves the incident."""

from __future__ import annotations

import json
import urllib.request
import uuid
from datetime import timedelta

import pytest

from sinks.store import incident_rows, ticket_status
from sinks.store.app_db import AppDb
from sinks.tickets.desk import StatusPoller
from sinks.tickets.rt import RtConfig, RtSink
from tests.conftest import T0
from tests.sinks.tickets.conftest import SimClock, deliverer, incident, lifecycle
from tests.sinks.tickets.rt_server import AUTH, real_rt

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def rt_url():
    with real_rt() as url:
        yield url


def call(url: str, method: str, path: str, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + "/REST/2.0" + path, data=data, method=method,
                                     headers={"Authorization": AUTH,
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def test_the_desk_resolves_in_rt_and_the_incident_follows(rt_url, store, outbox, monkeypatch):
    monkeypatch.setenv("RT_PASSWORD", "password")
    config = RtConfig(url=rt_url, user="root", timeout=30,
                      round_trip={"enabled": True, "poll_minutes": 0, "max_age_days": 3650})
    sinks, clock = {"rt": RtSink(config)}, SimClock(T0 + timedelta(hours=2))
    key = f"burst:Lumen Telecom:outage:rt-{uuid.uuid4().hex[:8]}"
    with AppDb(store.db).tx():
        incident_rows.apply_event(store.db, "opened", incident(key))
    outbox.enqueue(lifecycle(key, updates=1), ["rt"], clock())
    assert deliverer(outbox, sinks, clock).drain()["sent"] == 3
    ticket = outbox.ticket_id("rt", key)
    assert call(rt_url, "GET", f"/ticket/{ticket}")["Status"] != "resolved"  # only a comment

    poller = StatusPoller([config], sinks, clock)
    [first] = poller.run_once(store.db)
    assert first.after == "open" and not first.resolved
    call(rt_url, "PUT", f"/ticket/{ticket}", {"Status": "resolved"})  # the desk agent
    [change] = poller.run_once(store.db)
    assert (change.before, change.after, change.tool_status, change.resolved) == (
        "open", "resolved", "resolved", True)
    assert ticket_status.resolution(store.db, key).decided_by == f"desk:rt:{ticket}"
    assert [i.status for i in store.incidents() if i.key == key] == ["resolved"]
