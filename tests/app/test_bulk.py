"""Bulk claim, dismiss and assign from the queue (issue 21), on SQLite and PostgreSQL: the CSRF-checked
form and the JSON API, per-item results (someone else's claim refuses that item only), one
audit entry per item plus the bulk entry, roles enforced."""

from __future__ import annotations

import pytest

from tests.app.conftest import api_token, csrf_of, post_action


@pytest.mark.slow
def test_bulk_form_claims_and_dismisses_each_item_audited(client_for, app_store):
    bob = client_for("bob")
    assert post_action(bob, "claim", "t-1").status_code == 303
    alice = client_for("alice")
    csrf = csrf_of(alice.get("/").text)
    answer = alice.post("/queue/bulk", data={"csrf": csrf, "action": "dismiss",
                                             "ids": ["t-2", "t-3", "t-1"]})
    assert answer.status_code == 200
    assert "2 done, 1 not done" in answer.text and "claimed by bob" in answer.text
    assert app_store.owner("t-1") == "bob"
    for post_id in ("t-2", "t-3"):
        actions = [e["action"] for e in app_store.audit_entries(post_id)]
        assert actions[:2] == ["dismiss", "claim"]
    bulk = [e for e in app_store.audit_entries() if e["action"] == "bulk"]
    assert bulk[0]["actor"] == "alice" and bulk[0]["after"] == {"done": 2, "failed": 1}


@pytest.mark.slow
def test_bulk_form_needs_csrf_and_an_acting_role(client_for):
    alice = client_for("alice")
    assert alice.post("/queue/bulk", data={"csrf": "nope", "action": "claim",
                                           "ids": ["t-1"]}).status_code == 403
    carl = client_for("carl")  # comms: read-only
    assert 'id="bulk"' not in carl.get("/").text
    csrf = csrf_of(carl.get("/knowledge").text)
    assert carl.post("/queue/bulk", data={"csrf": csrf, "action": "claim",
                                          "ids": ["t-1"]}).status_code == 403


def test_bulk_api(client_for, app_store):
    client = client_for()
    headers = api_token(app_store, "alice")
    answer = client.post("/api/v1/queue/bulk", headers=headers,
                         json={"action": "claim", "post_ids": ["t-1", "t-4", "nope"]})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["done"], body["failed"]) == (2, 1)
    assert body["results"][2] == {"post_id": "nope", "ok": False,
                                  "error": "no queue item 'nope'", "owner": None}
    assert app_store.owner("t-4") == "alice"
    refused = client.post("/api/v1/queue/bulk", headers=headers,
                          json={"action": "assign", "post_ids": ["t-1"], "assignee": "bob"})
    assert refused.status_code == 403  # assigning to others is for leads and admins
    comms = api_token(app_store, "carl")
    assert client.post("/api/v1/queue/bulk", headers=comms, json={
        "action": "dismiss", "post_ids": ["t-1"]}).status_code == 403


def test_bulk_assign_by_a_lead_gives_each_item_to_the_agent_audited(client_for, app_store):
    client, lead = client_for(), api_token(app_store, "lena")
    answer = client.post("/api/v1/queue/bulk", headers=lead, json={
        "action": "assign", "post_ids": ["t-1", "t-2", "nope"], "assignee": "bob"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["done"], body["failed"]) == (2, 1)
    assert app_store.owner("t-1") == app_store.owner("t-2") == "bob"
    assert [e["actor"] for e in app_store.audit_entries("t-1") if e["action"] == "assign"] \
        == ["lena"]
    not_an_agent = client.post("/api/v1/queue/bulk", headers=lead, json={
        "action": "assign", "post_ids": ["t-3"], "assignee": "carl"}).json()
    assert not_an_agent["results"][0]["error"] == "'carl' is not an agent"



@pytest.mark.slow
def test_the_queue_offers_bulk_assign_to_leads_only(client_for):
    lead, agent = client_for("lena").get("/").text, client_for("alice").get("/").text
    assert 'value="assign"' in lead and '<option value="bob">bob</option>' in lead
    assert 'value="assign"' not in agent
