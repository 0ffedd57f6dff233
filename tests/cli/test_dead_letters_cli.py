"""``webcare dead-letters`` and ``webcare search`` (issue 21) on a SQLite store: list, show,
reprocess as a lead (audited, stages from the config: here light stand-ins), discard with a
reason, an agent refused; search with the app's language, a bad search one error line, the
filtered queue as spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from route.rules import RouteConfig, Router
from schemas import DeadLetter
from sinks.store.app_store import AppStore
from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from tests.conftest import make_classification, make_post
from webcare.app import dead_letters
from webcare.cli.main import main

ROUTER = Router(RouteConfig.model_validate({"rules": [
    {"name": "all", "when": {"actionable": True}, "action": "webcare"}]}))
GOOD = make_post(5, text="printer offline since the update")


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    path = str(tmp_path / "w.sqlite")
    store = SqliteStore(SqliteStoreConfig(path=path))
    posts = [make_post(1, text="=cmd| VPN is down"), make_post(2, text="billing question")]
    store.write([ROUTER(p, make_classification(p)) for p in posts], [DeadLetter(
        stage="classify", error_type="RuntimeError", reason="boom", source="replay",
        payload=GOOD.model_dump_json(), line=3, occurred_at=datetime.now(timezone.utc))])
    app = AppStore(store)
    app.add_user("lena", "lead", "x")
    app.add_user("alice", "agent", "x")
    store.close()
    monkeypatch.setattr(dead_letters, "build_stages", lambda _config: dead_letters.Stages(
        lambda post: make_classification(post), ROUTER))
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_list_show_reprocess(store_path):
    listed = run("dead-letters", "list", "--json", "--store", store_path)
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.output)
    shown = json.loads(run("dead-letters", "show", row["fingerprint"][:12],
                           "--store", store_path).output)
    assert shown["payload"] == GOOD.model_dump_json()
    refused = run("dead-letters", "reprocess", row["fingerprint"], "--as", "alice",
                  "--store", store_path)
    assert refused.exit_code == 1 and "leads and admins" in refused.output
    done = run("dead-letters", "reprocess", row["fingerprint"], "--as", "lena",
               "--store", store_path)
    assert done.exit_code == 0 and "routed to webcare" in done.output
    assert "printer offline" in run("search", "printer", "--store", store_path).output
    store = SqliteStore(SqliteStoreConfig(path=store_path))
    assert AppStore(store).audit_entries()[0]["action"] == "deadletter.reprocess"
    store.close()
    assert run("dead-letters", "list", "--store", store_path).output.strip() == \
        "no dead letters"


def test_discard(store_path):
    (row,) = json.loads(run("dead-letters", "list", "--json", "--store", store_path).output)
    done = run("dead-letters", "discard", row["fingerprint"], "--reason", "duplicate",
               "--as", "lena", "--store", store_path)
    assert done.exit_code == 0
    (gone,) = json.loads(run("dead-letters", "list", "--status", "discarded", "--json",
                             "--store", store_path).output)
    assert gone["note"] == "duplicate" and gone["actor"] == "lena"


def test_search_and_csv(store_path, tmp_path):
    found = run("search", "vpn", "--json", "--store", store_path)
    assert [r["post_id"] for r in json.loads(found.output)] == ["t-1"]
    bad = run("search", '"vpn', "--store", store_path)
    assert bad.exit_code == 1 and "unbalanced quotes" in bad.output
    out = tmp_path / "q.csv"
    assert run("search", "--csv", out, "--store", store_path).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert sorted(r["post_id"] for r in rows) == ["t-1", "t-2"]
    assert next(r for r in rows if r["post_id"] == "t-1")["text"].startswith("'=cmd|")
