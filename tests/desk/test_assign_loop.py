"""The assignment loop of ``webcare run`` (issue 21): it runs passes on its own connection
until stopped; two loops on one store take turns through the lease."""

from __future__ import annotations

import time

from route.rules import RouteConfig, Router
from sinks.store import assignment as rows
from sinks.store.app_db import now
from sinks.store.app_store import AppStore
from sinks.store.config import SqliteStoreConfig
from sinks.store.registry import open_store
from tests.conftest import make_classification, make_post
from webcare.desk.assign import AssignmentLoop, pick
from webcare.desk.config import TeamsConfig
from webcare.desk.sla import Desk

ROUTER = Router(RouteConfig.model_validate({"rules": [
    {"name": "all", "when": {"actionable": True}, "action": "webcare"}]}))


def test_two_loops_assign_each_item_once(tmp_path):
    config = SqliteStoreConfig(path=str(tmp_path / "w.sqlite"))
    store = open_store(config)
    posts = [make_post(n, created_at=now()) for n in range(1, 7)]
    store.write([ROUTER(p, make_classification(p)) for p in posts], [])
    app = AppStore(store)
    for name in ("ann", "ben"):
        rows.set_status(app, name, "online", now(), name)
    desk = Desk(TeamsConfig.model_validate({
        "teams": [{"name": "care", "members": ["ann", "ben"]}],
        "assignment": {"enabled": True, "interval_s": 0.05, "capacity": 50}}))
    loops = [AssignmentLoop(config, desk), AssignmentLoop(config, desk)]
    for loop in loops:
        loop.start()
    deadline = time.time() + 10
    while time.time() < deadline and sum(rows.loads(app.db).values()) < 6:
        time.sleep(0.05)
    for loop in loops:
        loop.stop()
    assert rows.loads(app.db) == {"ann": 3, "ben": 3}
    assigns = [a for a in app.audit_entries() if a["action"] == "assign"]
    assert sorted(a["post_id"] for a in assigns) == sorted(p.id for p in posts)
    store.close()


def test_round_robin_and_least_loaded_picks():
    members = ["a", "b", "c"]
    assert pick("round_robin", members, ["a", "b", "c"], {}, "a") == "b"
    assert pick("round_robin", members, ["a", "c"], {}, "b") == "c"
    assert pick("round_robin", members, ["a"], {}, "c") == "a"
    assert pick("least_loaded", members, ["a", "b", "c"], {"a": 1, "b": 0, "c": 0}, "b") == "c"
    assert pick("least_loaded", members, [], {}, None) is None
