"""The outbound page and API: who may see and decide, CSRF, audit, publish on approval, the
record per incident (both store backends, the X channel against its fake)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sinks.store.app_store import AppStore
from tests.app.conftest import PASSWORD, api_token, csrf_of, login
from tests.outbound.conftest import KEY, apply, event, outbound, seed
from webcare.app.security import hash_password
from webcare.job.config import WebcareConfig
from webcare.outbound.store import PostStore


@pytest.fixture
def served(store, channel_fakes, clock):
    seed(store, 3)
    config = WebcareConfig(store=store._config, app={"clock": "latest_post"},
                           outbound=outbound(channel_fakes["urls"], "x", "mastodon").model_dump())
    apply(store, config.outbound, [event()], clock)
    app = AppStore(store)
    for name, role in (("lena", "lead"), ("alice", "agent")):
        app.add_user(name, role, hash_password(PASSWORD))
    from webcare.app.web import create_app

    with TestClient(create_app(config)) as client:
        yield client, app


def _draft(app, channel="x"):
    return next(p for p in PostStore(app).list(("draft",)) if p["channel"] == channel)


@pytest.mark.slow
def test_an_agent_sees_drafts_but_cannot_approve(served, channel_fakes):
    client, app = served
    login(client, "alice")
    page = client.get("/outbound")
    assert page.status_code == 200 and "Awaiting approval (2)" in page.text
    assert "Approve and publish" not in page.text
    draft = _draft(app)
    refused = client.post("/outbound/approve", data={"outbound_id": draft["outbound_id"],
                                                     "csrf": csrf_of(page.text)})
    assert refused.status_code == 403 and channel_fakes["x"].sent == []
    item = client.get("/item", params={"id": "t-1"}).text  # the incident links to its record
    assert 'href="/outbound?incident=burst%3ALumen%20Telecom%3Aoutage%3A20261120T1200Z"' in item


@pytest.mark.slow
def test_a_lead_edits_and_approves_and_the_channel_gets_that_text(served, channel_fakes):
    client, app = served
    login(client, "lena")
    page = client.get("/outbound").text
    draft = _draft(app)
    form = {"outbound_id": draft["outbound_id"], "body": "Lumen: TV down in the north, on it.",
            "csrf": "stale"}
    assert client.post("/outbound/approve", data=form).status_code == 403  # CSRF
    form["csrf"] = csrf_of(page)
    done = client.post("/outbound/approve", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/outbound?incident=")
    assert channel_fakes["x"].sent == [{"text": "Lumen: TV down in the north, on it."}]
    shown = client.get(done.headers["location"]).text
    assert "https://x.com/i/status/2001" in shown and "Personal replies (3)" in shown
    again = client.post("/outbound/approve", data=form)
    assert again.status_code == 409 and "published, not a draft" in again.text
    entry = next(a for a in app.audit_entries() if a["action"] == "outbound.approve")
    assert entry["actor"] == "lena" and entry["before"]["body"] == draft["body"]
    assert entry["after"]["body"] == "Lumen: TV down in the north, on it."


@pytest.mark.slow
def test_too_long_text_for_the_channel_is_refused(served, channel_fakes):
    client, app = served
    login(client, "lena")
    form = {"outbound_id": _draft(app)["outbound_id"], "body": "x" * 281,
            "csrf": csrf_of(client.get("/outbound").text)}
    answer = client.post("/outbound/edit", data=form)
    assert answer.status_code == 400 and "at most 280 characters" in answer.text


@pytest.mark.slow
def test_api_reject_approve_and_the_incident_record(served, channel_fakes):
    client, app = served
    lead, agent = api_token(app, "lena"), api_token(app, "alice")
    mastodon, x = _draft(app, "mastodon"), _draft(app)
    url = f"/api/v1/outbound/{mastodon['outbound_id']}"
    assert client.post(url + "/reject", json={}, headers=agent).status_code == 403
    rejected = client.post(url + "/reject", json={"reason": "not on Mastodon"}, headers=lead)
    assert rejected.json()["state"] == "rejected"
    approved = client.post(f"/api/v1/outbound/{x['outbound_id']}/approve", json={},
                           headers=lead).json()
    assert approved["state"] == "published" and approved["platform_post_id"] == "2001"
    assert client.post("/api/v1/outbound/nope/approve", json={}, headers=lead).status_code == 404
    drafts = client.get("/api/v1/outbound", params={"state": "draft"}, headers=agent).json()
    assert drafts == []
    record = client.get(f"/api/v1/outbound/incidents/{KEY}", headers=agent).json()
    assert {p["state"] for p in record["posts"]} == {"published", "rejected"}
    assert len(record["replies"]) == 3 and {r["state"] for r in record["replies"]} == {"pending"}


@pytest.mark.slow
def test_a_refused_publish_is_shown_and_left_for_the_retry_loop(served, channel_fakes):
    client, app = served
    login(client, "lena")
    channel_fakes["x"].fail = (503, {}, {"title": "Service Unavailable", "status": 503})
    form = {"outbound_id": _draft(app)["outbound_id"],
            "csrf": csrf_of(client.get("/outbound").text)}
    page = client.post("/outbound/approve", data=form).text
    row = PostStore(app).get(form["outbound_id"])
    assert (row["state"], row["http_status"], row["decided_by"]) == ("approved", 503, "lena")
    assert "HTTP 503" in page and "platform unavailable" in page
