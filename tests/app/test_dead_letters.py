"""The dead-letter view (issue 21), on SQLite and PostgreSQL: leads and admins list (filter by
stage/source/status), show the payload, reprocess (through the configured stages: here light
stand-ins) and discard with a reason; a reprocess that fails again keeps the letter open with
the new reason; every action audited; agents and comms refused."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from schemas import DeadLetter
from tests.app.conftest import ROUTER, api_token, csrf_of
from tests.conftest import make_classification, make_post
from tests.sinks.conftest import open_store
from webcare.app import dead_letters

GOOD = make_post(77, text="my printer is on fire, please help")


def letters():
    at = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    return [DeadLetter(stage="classify", error_type="RuntimeError", reason="model not loaded",
                       payload=GOOD.model_dump_json(), source="replay.jsonl", line=7,
                       post_id=GOOD.id, occurred_at=at),
            DeadLetter(stage="parse", error_type="ValidationError", reason="text: missing",
                       payload='{"id": "broken"', source="webhook", line=1, occurred_at=at)]


@pytest.fixture
def seeded(config, monkeypatch):
    store = open_store(config.store)
    store.write([], letters())
    store.close()
    monkeypatch.setattr(dead_letters, "stages_for", lambda _config: dead_letters.Stages(
        lambda post: make_classification(post, priority=66), ROUTER))
    return config


def fingerprints(app_store):
    rows = dead_letters.rows.list_rows(app_store.db, status=None)
    return {row["stage"]: row["fingerprint"] for row in rows}


@pytest.mark.slow
def test_lead_lists_shows_and_reprocesses(seeded, client_for, app_store):
    lena = client_for("lena")
    listing = lena.get("/dead-letters")
    assert listing.status_code == 200 and "model not loaded" in listing.text
    assert "text: missing" not in lena.get("/dead-letters", params={"stage": "classify"}).text
    fp = fingerprints(app_store)
    page = lena.get("/dead-letters/show", params={"id": fp["classify"]})
    assert "my printer is on fire" in page.text
    done = lena.post("/dead-letters/reprocess", data={"id": fp["classify"],
                                                      "csrf": csrf_of(page.text)},
                     follow_redirects=False)
    assert done.status_code == 303
    assert app_store.db.one("SELECT status FROM queue_items WHERE post_id = ?",
                            (GOOD.id,))["status"] == "open"
    row = dead_letters.rows.get(app_store.db, fp["classify"])
    assert (row["status"], row["actor"], row["attempts"]) == ("reprocessed", "lena", 1)
    entry = next(e for e in app_store.audit_entries() if e["action"] == "deadletter.reprocess")
    assert entry["after"]["post_id"] == GOOD.id and entry["detail"]["fingerprint"]
    again = lena.post("/dead-letters/reprocess", data={"id": fp["classify"],
                                                       "csrf": csrf_of(page.text)})
    assert again.status_code == 409


def test_failing_again_keeps_it_open_with_the_new_reason(seeded, client_for, app_store):
    client = client_for()
    headers = api_token(app_store, "ada")
    fp = fingerprints(app_store)["parse"]
    out = client.post("/api/v1/dead-letters/reprocess", json={"fingerprint": fp},
                      headers=headers).json()
    assert out["ok"] is False and out["stage"] == "parse" and out["status"] == "open"
    row = client.get(f"/api/v1/dead-letters/{fp}", headers=headers).json()
    assert row["status"] == "open" and row["attempts"] == 1
    assert row["payload"] == '{"id": "broken"' and row["reason"] == out["reason"]
    assert any(e["action"] == "deadletter.reprocess_failed" for e in app_store.audit_entries())


def test_discard_needs_a_reason_and_is_audited(seeded, client_for, app_store):
    client = client_for()
    headers = api_token(app_store, "lena")
    fp = fingerprints(app_store)["parse"]
    assert client.post("/api/v1/dead-letters/discard", json={"fingerprint": fp, "reason": ""},
                       headers=headers).status_code == 422
    assert client.post("/api/v1/dead-letters/discard", headers=headers, json={
        "fingerprint": fp, "reason": "test garbage"}).json() == {"ok": True}
    listed = client.get("/api/v1/dead-letters", params={"status": "discarded"},
                        headers=headers).json()
    assert [(r["fingerprint"], r["note"]) for r in listed] == [(fp, "test garbage")]
    assert [r["stage"] for r in client.get("/api/v1/dead-letters", headers=headers).json()] \
        == ["classify"]
    entry = next(e for e in app_store.audit_entries() if e["action"] == "deadletter.discard")
    assert entry["actor"] == "lena" and entry["detail"]["reason"] == "test garbage"
    assert client.get("/api/v1/dead-letters/nope", headers=headers).status_code == 404


@pytest.mark.slow
@pytest.mark.parametrize("name", ["alice", "carl"])
def test_agents_and_comms_are_refused(seeded, client_for, app_store, name):
    client = client_for(name)
    assert client.get("/dead-letters").status_code == 403
    assert "/dead-letters" not in client.get("/knowledge").text
    headers = api_token(app_store, name)
    assert client.get("/api/v1/dead-letters", headers=headers).status_code == 403
    fp = fingerprints(app_store)["parse"]
    assert client.post("/api/v1/dead-letters/reprocess", json={"fingerprint": fp},
                       headers=headers).status_code == 403
