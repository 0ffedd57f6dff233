"""Claim collision, every action audited, dry-run replies, escalation, relabels as training
data, on both store backends."""

from __future__ import annotations

import threading

import orjson
import pytest
from click.testing import CliRunner

from sinks.store.app_store import AppStore
from tests.app.conftest import PASSWORD, api_token, post_action
from tests.sinks.conftest import open_store
from webcare.app import service
from webcare.app.service import User


@pytest.mark.slow
def test_two_sessions_cannot_both_claim(client_for, app_store):
    alice, bob = client_for("alice"), client_for("bob")
    assert post_action(alice, "claim", "t-1").status_code == 303
    lost = post_action(bob, "claim", "t-1")
    assert lost.status_code == 409 and "claimed by alice" in lost.text
    assert post_action(bob, "reply", "t-1", body="me too").status_code == 409
    assert post_action(bob, "release", "t-1").status_code == 409
    assert app_store.owner("t-1") == "alice"
    assert 'class="owner" id="owner">alice' in bob.get("/item?id=t-1").text
    claims = [a for a in app_store.audit_entries("t-1") if a["action"] == "claim"]
    assert len(claims) == 1 and claims[0]["actor"] == "alice"


@pytest.mark.slow
def test_a_lead_can_take_back_a_claim(client_for, app_store):
    post_action(client_for("alice"), "claim", "t-1")
    assert post_action(client_for("lena"), "release", "t-1").status_code == 303
    assert app_store.owner("t-1") is None
    entry = app_store.audit_entries("t-1")[0]
    assert entry["action"] == "release" and entry["actor"] == "lena"
    assert entry["before"] == {"owner": "alice", "status": "claimed"}
    assert entry["after"] == {"owner": None, "status": "open"}


def test_concurrent_claims_have_exactly_one_winner(config):
    """Eight connections race for one item: the conditional UPDATE lets one win."""
    barrier, results = threading.Barrier(8), []

    def attempt(n: int) -> None:
        store = open_store(config.store)
        try:
            app = AppStore(store)
            barrier.wait()
            results.append(app.claim("t-2", f"agent{n}"))
        finally:
            store.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [owner for won, owner in results if won]
    assert len(winners) == 1 and all(owner == winners[0] for _, owner in results)


@pytest.mark.slow
def test_every_action_is_audited_with_before_and_after(client_for, app_store):
    client = client_for("alice")
    assert post_action(client, "note", "t-1", body="called the customer").status_code == 303
    assert post_action(client, "relabel", "t-1", topic="billing", sentiment="neutral",
                       urgency="low").status_code == 303
    assert post_action(client, "reply", "t-1", body="We are on it").status_code == 303
    assert post_action(client, "escalate", "t-3").status_code == 303
    assert post_action(client, "dismiss", "t-4").status_code == 303
    actions = {(a["post_id"], a["action"]): a for a in app_store.audit_entries()}
    assert {"note", "relabel", "reply", "claim"} <= {a for p, a in actions if p == "t-1"}
    reply = actions[("t-1", "reply")]
    assert reply["actor"] == "alice" and reply["detail"]["mode"] == "dry-run"
    assert reply["before"] == {"status": "claimed"} and reply["after"] == {"status": "replied"}
    relabel = actions[("t-1", "relabel")]
    assert relabel["before"]["topic"] == "outage" and relabel["after"]["topic"] == "billing"
    escalate = actions[("t-3", "escalate")]
    key = escalate["after"]["incident"]
    assert app_store.db.one("SELECT incident_key FROM incidents WHERE incident_key = ?", (key,))
    assert actions[("t-4", "dismiss")]["after"] == {"status": "dismissed"}
    assert app_store.replies("t-1")[0]["mode"] == "dry-run"
    assert all(a["at"] and a["actor"] for a in app_store.audit_entries())


@pytest.mark.slow
def test_canned_response_fills_variables_per_language(client_for):
    page = client_for("alice").get("/item?id=t-4&canned=acknowledge").text  # t-4 is Dutch
    assert "Hoi @user4" in page and "^alice" in page
    assert service.render_canned("{author} {unknown}", {"author": "x"}) == "x {unknown}"


@pytest.mark.slow
def test_api_offers_the_same_actions(client_for, app_store):
    client, headers = client_for(), api_token(app_store, "bob")
    assert client.post("/api/v1/claim", json={"post_id": "t-1"}, headers=headers).json()["ok"]
    other = client.post("/api/v1/claim", json={"post_id": "t-1"},
                        headers=api_token(app_store, "alice"))
    assert other.status_code == 409 and other.json()["detail"]["owner"] == "bob"
    assert client.post("/api/v1/reply", json={"post_id": "t-1", "body": "hi"},
                       headers=headers).json() == {"ok": True, "mode": "dry-run"}
    item = client.get("/api/v1/items/t-3", headers=headers).json()
    assert item["post_id"] == "t-3" and [p["id"] for p in item["thread"]] == ["t-1"]
    assert client.post("/api/v1/escalate", json={"post_id": "t-3"},
                       headers=headers).json()["incident_key"]
    queue = client.get("/api/v1/queue", headers=headers).json()
    assert [q["post_id"] for q in queue] == ["t-4", "t-2"]  # open + claimed, by priority
    assert "deadline" in queue[0]["sla"]


def test_relabels_export_as_labelled_jsonl(config, app_store, tmp_path):
    user = User("alice", "agent")
    topics = tuple(config.classify.topic.labels)
    service.relabel(app_store, config.app, user, "t-1", "billing", "neutral", "low", topics)
    service.relabel(app_store, config.app, user, "t-1", "access", "negative", "high", topics)
    lines = service.relabel_lines(app_store)
    assert len(lines) == 1 and lines[0]["labels"] == {
        "topic": "access", "sentiment": "negative", "urgency": "high"}
    assert lines[0]["text"] == "@LumenCare my internet is down again"
    if config.store.type == "sqlite":  # the CLI reads SQLite files via --store
        from webcare.cli.main import main

        out = tmp_path / "relabels.jsonl"
        result = CliRunner().invoke(main, ["relabels", "export", "--output", str(out),
                                           "--store", config.store.path])
        assert result.exit_code == 0, result.output
        row = orjson.loads(out.read_text().splitlines()[0])
        assert row["labels"]["topic"] == "access"
        from webcare.lab.training.topic import read_labelled

        assert read_labelled([out]) == [(row["text"], "en", "access")]


@pytest.mark.slow
def test_users_add_reads_the_password_from_stdin(tmp_path):
    from webcare.cli.main import main

    db = str(tmp_path / "u.sqlite")
    runner = CliRunner()
    result = runner.invoke(main, ["users", "add", "--name", "zoe", "--role", "lead",
                                  "--store", db], input=PASSWORD + "\n")
    assert result.exit_code == 0 and PASSWORD not in result.output
    again = runner.invoke(main, ["users", "add", "--name", "zoe", "--role", "lead",
                                 "--store", db], input=PASSWORD + "\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(main, ["users", "add", "--name", "yan", "--role", "agent",
                                 "--store", db], input="short\n")
    assert short.exit_code != 0 and "too short" in short.output
    listed = runner.invoke(main, ["users", "list", "--store", db]).output
    assert "zoe" in listed and "lead" in listed and "$argon2" not in listed
