"""Migration 4: engagement and thread rows per post on both backends, idempotent, backfilled
for posts stored before the migration, removed with the author by `webcare erase`."""

from __future__ import annotations

from route.rules import RouteConfig, Router
from schemas import Author, Decision, Engagement
from sinks.store import post_facts
from sinks.store.app_db import AppDb
from sinks.store.app_store import AppStore
from tests.conftest import make_classification, make_post
from tests.sinks.conftest import open_store
from webcare.app.erase import erase_author

ROUTER = Router(RouteConfig.model_validate({"rules": []}))


def decisions():
    question = make_post(1, text="how do I reset my router?", author=Author(
        handle="@ann", followers=250), engagement=Engagement(likes=4, shares=1, replies=2))
    answer = make_post(2, text="hold reset for 10 s", reply_to_id="t-1", conversation_id="t-1",
                       author=Author(handle="@bob", followers=10),
                       engagement=Engagement(likes=9, quotes=3))
    masto = make_post(3, platform="mastodon", id="mastodon:https://m.example/s/55",
                      platform_id="https://m.example/s/55", reply_to_id="54",
                      raw={"id": "55", "uri": "https://m.example/s/55"})
    return [ROUTER(p, make_classification(p)) for p in (question, answer, masto)]


def facts(store) -> dict[str, dict]:
    db = AppDb(store.db)
    rows = db.rows("SELECT e.post_id, e.followers, e.likes, e.shares, e.replies, e.quotes, "
                   "t.thread_key, t.reply_to_key, t.conversation_key FROM post_engagement e "
                   "JOIN post_threads t ON t.post_id = e.post_id ORDER BY e.post_id")
    return {row.pop("post_id"): row for row in rows}


def test_rows_written_once_per_post(store):
    store.write(decisions(), [])
    store.write(decisions(), [])  # a replay changes nothing
    found = facts(store)
    assert found["t-1"] == {"followers": 250, "likes": 4, "shares": 1, "replies": 2, "quotes": 0,
                            "thread_key": "x:t-1", "reply_to_key": None, "conversation_key": None}
    assert found["t-2"]["reply_to_key"] == "x:t-1" and found["t-2"]["quotes"] == 3
    assert found["t-2"]["conversation_key"] == "x:t-1"
    masto = found["mastodon:https://m.example/s/55"]
    assert masto["thread_key"] == "mastodon:55" and masto["reply_to_key"] == "mastodon:54"


def test_posts_stored_before_migration_4_are_backfilled(store_config):
    store = open_store(store_config)
    store.write(decisions(), [])
    db = AppDb(store.db)
    with db.tx():  # the database as an older release left it
        db.run("DELETE FROM post_engagement")
        db.run("DELETE FROM post_threads")
        db.run("DELETE FROM schema_migrations WHERE version = ?", (post_facts.MIGRATION,))
    store.close()
    reopened = open_store(store_config)
    try:
        found = facts(reopened)
        assert len(found) == 3 and found["t-1"]["followers"] == 250
        assert found["t-2"]["reply_to_key"] == "x:t-1"
    finally:
        reopened.close()


def test_erase_removes_the_authors_rows(store):
    store.write(decisions(), [])
    counts = erase_author(AppStore(store), "@ann")
    assert counts["engagement"] == 1 and counts["threads"] == 1
    assert "t-1" not in facts(store) and "t-2" in facts(store)


def test_engage_ids_keep_their_prefix():
    post = make_post(5, platform="engage", id="engage:7", platform_id="7",
                     reply_to_id="engage:6", conversation_id="engage:6")
    assert post_facts.thread_row(post) == ("engage:7", "engage:7", "engage:6", "engage:6")


def test_a_conversation_is_found_by_its_root_thread_key(store):
    """The item page's thread: the root post (an X tweet, named by its platform id) and the
    other replies, through post_threads' indexes on both backends."""
    from sinks.store import queue as queue_rows

    root = make_post(10, id="x:100", platform_id="100", text="is the app down?")
    replies = [make_post(n, id=f"x:{100 + n}", platform_id=str(100 + n), reply_to_id="100",
                         conversation_id="100", text=f"same here {n}") for n in (1, 2)]
    other = make_post(20, id="x:200", platform_id="200", conversation_id="999", text="other")
    store.write([ROUTER(p, make_classification(p)) for p in (root, *replies, other)], [])
    db = AppDb(store.db)

    def thread(post) -> list[str]:
        rows = queue_rows.thread_rows(db, post.id, post_facts.conversation_root_key(post), 20)
        return sorted(Decision.model_validate_json(r["decision_json"]).post.id for r in rows)

    assert thread(replies[0]) == ["x:100", "x:102"]
    assert thread(root) == ["x:101", "x:102"]
    assert thread(other) == []
