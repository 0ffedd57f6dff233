"""The generic ``rest`` sink against a ticket API on 127.0.0.1: auth modes, ids, retries."""

from __future__ import annotations

import pytest

from sinks.store.ticket_outbox import CLAIM_S
from sinks.tickets.templated import RestTicketConfig, RestTicketSink
from tests.sinks.tickets.conftest import KEY, SimClock, deliverer, lifecycle
from tests.sinks.tickets.fakes import Server
from tests.sinks.tickets.fakes_rest import Clock, FakeTicketApi

CREATE = {"method": "POST", "path": "/api/tickets",
          "body": '{"title": {{ incident.title | tojson }}, "key": {{ incident.key | tojson }},'
                  ' "description": {{ incident.description | tojson }},'
                  ' "urgency": {{ incident.level }}}',
          "id": {"jsonpath": "$.ticket.id"}}
NOTE = {"method": "POST", "path": "/api/tickets/{{ ticket_id }}/notes",
        "body": '{"text": {{ event.note | tojson }}}'}
RESOLVE = [NOTE, {"method": "PATCH", "path": "/api/tickets/{{ ticket_id }}",
                  "body": '{"status": "resolved"}'}]
LOOKUP = {"method": "GET", "path": "/api/tickets", "query": {"key": "{{ incident.key }}"},
          "id": {"jsonpath": "$.items[0].id"}}


def rest_config(server, auth=None, **extra) -> RestTicketConfig:
    data = {"url": server.url, "timeout": 2, "auth": auth or {"type": "basic", "user": "webcare"},
            "lookup": LOOKUP, "create": CREATE, "update": NOTE, "resolve": RESOLVE, **extra}
    return RestTicketConfig.model_validate(data)


@pytest.fixture
def api(monkeypatch):
    monkeypatch.setenv("WEBCARE_REST_PASSWORD", "s3cret")
    with Server(FakeTicketApi("basic")) as server:
        yield server


def deliver_all(outbox, sink, updates=2, clock=None):
    clock = clock or SimClock()
    outbox.enqueue(lifecycle(updates=updates), ["rest"], clock())
    return deliverer(outbox, {"rest": sink}, clock).drain()


@pytest.mark.slow
def test_basic_auth_lifecycle_one_ticket_notes_then_resolved(api, outbox):
    assert deliver_all(outbox, RestTicketSink(rest_config(api)))["sent"] == 4
    [ticket] = api.tool.by_key(KEY)
    assert ticket["status"] == "resolved" and ticket["urgency"] == 1
    assert [n.split(" at ")[0] for n in ticket["notes"]] == \
        ["Incident updated"] * 2 + ["Incident resolved"]
    assert "Incident key: " + KEY in ticket["description"]
    assert outbox.ticket_id("rest", KEY) == "T-1"


@pytest.mark.slow
def test_bearer_and_the_id_from_the_location_header(monkeypatch, outbox):
    monkeypatch.setenv("WEBCARE_REST_TOKEN", "static-token")
    with Server(FakeTicketApi("bearer")) as server:
        create = {**CREATE, "path": "/api/v2/tickets",
                  "id": {"header": "Location", "regex": r"/tickets/([^/]+)$"}}
        config = rest_config(server, {"type": "bearer"}, create=create, lookup=[])
        assert deliver_all(outbox, RestTicketSink(config), updates=0)["sent"] == 2
        assert server.tool.by_key(KEY)[0]["status"] == "resolved"
        assert outbox.ticket_id("rest", KEY) == "T-1"


def oauth2(**extra) -> dict:
    return {"type": "oauth2", "token_url": "/oauth/token", "client_id": "webcare", **extra}


@pytest.mark.slow
@pytest.mark.parametrize("client_auth", ["body", "basic"])
def test_oauth2_token_is_cached_renewed_at_expiry_and_refreshed_once_on_401(
        monkeypatch, outbox, client_auth):
    monkeypatch.setenv("WEBCARE_REST_CLIENT_SECRET", "client-secret")
    clock = Clock()
    with Server(FakeTicketApi("oauth2", clock, ttl=600)) as server:
        auth = oauth2(client_auth=client_auth, scope="tickets.write")
        sink = RestTicketSink(rest_config(server, auth), clock)
        sim = SimClock()
        loop = deliverer(outbox, {"rest": sink}, sim)
        outbox.enqueue(lifecycle(updates=1), ["rest"], sim())
        assert loop.run_once()["sent"] == 1 and server.tool.issued == 1  # lookup+create, 1 token
        clock.now = 100.0
        assert loop.run_once()["sent"] == 1 and server.tool.issued == 1  # cached
        clock.now = 575.0  # within expiry_margin (30 s) of the 600 s lifetime: renewed first
        server.tool.revoke()  # ... and the server forgot every token anyway (restart)
        assert loop.run_once()["sent"] == 1 and server.tool.issued == 2
        assert [s for m, s in server.tool.requests if s == "/oauth/token"] == ["/oauth/token"] * 2
        server.tool.revoke()  # token still fresh on our side: a 401 fetches one new token
        outbox.enqueue(lifecycle("burst:Lumen Telecom:outage:20261120T1300Z", 0), ["rest"], sim())
        assert loop.drain()["sent"] == 2 and server.tool.issued == 3
        assert outbox.counts() == {"rest": {"sent": 5}}
        assert server.tool.scopes == ["tickets.write"] * 3


@pytest.mark.slow
def test_oauth2_wrong_client_secret_is_a_dead_letter_without_the_secret(monkeypatch, outbox):
    monkeypatch.setenv("WEBCARE_REST_CLIENT_SECRET", "not-the-secret")
    with Server(FakeTicketApi("oauth2")) as server:
        deliver_all(outbox, RestTicketSink(rest_config(server, oauth2())), updates=0)
        dead = outbox.dead()
        assert [d["status"] for d in dead] == [401, 401] and "invalid_client" in dead[0]["body"]
        assert not any("not-the-secret" in (d["error"] + d["body"]) for d in dead)
        assert server.tool.tickets == {}


@pytest.mark.slow
def test_a_token_that_fails_after_refresh_is_a_dead_letter_not_a_loop(monkeypatch, outbox):
    monkeypatch.setenv("WEBCARE_REST_CLIENT_SECRET", "client-secret")
    with Server(FakeTicketApi("oauth2", ttl=0)) as server:  # every token is born expired
        deliver_all(outbox, RestTicketSink(rest_config(server, oauth2(expiry_margin=0))),
                    updates=0)
        assert [d["status"] for d in outbox.dead()] == [401, 401]
        assert server.tool.issued == 4  # per entry: one token, one refresh after the 401


@pytest.mark.slow
def test_crash_between_create_and_store_is_found_by_the_lookup(api, outbox):
    sink, clock = RestTicketSink(rest_config(api)), SimClock()
    outbox.enqueue(lifecycle(updates=1), ["rest"], clock())
    sink.deliver(outbox.due(clock())[0], None)  # created, then the process dies
    clock.advance(CLAIM_S)  # the dead worker's claim expires
    assert deliverer(outbox, {"rest": sink}, clock).drain()["sent"] == 3
    assert len(api.tool.by_key(KEY)) == 1


@pytest.mark.slow
def test_429_with_retry_after_and_503_are_retried_through_the_outbox(api, outbox):
    api.tool.faults = [(429, {"Retry-After": "120"}, '{"error": "slow down"}'),
                       (503, {}, '{"error": "maintenance"}')]
    clock = SimClock()
    loop = deliverer(outbox, {"rest": RestTicketSink(rest_config(api))}, clock,
                     backoff_initial=2, backoff_max=60)
    outbox.enqueue(lifecycle(updates=0), ["rest"], clock())
    assert loop.run_once()["retry"] == 1
    assert outbox.pending()[0]["next_ts"] >= clock().timestamp() + 120
    clock.advance(121)
    assert loop.run_once()["retry"] == 1 and "HTTP 503" in outbox.pending()[0]["error"]
    for _ in range(40):
        loop.run_once()
        clock.advance(5)
    assert outbox.counts() == {"rest": {"sent": 2}} and len(api.tool.by_key(KEY)) == 1


@pytest.mark.slow
def test_4xx_is_a_dead_letter_with_the_body(api, outbox):
    create = {**CREATE, "body": '{"title": {{ incident.title | tojson }}}'}  # misses fields
    deliver_all(outbox, RestTicketSink(rest_config(api, create=create)), updates=0)
    dead = outbox.dead()
    assert [d["status"] for d in dead] == [422, 422]
    assert '"missing": ["description", "urgency", "key"]' in dead[0]["body"]


@pytest.mark.slow
def test_a_2xx_without_the_id_is_a_dead_letter_with_the_body(api, outbox):
    create = {**CREATE, "id": {"jsonpath": "$.ticket.number"}}
    deliver_all(outbox, RestTicketSink(rest_config(api, create=create)), updates=0)
    dead = outbox.dead()[0]
    assert dead["status"] == 201 and "no ticket id at $.ticket.number" in dead["error"]
    assert '"id": "T-1"' in dead["body"]


@pytest.mark.slow
def test_updates_and_resolve_hit_the_stored_ticket_not_a_new_one(api, outbox):
    clock = SimClock()
    loop = deliverer(outbox, {"rest": RestTicketSink(rest_config(api))}, clock)
    other = "burst:Lumen Telecom:outage:20261120T1300Z"
    outbox.enqueue(lifecycle(updates=1) + lifecycle(other, updates=1), ["rest"], clock())
    assert loop.drain()["sent"] == 6
    assert {outbox.ticket_id("rest", KEY), outbox.ticket_id("rest", other)} == {"T-1", "T-2"}
    assert all(len(api.tool.by_key(k)[0]["notes"]) == 2 for k in (KEY, other))
    patched = [p for m, p in api.tool.requests if m == "PATCH"]
    assert sorted(patched) == ["/api/tickets/T-1", "/api/tickets/T-2"]
