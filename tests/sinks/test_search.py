"""Full-text search (issue 21) on SQLite (FTS5) and PostgreSQL (tsvector + GIN): the same
query language, the same answers for plain words, phrases, exclusions and OR; unreadable
queries raise BadSearch; erasure and the migration backfill keep the index in step."""

from __future__ import annotations

import pytest

from route.rules import RouteConfig, Router
from schemas import QueueItem
from sinks.store import queue, search
from sinks.store.app_db import AppDb
from tests.conftest import make_classification, make_post
from tests.sinks.conftest import open_store

ROUTER = Router(RouteConfig.model_validate({"rules": [
    {"name": "all", "when": {"actionable": True}, "action": "webcare"}]}))
TEXTS = {1: "The printer on floor 3 is down again", 2: "VPN outage since this morning",
         3: "Printing works fine, thanks!", 4: "Het wifi netwerk is traag vandaag",
         5: "=HYPERLINK(\"evil\") the VPN client crashed", 6: "nul \x00 byte post vpn"}


def decisions():
    out = []
    for n, text in TEXTS.items():
        post = make_post(n, text=text)
        lang = "nl" if n == 4 else "en"
        out.append(ROUTER(post, make_classification(post, lang=lang, priority=10 * n)))
    return out


@pytest.fixture
def db(store):
    store.write(decisions(), [])
    return AppDb(store.db)


def ids(rows):
    return sorted(r["post_id"] for r in rows)


def found(db, text, **filters):
    rows = queue.queue_rows(db, ("open",), filters, None, 100, text=text)
    return sorted(QueueItem.model_validate_json(r["item_json"]).post_id for r in rows)


def test_words_phrases_exclusions_and_or(db):
    assert found(db, "vpn") == ["t-2", "t-5", "t-6"]
    assert found(db, "VPN outage") == ["t-2"]
    assert found(db, '"printer on floor"') == ["t-1"]
    assert found(db, "vpn -crashed") == ["t-2", "t-6"]
    assert found(db, "printer OR wifi") == ["t-1", "t-4"]
    assert found(db, "nothing-like-this") == []
    assert found(db, "vpn", lang="nl") == []
    assert found(db, "") == ["t-1", "t-2", "t-3", "t-4", "t-5", "t-6"]


def test_stemming_finds_word_forms(db):
    assert "t-1" in found(db, "printers")  # english stemming on both engines


@pytest.mark.parametrize("text", ['"unbalanced', 'vpn "a', "-vpn", "x" * 300])
def test_unreadable_queries_raise_bad_search(db, text):
    with pytest.raises(search.BadSearch, match="bad search"):
        queue.queue_rows(db, ("open",), {}, None, 10, text=text)


def test_operators_in_input_are_words(db):
    assert found(db, "NEAR(printer floor) AND *") == []  # FTS5 syntax is never interpreted
    assert found(db, "printer AND") == []  # AND is just a word here


def test_search_posts_sees_every_post_newest_first(db):
    rows = queue.search_posts(db, "vpn")
    assert [r["post_id"] for r in rows] == ["t-6", "t-5", "t-2"]
    assert rows[0]["status"] == "open"
    with pytest.raises(search.BadSearch):
        queue.search_posts(db, "  ")


def test_index_follows_deletes_and_backfills_on_migration(store_config):
    store = open_store(store_config)
    store.write(decisions(), [])
    db = AppDb(store.db)
    with db.tx():
        for table in ("queue_items", "post_engagement", "post_threads", "posts"):
            db.run(f"DELETE FROM {table} WHERE post_id = ?", ("t-2",))
    assert ids(queue.search_posts(db, "vpn")) == ["t-5", "t-6"]
    # a store from before version 7: the migration indexes what is already stored
    with db.tx():
        db.run("DELETE FROM schema_migrations WHERE version >= 7")
        db.run("DELETE FROM post_search")
    assert ids(queue.search_posts(db, "vpn")) == []
    store.close()
    store = open_store(store_config)
    assert ids(queue.search_posts(AppDb(store.db), "vpn")) == ["t-5", "t-6"]
    store.close()
