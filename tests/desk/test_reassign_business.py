"""Reassignment waits business minutes of the item's team calendar (issue 21): an item assigned
at 16:55 on a Friday (hours 09-17, 30 minutes to a first reply) is not moved at 17:25 on Friday
nor during the weekend, but 25 business minutes into Monday."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from route.rules import RouteConfig, Router
from sinks.store import assignment as rows
from sinks.store.app_store import AppStore
from sinks.store.config import SqliteStoreConfig
from sinks.store.registry import open_store
from tests.conftest import make_classification, make_post
from webcare.desk.assign import reassign_due, run_pass
from webcare.desk.config import TeamsConfig
from webcare.desk.sla import Desk

AMS = ZoneInfo("Europe/Amsterdam")
ROUTER = Router(RouteConfig.model_validate({"rules": [
    {"name": "all", "when": {"actionable": True}, "action": "webcare"}]}))
DESK = Desk(TeamsConfig.model_validate({
    "policies": {"office": {"timezone": "Europe/Amsterdam",
                            "hours": {"mon-fri": ["09:00-17:00"]}}},
    "teams": [{"name": "care", "members": ["alice", "bob"], "policy": "office",
               "match": {"brand": ["Lumen Telecom"]}}],
    "assignment": {"enabled": True, "strategy": "least_loaded", "reassign_after_minutes": 30}}))
TEAM = DESK.teams["care"]
FRIDAY_1655 = datetime(2026, 11, 20, 16, 55, tzinfo=AMS)
MONDAY_0925 = datetime(2026, 11, 23, 9, 25, tzinfo=AMS)


def test_due_is_25_business_minutes_into_monday():
    assert reassign_due(DESK, TEAM, FRIDAY_1655, 30) == MONDAY_0925


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 7 * 24 * 60), st.integers(1, 600))
def test_due_is_never_before_the_wall_clock_and_counts_business_time(offset, minutes):
    assigned = FRIDAY_1655 + timedelta(minutes=offset)
    due = reassign_due(DESK, TEAM, assigned, minutes)
    assert due >= assigned + timedelta(minutes=minutes)
    assert DESK.calendar(TEAM).between(assigned, due) == timedelta(minutes=minutes)


def test_the_pass_moves_it_only_at_monday_0925(tmp_path):
    store = open_store(SqliteStoreConfig(path=str(tmp_path / "w.sqlite")))
    post = make_post(1, created_at=FRIDAY_1655.astimezone(timezone.utc) - timedelta(minutes=1))
    store.write([ROUTER(post, make_classification(post))], [])
    app = AppStore(store)
    rows.set_status(app, "alice", "online", FRIDAY_1655, "alice")
    assert run_pass(app, DESK, FRIDAY_1655, "p")["assigned"] == 1
    rows.set_status(app, "bob", "online", FRIDAY_1655, "bob")
    for at in (FRIDAY_1655 + timedelta(minutes=30), datetime(2026, 11, 21, 12, tzinfo=AMS),
               datetime(2026, 11, 23, 8, 59, tzinfo=AMS), MONDAY_0925 - timedelta(minutes=1)):
        assert run_pass(app, DESK, at, "p")["reassigned"] == 0, at
    assert run_pass(app, DESK, MONDAY_0925, "p")["reassigned"] == 1
    assert rows.loads(app.db) == {"bob": 1}
    store.close()
