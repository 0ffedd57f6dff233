"""The ticket round trip (issue 21) per tool: the desk resolves the ticket, webcare reads it
back and resolves the incident (SQLite and PostgreSQL, contract fakes on 127.0.0.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import TypeAdapter

from sinks.store import incident_rows, ticket_status
from sinks.store.app_store import AppStore
from sinks.tickets.desk import StatusPoller
from sinks.tickets.registry import TicketConfig, build_sinks
from tests.conftest import T0
from tests.sinks.tickets.conftest import KEY, SimClock, deliverer, incident, lifecycle
from tests.sinks.tickets.fakes import Server
from tests.sinks.tickets.fakes_desk import REST_CONFIG, DeskJira, DeskRest, DeskServiceNow

TOOLS = {
    "servicenow": (DeskServiceNow, {"SERVICENOW_PASSWORD": "s3cret"},
                   {"type": "servicenow", "user": "webcare"}),
    "jira": (DeskJira, {"JIRA_API_TOKEN": "tok"},
             {"type": "jira", "project": "ITSM", "user": "bot@acme.test",
              "resolve_transition": "Resolve"}),
    "rest": (DeskRest, {"DESK_REST_TOKEN": "rest-token"}, REST_CONFIG),
}


def config_of(tool: str, url: str, **round_trip):
    _, _, base = TOOLS[tool]
    trip = {"enabled": True, **base.get("round_trip", {}), **round_trip}
    return TypeAdapter(TicketConfig).validate_python(
        {**base, "url": url, "timeout": 2, "round_trip": trip})


@pytest.fixture(params=sorted(TOOLS))
def desk(request, monkeypatch):
    fake, env, _ = TOOLS[request.param]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with Server(fake()) as server:
        server.kind = request.param
        yield server


def seed(store) -> None:
    from sinks.store.app_db import AppDb

    with AppDb(store.db).tx():
        incident_rows.apply_event(store.db, "opened", incident())


def ticket_of(desk, outbox, sink):
    ticket = outbox.ticket_id(sink, KEY)
    tool = desk.tool
    record = {"servicenow": lambda: tool.records[ticket], "jira": lambda: tool.issues[ticket],
              "rest": lambda: tool.tickets[ticket]}[desk.kind]()
    return ticket, record


def closed(desk, record) -> bool:
    return {"servicenow": lambda: record["state"] == "6",
            "jira": lambda: record["status"] != "Open",
            "rest": lambda: record["state"] == "Closed"}[desk.kind]()


def notes(desk, record) -> list[str]:
    return {"servicenow": lambda: record["work_notes"], "jira": lambda: record["comments"],
            "rest": lambda: record["notes"]}[desk.kind]()


@pytest.mark.slow
def test_quiet_volume_proposes_and_the_desk_resolution_resolves_the_incident(
        desk, store, outbox):
    config = config_of(desk.kind, desk.url)
    sinks, clock = build_sinks([config]), SimClock(T0 + timedelta(hours=2))
    name = config.sink_name
    seed(store)  # the stored incident
    loop = deliverer(outbox, sinks, clock)
    outbox.enqueue(lifecycle(updates=1), [name], clock())  # opened, updated, quiet resolved
    assert loop.drain()["sent"] == 3
    ticket, record = ticket_of(desk, outbox, name)
    assert not closed(desk, record)  # quiet volume never closes the desk's ticket
    assert "webcare proposes to resolve" in notes(desk, record)[-1]

    poller = StatusPoller([config], sinks, clock)
    [first] = poller.run_once(store.db)
    assert (first.before, first.after, first.resolved) == (None, "open", False)
    assert ticket_status.resolution(store.db, KEY) is None

    desk.tool.desk_resolve(ticket)
    clock.advance(60)
    [change] = poller.run_once(store.db)
    assert (change.before, change.after, change.resolved) == ("open", "resolved", True)
    found = ticket_status.resolution(store.db, KEY)
    assert found.decided_by == f"desk:{name}:{ticket}" and found.resolved_at == clock()
    stored = store.incidents()[0]
    assert stored.status == "resolved" and "at the service desk" in stored.reasons[-1]
    [entry] = [a for a in AppStore(store).audit_entries() if a["action"] == "incident.desk_resolve"]
    assert entry["actor"] == f"desk:{name}:{ticket}" and entry["after"]["status"] == "resolved"
    assert [r.incident_key for r in ticket_status.unnotified(store.db)] == [KEY]
    assert poller.run_once(store.db) == []  # resolved at the desk: no longer polled


@pytest.mark.slow
def test_the_desk_resolution_is_not_sent_back_to_its_own_ticket(desk, store, outbox):
    from route.incidents import IncidentEvent

    config = config_of(desk.kind, desk.url)
    sinks, clock = build_sinks([config]), SimClock(T0 + timedelta(hours=2))
    name = config.sink_name
    seed(store)
    loop = deliverer(outbox, sinks, clock)
    outbox.enqueue(lifecycle(updates=0)[:1], [name], clock())
    loop.drain()
    ticket, record = ticket_of(desk, outbox, name)
    desk.tool.desk_resolve(ticket)
    StatusPoller([config], sinks, clock).run_once(store.db)
    resolved = ticket_status.incident(store.db, KEY)
    at = ticket_status.resolution(store.db, KEY).resolved_at
    before = len(desk.tool.requests)
    outbox.enqueue([IncidentEvent("resolved", resolved, at, (), f"desk:{name}:{ticket}")],
                   [name], clock())
    assert loop.drain()["sent"] == 1
    assert len(desk.tool.requests) == before  # nothing sent to the ticket the desk resolved
    [row] = [r for r in outbox._rows("SELECT kind, last_error FROM ticket_outbox WHERE "
                                     "kind = 'resolved'")]
    assert row[1].startswith("resolved at the desk")


@pytest.mark.slow
def test_a_ticket_the_desk_reopens_does_not_reopen_the_incident_and_failures_are_reported(
        store, outbox, monkeypatch):
    monkeypatch.setenv("SERVICENOW_PASSWORD", "s3cret")
    with Server(DeskServiceNow()) as snow:
        config = config_of("servicenow", snow.url)
        sinks, clock = build_sinks([config]), SimClock(T0 + timedelta(hours=2))
        seed(store)
        outbox.enqueue(lifecycle(updates=0)[:1], ["servicenow"], clock())
        deliverer(outbox, sinks, clock).drain()
        ticket = outbox.ticket_id("servicenow", KEY)
        poller = StatusPoller([config], sinks, clock)
        snow.tool.down = True
        [failed] = poller.run_once(store.db)
        assert failed.error and "503" in failed.error and not failed.changed
        snow.tool.down = False
        snow.tool.desk_resolve(ticket, state="7", close_code="Closed/Resolved by Caller")
        [change] = poller.run_once(store.db)
        assert change.resolved and change.tool_status == "7"
        snow.tool.records[ticket]["state"] = "2"  # reopened at the desk
        assert poller.run_once(store.db) == []  # the incident stays resolved (final)
        assert store.incidents()[0].status == "resolved"
