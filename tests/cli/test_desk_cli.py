"""``webcare teams load|queue`` and ``webcare assign run|item|status`` (issue 21) on a SQLite
store with a config that has a team: availability, a pass, manual assignment by a lead (an
agent refused), the load and the team's queue."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from route.rules import RouteConfig, Router
from sinks.store.app_store import AppStore
from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from tests.conftest import make_classification, make_post
from webcare.cli.main import main

ROUTER = Router(RouteConfig.model_validate({"rules": [
    {"name": "all", "when": {"actionable": True}, "action": "webcare"}]}))


@pytest.fixture
def config_path(tmp_path):
    path = str(tmp_path / "w.sqlite")
    store = SqliteStore(SqliteStoreConfig(path=path))
    posts = [make_post(1), make_post(2, text="billing question")]
    store.write([ROUTER(p, make_classification(p)) for p in posts], [])
    app = AppStore(store)
    for name, role in (("lena", "lead"), ("alice", "agent"), ("bob", "agent")):
        app.add_user(name, role, "x")
    store.close()
    config = {"store": {"type": "sqlite", "path": path}, "app": {"clock": "wall"},
              "teams": {"teams": [{"name": "care", "members": ["alice", "bob"],
                                   "match": {"brand": ["Lumen Telecom"]}}],
                        "assignment": {"enabled": True, "strategy": "round_robin",
                                       "lookback_hours": 1_000_000}}}
    out = tmp_path / "config.yaml"
    out.write_text(yaml.safe_dump(config))
    return str(out)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_teams_and_assign_commands(config_path):
    assert run("assign", "status", "--name", "alice", "online", "--config",
               config_path).exit_code == 0
    passed = run("assign", "run", "--config", config_path)
    assert passed.exit_code == 0, passed.output
    counts = json.loads(passed.output.strip().splitlines()[-1])
    assert counts["assigned"] == 2 and counts["teamed"] == 2
    refused = run("assign", "item", "--post", "t-1", "--to", "bob", "--as", "alice",
                  "--config", config_path)
    assert refused.exit_code != 0 and "may not" in refused.output
    done = run("assign", "item", "--post", "t-1", "--to", "bob", "--as", "lena",
               "--config", config_path)
    assert done.exit_code == 0 and "t-1 assigned to bob" in done.output
    load = json.loads(run("teams", "load", "--json", "--config", config_path).output)
    agents = {a["agent"]: a for a in load[0]["agents"]}
    assert agents["alice"]["open_assigned"] == 1 and agents["bob"]["open_assigned"] == 1
    assert "care:" in run("teams", "load", "--config", config_path).output
    queue = json.loads(run("teams", "queue", "--team", "care", "--json", "--config",
                           config_path).output)
    assert {r["post_id"] for r in queue} == {"t-1", "t-2"}
    assert queue[0]["sla"]["team"] == "care"
    assert json.loads(run("teams", "queue", "--brand", "Other", "--json", "--config",
                          config_path).output) == []
