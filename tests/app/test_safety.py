"""Post text is attacker-controlled: it renders as inert text on every page; headers; filters,
SLA and the live-update version."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.app.conftest import api_token
from tests.conftest import T0
from webcare.app import queries
from webcare.app.security import neutralise


def _inert(page: str) -> None:
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "<svg onload" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202e" not in page and "[U+202E]" in page


@pytest.mark.slow
def test_xss_post_renders_as_text_on_queue_and_item(client_for):
    client = client_for("alice")
    queue = client.get("/")
    _inert(queue.text)
    item = client.get("/item?id=t-2")
    _inert(item.text)
    assert "javascript:alert(5)" not in item.text  # the post's url is not linked
    for response in (queue, item):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


def test_xss_post_is_plain_json_in_the_api(client_for, app_store):
    response = client_for().get("/api/v1/items/t-2", headers=api_token(app_store, "alice"))
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["text"].startswith("<script>alert(1)</script>")


@pytest.mark.slow
def test_notes_are_inert_too(client_for):
    from tests.app.conftest import post_action

    client = client_for("alice")
    post_action(client, "note", "t-1", body="<b>bold</b>\u2066x")
    page = client.get("/item?id=t-1").text
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;[U+2066]x" in page


def test_neutralise_makes_direction_and_invisible_characters_visible():
    assert neutralise("a\u202eb\u200bc\u2067d\x00") == "a[U+202E]b[U+200B]c[U+2067]d[U+0000]"
    assert neutralise("héllo wörld 😤") == "héllo wörld 😤"


def test_queue_filters_and_order(app_store, config):
    at, replayed = queries.clock(app_store, config.app)
    assert replayed and at == T0 + timedelta(minutes=4)
    rows = queries.queue(app_store, config.app, queries.QueueFilter(), "alice", at)
    assert [r["item"].post_id for r in rows] == ["t-4", "t-2", "t-1", "t-3"]
    only = queries.QueueFilter(platform="reddit")
    assert [r["item"].post_id for r in queries.queue(app_store, config.app, only, "a", at)] == [
        "t-4"]
    assert queries.queue(app_store, config.app, queries.QueueFilter(topic="x' OR 1=1 --"),
                         "a", at) == []
    app_store.claim("t-3", "alice")
    mine = queries.queue(app_store, config.app, queries.QueueFilter(mine=True), "alice", at)
    assert [r["item"].post_id for r in mine] == ["t-3"] and mine[0]["owner"] == "alice"
    assert queries.facets(app_store)["lang"] == ["en", "nl"]


def test_sla_deadline_per_urgency_and_breach(app_store, config):
    at = T0 + timedelta(minutes=30)
    rows = {r["item"].post_id: r["sla"] for r in queries.queue(
        app_store, config.app, queries.QueueFilter(), "a", at)}
    assert rows["t-4"]["breached"]  # critical: 15 minutes, posted at T0+4m
    assert not rows["t-1"]["breached"] and rows["t-1"]["seconds_left"] == 31 * 60  # high: 60m


@pytest.mark.slow
def test_queue_page_marks_breached_items_and_filters(client_for):
    client = client_for("alice")
    page = client.get("/").text
    assert 'class="row breached"' not in page  # replay clock: the newest post is 'now'
    filtered = client.get("/?topic=billing").text
    assert "billing is wrong" in filtered and "phishing" not in filtered


def test_live_update_version_changes_on_actions(app_store):
    before = queries.queue_version(app_store)
    app_store.claim("t-1", "alice")
    assert queries.queue_version(app_store) != before


def test_events_need_a_login(client_for):
    assert client_for().get("/events", follow_redirects=False).status_code == 303
