"""``webcare queue --brand --team --search`` (issue 21): the queue page's filters on the CLI,
each item with its SLA on the desk's business clock; a bad search is one error line."""

from __future__ import annotations

import json

from click.testing import CliRunner

from route.rules import RouteConfig, Router
from sinks.store import assignment as rows
from sinks.store.app_db import now
from sinks.store.app_store import AppStore
from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from tests.conftest import make_classification, make_post
from webcare.cli.main import main

ROUTER = Router(RouteConfig.model_validate({"rules": [
    {"name": "all", "when": {"actionable": True}, "action": "webcare"}]}))


def test_queue_filters_by_brand_team_and_search(tmp_path):
    path = str(tmp_path / "w.sqlite")
    store = SqliteStore(SqliteStoreConfig(path=path))
    posts = [make_post(1, text="VPN is down"), make_post(2, text="billing question"),
             make_post(3, text="VPN slow")]
    brands = {"t-1": "Lumen Telecom", "t-2": "Lumen Telecom", "t-3": "Other Bank"}
    store.write([ROUTER(p, make_classification(p, brand=brands[p.id])) for p in posts], [])
    app = AppStore(store)
    rows.set_team(app, "t-2", "billing", now())
    store.close()

    def run(*args):
        result = CliRunner().invoke(main, ["queue", "--store", path, *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert len(json.loads(run("--json"))) == 3  # unfiltered: as before
    lumen = json.loads(run("--brand", "Lumen Telecom", "--json"))
    assert {r["post_id"] for r in lumen} == {"t-1", "t-2"}
    assert all(r["brand"] == "Lumen Telecom" and "seconds_left" in r["sla"] for r in lumen)
    vpn = json.loads(run("--search", "VPN", "--json"))
    assert {r["post_id"] for r in vpn} == {"t-1", "t-3"}
    both = json.loads(run("--search", "VPN", "--brand", "Other Bank", "--json"))
    assert [r["post_id"] for r in both] == ["t-3"]
    assert "VPN slow" in run("--brand", "Other Bank")
    assert [r["post_id"] for r in json.loads(run("--team", "billing", "--json"))] == ["t-2"]
    assert json.loads(run("--team", "nobody", "--json")) == []
    assert "nothing in the queue matches" in run("--team", "nobody")
