"""GDPR erasure (``webcare erase --author``) on SQLite and PostgreSQL."""

from __future__ import annotations

import orjson
from click.testing import CliRunner

from route.rules import RouteConfig, Router
from schemas import Author, DeadLetter
from sinks.store.app_store import AppStore
from tests.conftest import T0, make_classification, make_post
from tests.sinks.conftest import open_store
from webcare.app import service
from webcare.app.erase import digest, erase_author
from webcare.app.service import User

BURST = "burst:Lumen Telecom:outage:20260101T0000Z"
BURSTING = Router(RouteConfig.model_validate({"rules": [
    {"name": "attention", "when": {"actionable": True}, "action": "webcare"}]}))


def _seed(app: AppStore, config) -> None:
    """@user1 has t-1 (queue item with note, relabel, reply, single incident) and t-6 (burst
    evidence next to @user7's t-7) and a dead letter; everyone else must stay."""
    burst = []
    for n in (6, 7):
        post = make_post(n, text=f"lumen outage here {n}",
                         **({"author": Author(handle="@User1")} if n == 6 else {}))
        d = BURSTING(post, make_classification(post))
        burst.append(d.model_copy(update={"incident_key": BURST}))
    letter = DeadLetter(stage="classify", error_type="ValueError", reason="bad",
                        payload=orjson.dumps({"id": "t-99", "author": {"handle": "@user1"},
                                              "text": "secret text"}).decode(),
                        occurred_at=T0)
    app.store.write(burst, [letter])
    alice = User("alice", "agent")
    topics = tuple(config.classify.topic.labels)
    service.note(app, alice, "t-1", "customer 4711 called")
    service.relabel(app, config.app, alice, "t-1", "billing", "neutral", "low", topics)
    service.reply(app, config.app, alice, "t-1", "Hi @user1, we're on it")
    service.escalate(app, config.app, alice, "t-1")
    service.note(app, alice, "t-3", "someone else's item")


def _count(app: AppStore, sql: str, params=()) -> int:
    return len(app.db.rows(sql, params))


def test_erase_removes_the_author_and_keeps_trends(app_store, config):
    app = app_store
    _seed(app, config)
    trends_before = app.db.rows("SELECT SUM(posts) AS n FROM trends")[0]["n"]
    burst_before = app.db.one("SELECT post_count FROM incidents WHERE incident_key = ?", (BURST,))
    assert burst_before["post_count"] == 2
    key = app.db.one("SELECT incident_key FROM queue_items WHERE post_id = 't-1'")
    single = app.db.one("SELECT incident_key, incident_json FROM incidents "
                        "WHERE incident_key = ?", (key["incident_key"],))
    assert "@user1" in single["incident_json"]

    counts = erase_author(app, "USER1", actor="dpo")  # without '@', any case

    assert counts["posts"] == 2 and counts["queue_items"] == 2
    assert counts["notes"] == 1 and counts["relabels"] == 1 and counts["replies"] == 1
    assert counts["incident_links"] == 2 and counts["dead_letters"] == 1
    assert _count(app, "SELECT post_id FROM posts WHERE author_handle = '@user1'") == 0
    for table in ("queue_items", "notes", "relabels", "replies", "claims", "incident_posts"):
        assert _count(app, f"SELECT post_id FROM {table} WHERE post_id IN ('t-1', 't-6')") == 0
    assert _count(app, "SELECT post_id FROM notes WHERE post_id = 't-3'") == 1  # others stay
    assert _count(app, "SELECT post_id FROM posts") == 4
    dumped = orjson.dumps(app.db.rows("SELECT * FROM dead_letters")).decode()
    assert "secret text" not in dumped
    # aggregates: trend counts kept; the burst recomputed from what is left; titles scrubbed
    assert app.db.rows("SELECT SUM(posts) AS n FROM trends")[0]["n"] == trends_before
    burst = app.db.one("SELECT post_count, incident_json FROM incidents WHERE incident_key = ?",
                       (BURST,))
    assert burst["post_count"] == 1 and "t-6" not in burst["incident_json"]
    single = app.db.one("SELECT incident_json FROM incidents WHERE incident_key = ?",
                        (single["incident_key"],))["incident_json"]
    assert "user1" not in single and "internet is down" not in single
    assert '"sample_post_ids":[]' in single  # the key (single:t-1) stays: tickets use it
    # audit: old entries keep who/what/when without the text; one erase entry without content
    everything = orjson.dumps(app.audit_entries(limit=1000)).decode()
    for secret in ("customer 4711", "we're on it", "@user1", '"t-1"', "USER1", "user1"):
        assert secret not in everything
    erase = [a for a in app.audit_entries() if a["action"] == "gdpr.erase"]
    assert len(erase) == 1 and erase[0]["actor"] == "dpo"
    assert erase[0]["detail"]["author_sha256"] == digest("user1")
    assert erase[0]["detail"]["removed"]["posts"] == 2
    assert [a["action"] for a in app.audit_entries() if a["post_id"] and
            a["post_id"].startswith("erased:")].count("note") == 1
    # erasing again finds nothing
    assert erase_author(app, "@user1")["posts"] == 0


def test_erase_cli_prints_what_was_removed(config, tmp_path, monkeypatch):
    from webcare.cli.main import main

    store = open_store(config.store)
    try:
        _seed(AppStore(store), config)
    finally:
        store.close()
    if config.store.type == "sqlite":
        args = ["--store", config.store.path]
    else:  # PostgreSQL through a config file; the DSN from the environment
        monkeypatch.setenv("WEBCARE_POSTGRES_DSN", config.store.dsn.get_secret_value())
        path = tmp_path / "pg.yaml"
        path.write_text(f"store: {{type: postgres, schema_name: {config.store.schema_name}}}\n")
        args = ["--config", str(path)]
    result = CliRunner().invoke(main, ["erase", "--author", "@user1", *args])
    assert result.exit_code == 0, result.output
    assert "erased @user1: 2 posts, 2 queue items" in result.output
    assert "1 notes" in result.output and "kept: hourly trend counts" in result.output
    again = CliRunner().invoke(main, ["erase", "--author", "@user1", "--json", *args])
    assert orjson.loads(again.output)["removed"]["posts"] == 0
    store = open_store(config.store)
    try:
        assert AppStore(store).db.rows("SELECT post_id FROM posts WHERE post_id = 't-1'") == []
    finally:
        store.close()
