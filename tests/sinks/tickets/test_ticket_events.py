"""The inbound ticket webhook of the app (issue 21): ``POST /api/v1/ticket-events/{sink}``.

A ServiceNow business rule, a Jira webhook (``X-Hub-Signature``) and a generic signed POST
(RT) resolve the incident of a ticket webcare created; bad auth is 401, a body that is not JSON
400, one that does not say which ticket and state 422 (with the reason), a foreign ticket 202.
SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from sinks.store import incident_rows, ticket_status
from sinks.store.app_db import AppDb
from sinks.store.ticket_outbox import Outbox
from tests.conftest import T0
from tests.sinks.tickets.conftest import KEY, incident
from webcare.job.config import WebcareConfig

TICKETS = [{"type": "servicenow", "url": "http://127.0.0.1:9", "user": "webcare",
            "round_trip": {"enabled": True, "poll_minutes": 0}},
           {"type": "jira", "url": "http://127.0.0.1:9", "project": "ITSM", "user": "bot",
            "round_trip": {"enabled": True, "poll_minutes": 0,
                           "inbound_secret_env": "JIRA_EVENTS_SECRET"}},
           {"type": "rt", "url": "http://127.0.0.1:9",
            "round_trip": {"enabled": True, "poll_minutes": 0}},
           {"type": "webhook", "url": "http://127.0.0.1:9/hook"}]
SECRETS = {"WEBCARE_TICKET_EVENTS_SERVICENOW": "snow-secret", "JIRA_EVENTS_SECRET": "jira-secret",
           "WEBCARE_TICKET_EVENTS_RT": "rt-secret", "SERVICENOW_PASSWORD": "x",
           "JIRA_API_TOKEN": "x", "RT_PASSWORD": "x", "WEBCARE_TICKET_WEBHOOK_SECRET": "x"}


@pytest.fixture
def client(store_config, store, monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    dump = store_config.model_dump(mode="json") | (
        {"dsn": store_config.dsn.get_secret_value()} if store_config.type == "postgres" else {})
    config = WebcareConfig.model_validate({"store": dump, "tickets": TICKETS})
    with AppDb(store.db).tx():
        incident_rows.apply_event(store.db, "opened", incident())
    outbox = Outbox.open(config.store)
    for sink, ticket in (("servicenow", "abc123"), ("jira", "ITSM-7"), ("rt", "42")):
        entry = type("E", (), {"sink": sink, "incident": incident(), "seq": 0})()
        outbox.mark_sent(entry, ticket, T0 + timedelta(minutes=11))
    outbox.close()
    from webcare.app.web import create_app

    with TestClient(create_app(config)) as test_client:
        test_client.store = store
        yield test_client


def signed(body: dict, secret: str, header: str = "X-Webcare-Signature") -> tuple[bytes, dict]:
    raw = json.dumps(body).encode()
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {header: f"sha256={digest}", "Content-Type": "application/json"}


def test_a_servicenow_business_rule_resolves_the_incident(client):
    record = {"sys_id": "abc123", "number": "INC0010001", "state": "6",
              "close_code": "Solved (Permanently)", "correlation_id": KEY}
    answer = client.post("/api/v1/ticket-events/servicenow", json=record,
                         headers={"Authorization": "Bearer snow-secret"})
    assert answer.status_code == 200, answer.text
    assert answer.json() | {"tool_status": "6"} == {
        "status": "recorded", "ticket_id": "abc123", "incident_key": KEY,
        "desk_status": "resolved", "tool_status": "6", "incident_resolved": True}
    found = ticket_status.resolution(client.store.db, KEY)
    assert found.decided_by == "desk:servicenow:abc123"
    assert "INC0010001 Solved (Permanently)" in found.detail
    assert [r.incident_key for r in ticket_status.unnotified(client.store.db)] == [KEY]
    again = client.post("/api/v1/ticket-events/servicenow", json=record,
                        headers={"X-Webcare-Token": "snow-secret"})
    assert again.json()["incident_resolved"] is False  # resolved once


def test_a_jira_webhook_with_x_hub_signature(client):
    open_issue = {"webhookEvent": "jira:issue_updated", "issue": {"key": "ITSM-7", "fields": {
        "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}}}}
    raw, headers = signed(open_issue, "jira-secret", "X-Hub-Signature")
    answer = client.post("/api/v1/ticket-events/jira", content=raw, headers=headers)
    assert answer.json()["desk_status"] == "open" and not answer.json()["incident_resolved"]
    done = {"issue": {"key": "ITSM-7", "fields": {
        "status": {"name": "Done", "statusCategory": {"key": "done"}},
        "resolution": {"name": "Fixed"}}}}
    raw, headers = signed(done, "jira-secret", "X-Hub-Signature")
    answer = client.post("/api/v1/ticket-events/jira", content=raw, headers=headers)
    assert answer.json()["incident_resolved"] is True
    assert ticket_status.resolution(client.store.db, KEY).decided_by == "desk:jira:ITSM-7"


def test_bad_requests_are_refused_with_the_reason(client):
    path = "/api/v1/ticket-events/rt"
    raw, headers = signed({"ticket_id": "42", "Status": "resolved"}, "wrong-secret")
    assert client.post(path, content=raw, headers=headers).status_code == 401
    assert client.post(path, json={"ticket_id": "42"}).status_code == 401  # no signature
    assert client.post(path, content=raw, headers={
        "Authorization": "Bearer rt-secret-not"}).status_code == 401
    raw, headers = signed({"ticket_id": "42"}, "rt-secret")
    missing = client.post(path, content=raw, headers=headers)
    assert missing.status_code == 422 and "status" in missing.json()["detail"]
    bad = b"{not json"
    digest = hmac.new(b"rt-secret", bad, hashlib.sha256).hexdigest()
    answer = client.post(path, content=bad, headers={"X-Webcare-Signature": f"sha256={digest}"})
    assert answer.status_code == 400 and "not JSON" in answer.json()["detail"]
    raw, headers = signed({"ticket_id": "999", "Status": "resolved"}, "rt-secret")
    foreign = client.post(path, content=raw, headers=headers)
    assert foreign.status_code == 202 and foreign.json()["status"] == "ignored"
    assert client.post("/api/v1/ticket-events/webhook", json={}).status_code == 404
    assert ticket_status.resolution(client.store.db, KEY) is None
    raw, headers = signed({"ticket_id": "42", "Status": "resolved"}, "rt-secret")
    assert client.post(path, content=raw, headers=headers).json()["incident_resolved"] is True
