"""The ticket round trip end to end (issue 21): an outage through the assembled pipeline opens
an incident and a ServiceNow ticket; the desk resolves the ticket; ``webcare tickets sync``
resolves the incident and only then is the resolution published. Quiet volume alone only
drafts it. SQLite and PostgreSQL; the tools are contract fakes on 127.0.0.1."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from sinks.store import ticket_status
from sinks.store.app_store import AppStore
from tests.outbound.fakes import FakeStatuspage
from tests.route.burst_helpers import MONDAY, spread
from tests.sinks.conftest import open_store
from tests.sinks.tickets.fakes import Server
from tests.sinks.tickets.fakes_desk import DeskServiceNow
from webcare.cli.tickets_sync import sync
from webcare.job.assembly import build_sink
from webcare.job.config import WebcareConfig

OUTAGE = MONDAY + timedelta(hours=19)
KEY = "burst:Lumen Telecom:outage:20261116T1900Z"


@pytest.fixture
def tools(monkeypatch):
    monkeypatch.setenv("SERVICENOW_PASSWORD", "s3cret")
    monkeypatch.setenv("WEBCARE_STATUSPAGE_SECRET", "status-secret")
    with Server(DeskServiceNow()) as snow, Server(FakeStatuspage()) as page:
        yield snow, page


def config_of(tools, store_config) -> WebcareConfig:
    snow, page = tools
    store = store_config.model_dump(mode="json") | (
        {"dsn": store_config.dsn.get_secret_value()} if store_config.type == "postgres" else {})
    return WebcareConfig.model_validate({
        "store": store,
        "tickets": [{"type": "servicenow", "url": snow.url, "user": "webcare", "timeout": 2,
                     "round_trip": {"enabled": True, "poll_minutes": 0,
                                    "max_age_days": 3650}}],  # a replayed day
        "outbound": {"channels": [{"type": "statuspage_webhook", "url": page.url + "/hook"}],
                     "status_link": "https://status.lumen.example/{{ key | urlencode }}",
                     "poll_seconds": 0.2}})


def wait_for(condition, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def outage(config):
    """The outage through the assembled pipeline (build_sink: tickets and outbound on)."""
    sink, correlator = build_sink(config)
    for n, item in enumerate(spread(OUTAGE, 300, 20)):
        sink.add(correlator(item))
        if n % 50 == 0:
            sink.flush()
    sink.flush()
    return sink, correlator


def posts(config, kind=None) -> list[dict]:
    store = open_store(config.store)
    try:
        rows = AppStore(store).db.rows("SELECT kind, state, decided_by FROM outbound_posts "
                                       "ORDER BY created_at")
        return [r for r in rows if kind in (None, r["kind"])]
    finally:
        store.close()


@pytest.mark.slow
def test_desk_resolution_resolves_the_incident_and_only_then_publishes(tools, store_config):
    snow, page = tools
    config = config_of(tools, store_config)
    sink, correlator = outage(config)
    wait_for(lambda: snow.tool.by_correlation(KEY), "the ticket")
    wait_for(lambda: [u for u in page.tool.updates if u["kind"] == "opened"], "opened post")
    [record] = snow.tool.by_correlation(KEY)
    assert record["state"] == "1" and not posts(config, "resolved")

    report = sync(config)  # the desk has not resolved it yet
    assert report["changes"][0]["after"] == "open" and not report["announced"]
    assert not [u for u in page.tool.updates if u["kind"] == "resolved"]

    snow.tool.desk_resolve(record["sys_id"])
    report = sync(config)
    assert [c["resolved_incident"] for c in report["changes"]] == [True]
    assert report["announced"] == [KEY]
    actor = f"desk:servicenow:{record['sys_id']}"
    [resolved] = [u for u in page.tool.updates if u["kind"] == "resolved"]
    assert "resolved" in resolved["text"].lower()
    assert posts(config, "resolved") == [{"kind": "resolved", "state": "published",
                                          "decided_by": actor}]
    assert sync(config) == {"changes": [], "errors": [], "unchanged": 0, "announced": []}

    # the running pipeline learns it at its next flush: no update, no second resolution, and
    # a few late complaints do not reopen the outage
    work_notes = len(snow.tool.records[record["sys_id"]]["work_notes"])
    for item in spread(OUTAGE + timedelta(minutes=25), 3, 6, first=5000):
        sink.add(correlator(item))
    sink.flush()
    assert all(i.key != KEY for i in correlator.open.values())
    correlator.tick(OUTAGE + timedelta(hours=3))
    sink.close()
    assert len([u for u in page.tool.updates if u["kind"] == "resolved"]) == 1
    assert len(snow.tool.records[record["sys_id"]]["work_notes"]) == work_notes
    assert snow.tool.records[record["sys_id"]]["state"] == "6"
    store = open_store(config.store)
    try:
        assert [(i.key, i.status) for i in store.incidents()] == [(KEY, "resolved")]
        found = ticket_status.resolution(store.db, KEY)
        assert found.decided_by == actor
        actions = [a["action"] for a in AppStore(store).audit_entries()]
        assert "incident.desk_resolve" in actions
    finally:
        store.close()


@pytest.mark.slow
def test_quiet_volume_only_proposes_the_resolution(tools, store_config):
    snow, page = tools
    config = config_of(tools, store_config)
    sink, correlator = outage(config)
    correlator.tick(OUTAGE + timedelta(hours=3))  # 45 quiet minutes: resolved by volume
    sink.close()
    [record] = snow.tool.by_correlation(KEY)
    assert record["state"] == "1"  # the desk's ticket stays open
    assert "webcare proposes to resolve" in record["work_notes"][-1]
    assert [u["kind"] for u in page.tool.updates] == ["opened"]
    assert posts(config, "resolved") == [{"kind": "resolved", "state": "draft",
                                          "decided_by": None}]
    report = sync(config)  # the ticket is still open at the desk: nothing published
    assert report["changes"][0]["after"] == "open" and not report["announced"]
    assert [u["kind"] for u in page.tool.updates] == ["opened"]

    snow.tool.desk_resolve(record["sys_id"])  # the desk confirms: published now
    sync(config)
    assert [u["kind"] for u in page.tool.updates] == ["opened", "resolved"]
    states = sorted((p["state"], p["decided_by"] or "") for p in posts(config, "resolved"))
    assert states == [("published", f"desk:servicenow:{record['sys_id']}"),
                      ("skipped", "")]
