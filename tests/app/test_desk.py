"""Teams, assignment and SLA policies in the app (issue 21), on SQLite and PostgreSQL: the
assignment pass (least loaded, capacity, availability, working hours, reassignment, lease,
idempotent across passes and holders), roles and audit, the team load, queue filters by brand
and team, per-brand canned replies, SLA countdowns on the business clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sinks.store import assignment as rows
from tests.app.conftest import api_token, csrf_of, post_action  # noqa: F401
from tests.conftest import T0
from webcare.desk.assign import run_pass
from webcare.desk.config import TeamsConfig
from webcare.desk.sla import Desk

TEAMS = {
    "policies": {"office": {
        "timezone": "Europe/Amsterdam", "hours": {"mon-fri": ["09:00-17:00"]},
        "holidays": {"country": "NL", "dates": ["2026-12-24"]},
        "first_response": {"critical": 15, "high": 60, "medium": 240, "low": 480},
        "resolution": {"critical": 120, "high": 480, "medium": 960, "low": 2400}}},
    "teams": [{"name": "care", "members": ["alice", "bob"], "leads": ["lena"],
               "match": {"brand": ["Lumen Telecom"]}, "policy": "office", "capacity": 2}],
    "assignment": {"enabled": True, "strategy": "least_loaded",
                   "reassign_after_minutes": 30},
    "brands": {"Lumen Telecom": {"signature": "^{agent} for {brand}",
                                 "canned": {"en": {"lumen-hello": "Hi {author} from Lumen!"}}}},
}
AT = T0 + timedelta(minutes=10)  # Friday 13:10 in Amsterdam: in hours


@pytest.fixture
def teams_config(config):
    return config.model_copy(update={"teams": TeamsConfig.model_validate(TEAMS)})


@pytest.fixture
def desk(teams_config):
    return Desk.of(teams_config)


@pytest.fixture
def web(teams_config):
    from webcare.app.web import create_app

    return create_app(teams_config)


def queued(app_store) -> list[str]:
    return [r["post_id"] for r in app_store.db.rows(
        "SELECT post_id FROM queue_items WHERE status = 'open' ORDER BY post_id")]


def test_nobody_online_assigns_nothing_but_records_teams(app_store, desk):
    counts = run_pass(app_store, desk, AT, "p1")
    assert counts["assigned"] == 0 and counts["teamed"] >= 3 and counts["waiting"] >= 3
    assert not rows.loads(app_store.db)


def test_pass_assigns_least_loaded_within_capacity_and_is_idempotent(app_store, desk):
    for name in ("alice", "bob"):
        rows.set_status(app_store, name, "online", AT, name)
    open_before = queued(app_store)
    counts = run_pass(app_store, desk, AT, "p1")
    assert counts["assigned"] == min(len(open_before), 4)
    loads = rows.loads(app_store.db)
    assert set(loads) <= {"alice", "bob"} and max(loads.values()) - min(loads.values()) <= 1
    assert all(v <= 2 for v in loads.values())  # capacity
    audit = [a for a in app_store.audit_entries() if a["action"] == "assign"]
    assert len(audit) == counts["assigned"]
    assert all(a["actor"] == "system:assignment" and a["after"]["team"] == "care" for a in audit)
    # a second pass (another process, after a restart) changes nothing
    again = run_pass(app_store, desk, AT, "p2")
    assert again["assigned"] == 0 and again["reassigned"] == 0
    assert rows.loads(app_store.db) == loads


def test_outside_working_hours_nobody_is_available(app_store, desk):
    rows.set_status(app_store, "alice", "online", AT, "alice")
    saturday = T0 + timedelta(days=1)
    assert run_pass(app_store, desk, saturday, "p1")["assigned"] == 0


def test_lease_keeps_a_second_process_out(app_store, desk):
    assert rows.acquire_lease(app_store.db, "assignment", "other", AT.timestamp(), 60)
    assert run_pass(app_store, desk, AT, "p1")["skipped"] is True
    later = AT + timedelta(seconds=61)  # the other holder died: its lease ran out
    assert run_pass(app_store, desk, later, "p1")["skipped"] is False


def test_reassignment_after_no_first_reply(app_store, teams_config):
    roomy = {**TEAMS, "teams": [{**TEAMS["teams"][0], "capacity": 10}]}
    desk = Desk(TeamsConfig.model_validate(roomy), teams_config.app.sla_minutes)
    rows.set_status(app_store, "alice", "online", AT, "alice")
    counts = run_pass(app_store, desk, AT, "p1")
    assert counts["assigned"] >= 1
    owned = [r for r in rows.open_items(app_store.db) if r["owner"] == "alice"]
    assert len(owned) == counts["assigned"]
    # not yet due; nobody else online: alice keeps them
    assert run_pass(app_store, desk, AT + timedelta(minutes=29), "p1")["reassigned"] == 0
    later = AT + timedelta(minutes=31)
    assert run_pass(app_store, desk, later, "p1")["reassigned"] == 0
    rows.set_status(app_store, "bob", "online", AT, "bob")
    moved = run_pass(app_store, desk, later, "p1")["reassigned"]
    assert moved == len(owned)
    audit = [a for a in app_store.audit_entries() if a["action"] == "reassign"]
    assert len(audit) == moved and audit[0]["before"]["owner"] == "alice"
    assert audit[0]["after"]["owner"] == "bob"
    assert "no first reply" in audit[0]["detail"]["reason"]
    # the same moment again, or a second process: nothing moves twice
    assert run_pass(app_store, desk, later, "p2")["reassigned"] == 0


def test_compare_and_set_lets_one_reassignment_win(app_store, desk):
    rows.set_status(app_store, "alice", "online", AT, "alice")
    run_pass(app_store, desk, AT, "p1")
    row = next(r for r in rows.open_items(app_store.db) if r["owner"] == "alice")
    won = rows.assign(app_store, row["post_id"], "care", "bob", AT, "x", expect_owner="alice",
                      expect_version=row["version"])
    lost = rows.assign(app_store, row["post_id"], "care", "lena", AT, "y",
                       expect_owner="alice", expect_version=row["version"])
    assert won and not lost and app_store.owner(row["post_id"]) == "bob"


@pytest.mark.slow
def test_roles_availability_assign_and_team_load(client_for, app_store):
    agent = client_for()
    agent_h, lead_h = api_token(app_store, "alice"), api_token(app_store, "lena")
    r = agent.post("/api/v1/availability", json={"status": "online"}, headers=agent_h)
    assert r.status_code == 200 and r.json()["status"] == "online"
    # an agent cannot set another's availability, nor assign, nor see the load
    assert agent.post("/api/v1/availability", json={"status": "online", "name": "bob"},
                      headers=agent_h).status_code == 403
    assert agent.post("/api/v1/assign", json={"post_id": "t-1", "agent": "bob"},
                      headers=agent_h).status_code == 403
    assert agent.get("/api/v1/teams/load", headers=agent_h).status_code == 403
    assert agent.get("/api/v1/availability", headers=agent_h).json() == {"alice": "online"}
    # a lead assigns (taking it from whoever had it) and sees the load
    r = agent.post("/api/v1/assign", json={"post_id": "t-1", "agent": "bob"}, headers=lead_h)
    assert r.status_code == 200 and r.json()["owner"] == "bob" and r.json()["team"] == "care"
    assert app_store.owner("t-1") == "bob"
    entry = next(a for a in app_store.audit_entries("t-1") if a["action"] == "assign")
    assert entry["actor"] == "lena" and entry["detail"] == {"reason": "manual"}
    r = agent.post("/api/v1/assign", json={"post_id": "t-1", "agent": "alice"}, headers=lead_h)
    assert r.json()["owner"] == "alice"
    assert next(a for a in app_store.audit_entries("t-1") if a["action"] == "reassign")
    assert agent.post("/api/v1/assign", json={"post_id": "t-1", "agent": "carl"},
                      headers=lead_h).status_code == 422  # comms is not an agent
    load = agent.get("/api/v1/teams/load", headers=lead_h).json()
    care = load[0]
    assert care["team"] == "care" and care["policy"] == "office"
    alice = next(a for a in care["agents"] if a["agent"] == "alice")
    assert alice["status"] == "online" and alice["open_assigned"] == 1
    assert alice["capacity"] == 2 and alice["oldest_waiting"]["post_id"] == "t-1"
    teams = agent.get("/api/v1/teams", headers=agent_h).json()
    assert teams[0]["members"] == ["alice", "bob"]
    status_audit = [a for a in app_store.audit_entries() if a["action"] == "agent.status"]
    assert status_audit and status_audit[-1]["after"] == {"name": "alice", "status": "online"}


@pytest.mark.slow
def test_team_page_and_availability_toggle(client_for, app_store):
    lead = client_for("lena")
    page = lead.get("/teams")
    assert page.status_code == 200 and 'id="team-care"' in page.text
    r = lead.post("/availability", data={"csrf": csrf_of(page.text), "status": "online",
                                         "name": "bob", "back": "/teams"},
                  follow_redirects=False)
    assert r.status_code == 303 and rows.statuses(app_store.db)["bob"] == "online"
    agent = client_for("alice")
    assert agent.get("/teams").status_code == 403
    queue = agent.get("/")
    assert 'id="my-availability">away' in queue.text
    r = agent.post("/availability", data={"csrf": csrf_of(queue.text), "status": "online"},
                   follow_redirects=False)
    assert r.status_code == 303 and rows.statuses(app_store.db)["alice"] == "online"
    # the lead's assign form on the item page
    item = lead.get("/item?id=t-1")
    assert 'action="/assign"' in item.text
    r = lead.post("/assign", data={"csrf": csrf_of(item.text), "id": "t-1", "agent": "bob"},
                  follow_redirects=False)
    assert r.status_code == 303 and app_store.owner("t-1") == "bob"
    assert 'action="/assign"' not in agent.get("/item?id=t-1").text


@pytest.mark.slow
def test_queue_filters_by_brand_and_team(client_for, app_store, desk):
    run_pass(app_store, desk, AT, "p1")  # records each item's team
    headers = api_token(app_store, "alice")
    client = client_for()
    all_items = client.get("/api/v1/queue", headers=headers).json()
    care = client.get("/api/v1/queue?team=care", headers=headers).json()
    assert care and len(care) == len(all_items)
    assert client.get("/api/v1/queue?team=nobody", headers=headers).json() == []
    lumen = client.get("/api/v1/queue", params={"brand": "Lumen Telecom"},
                       headers=headers).json()
    assert len(lumen) == len(all_items) and lumen[0]["brand"] == "Lumen Telecom"
    assert client.get("/api/v1/queue?brand=Other", headers=headers).json() == []
    page = client_for("alice").get("/?team=care&brand=Lumen+Telecom")
    assert page.status_code == 200 and '<select name="team">' in page.text


def test_brand_canned_reply_with_signature(client_for):
    client = client_for("alice")
    page = client.get("/item?id=t-1")
    assert "lumen-hello" in page.text and "acknowledge" in page.text  # brand's over the app's
    draft = client.get("/item?id=t-1&canned=lumen-hello").text
    assert "Hi @user1 from Lumen! ^alice for Lumen Telecom" in draft


def test_sla_on_the_business_clock_in_the_api(client_for, app_store):
    headers = api_token(app_store, "alice")
    item = client_for().get("/api/v1/items/t-1", headers=headers).json()
    sla = item["sla"]
    # posted Friday 13:01 Amsterdam, high: 60 business minutes, due 14:01 Amsterdam
    assert sla["deadline"] == "2026-11-20T13:01:00.000000Z"
    assert sla["team"] == "care" and sla["policy"] == "office" and not sla["paused"]
    assert sla["target"] == "first_response" and sla["target_minutes"] == 60
    assert sla["resolution"]["deadline"] == "2026-11-23T12:01:00.000000Z"  # Mon 13:01 local


def test_desk_pauses_outside_hours(desk):
    from schemas import QueueItem
    from tests.conftest import make_classification, make_post

    post = make_post(9, created_at=T0 + timedelta(hours=3, minutes=30))  # Fri 16:30 local
    c = make_classification(post, urgency="medium")
    item = QueueItem(post_id=post.id, platform="x", author_handle="@u", text="x",
                     topic=c.topic, urgency="medium", priority=50, lang="en",
                     sentiment="negative", rule="r", created_at=post.created_at, reasons=[])
    saturday = T0 + timedelta(days=1)
    sla = desk.item_sla(item, saturday, "Lumen Telecom")
    # 30 min on Friday, 210 on Monday from 09:00
    assert sla["deadline"] == "2026-11-23T11:30:00.000000Z"
    assert sla["paused"] and sla["seconds_left"] == 210 * 60 and not sla["live"]
    assert desk.first_response_due(item, "Lumen Telecom")[1] == 240


def test_dashboard_sla_figures_use_the_same_clock(app_store, desk, teams_config):
    from webcare.app import analytics

    saturday = T0 + timedelta(days=1)
    lo, hi = analytics.window(app_store, None, None)
    plain = analytics.response_times(app_store, teams_config.app, lo, hi, saturday)
    business = analytics.response_times(app_store, teams_config.app, lo, hi, saturday, desk)
    # the medium item (Fri 13:03 local, 240 business minutes) is due Monday 09:03
    assert plain["per_urgency"]["medium"]["breached"] == 1
    assert business["per_urgency"]["medium"]["breached"] == 0
    shown = desk.item_sla(
        __import__("schemas").QueueItem.model_validate_json(app_store.db.one(
            "SELECT item_json FROM queue_items WHERE post_id = 't-3'")["item_json"]),
        saturday, "Lumen Telecom")
    assert not shown["breached"] and shown["deadline"] == "2026-11-23T08:03:00.000000Z"
