"""item.sla_breach on the desk's one SLA clock (issue 21): a team's business hours pause the
first-response clock, so the warning and the breach come when the queue says, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from tests.alerts.conftest import SimClock, open_store
from tests.alerts.test_delivery import SLACK, _urls, service  # noqa: F401 - autouse env
from tests.conftest import T0
from tests.route.burst_helpers import decision
from webcare.app.queries import sla as queue_sla
from webcare.desk.sla import Desk

TEAMS = {"policies": {"office": {"timezone": "Europe/Amsterdam",
                                 "hours": {"mon-fri": ["09:00-17:00"]},
                                 "first_response": {"critical": 15, "high": 60,
                                                    "medium": 240, "low": 480}}},
         "teams": [{"name": "care", "members": ["ann"], "policy": "office",
                    "match": {"brand": ["Lumen Telecom"]}}]}


def test_breach_waits_for_business_hours(store_config):
    friday = T0 + timedelta(hours=3, minutes=30)  # Friday 16:30 in Amsterdam
    clock = SimClock(friday)
    store = open_store(store_config)
    store.write([decision(1, friday, urgency="high")], [])
    store.close()
    svc, rec = service(store_config, {**SLACK, "events": ["item.sla_breach"],
                                      "sla_warning_minutes": 15},
                       clock=clock, app={"clock": "wall"}, teams=TEAMS)
    clock.advance(40 * 60)  # 17:10: only 30 business minutes passed; the clock stands still
    svc.evaluator.run(clock())
    clock.advance(2 * 24 * 3600)  # Sunday: still 30 minutes left
    svc.evaluator.run(clock())
    assert svc.outbox.counts() == {}
    monday = friday + timedelta(days=3) - timedelta(hours=7, minutes=30)  # Mon 09:00 local
    clock.now = monday + timedelta(minutes=16)  # 14 business minutes left
    svc.evaluator.run(clock())
    clock.now = monday + timedelta(minutes=30)  # due: Monday 09:30
    svc.evaluator.run(clock())
    svc.evaluator.run(clock())
    svc.deliverer.drain()
    phases = [k.split("|")[1] for _, k, _ in svc.outbox.events("oncall")]
    assert phases == ["warning", "breached"]
    # the same due time as the queue's countdown
    item = __import__("schemas").QueueItem.model_validate_json(
        store_item_json(store_config, "p-1"))
    desk = Desk.of(svc.evaluator.config)
    due, minutes = desk.first_response_due(item, "Lumen Telecom")
    shown = queue_sla(item, svc.evaluator.config.app, clock(), desk, {"brand": "Lumen Telecom"})
    assert minutes == 60 and shown["deadline"].startswith(due.strftime("%Y-%m-%dT%H:%M"))
    assert due == monday + timedelta(minutes=30)
    svc.close()


def store_item_json(store_config, post_id: str) -> str:
    from sinks.store.app_store import AppStore

    store = open_store(store_config)
    try:
        return AppStore(store).db.one("SELECT item_json FROM queue_items WHERE post_id = ?",
                                      (post_id,))["item_json"]
    finally:
        store.close()
