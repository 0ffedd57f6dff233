"""`webcare engagement refresh --platform x` through tweepy against a local fake of
GET /2/tweets (bearer auth, comma-separated 1-100 numeric ids, public_metrics fields and the
author expansion required, v2 `errors` for deleted tweets), on SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from ingest.x.counts import client
from route.rules import RouteConfig, Router
from schemas import Author
from sinks.store.app_db import AppDb
from tests.conftest import make_classification, make_post
from tests.ingest.fakes import FakeHTTP
from tests.sinks.conftest import open_store, store_config  # noqa: F401 - both backends
from webcare.cli.engagement import RefreshFailed, refresh, x_fetch

ROUTER = Router(RouteConfig.model_validate({"rules": []}))
BASE_ID = 1_860_000_000_000_000_000


class FakeTweets(FakeHTTP):
    def __init__(self, deleted=(), token="good"):
        super().__init__({("GET", "/2/tweets"): self.tweets})
        self.deleted, self.token = set(deleted), token

    def tweets(self, handler):
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {}, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                             "detail": "Unauthorized"}
        q = {k: v[0] for k, v in handler.query.items()}
        ids = q.get("ids", "").split(",")
        if not 1 <= len(ids) <= 100 or not all(i.isdigit() for i in ids):
            return 400, {}, {"errors": [{"parameters": {"ids": [q.get("ids")]},
                                         "message": "ids must be 1-100 numeric ids"}],
                             "title": "Invalid Request", "detail": "One or more parameters "
                             "to your request was invalid.",
                             "type": "https://api.twitter.com/2/problems/invalid-request"}
        if "public_metrics" not in q.get("tweet.fields", "") or q.get("expansions") != \
                "author_id" or "public_metrics" not in q.get("user.fields", ""):
            return 400, {}, {"title": "Invalid Request", "detail": "fields missing"}
        live = [i for i in ids if i not in self.deleted]
        body = {"data": [{"id": i, "text": "old text", "author_id": "42",
                          "created_at": "2026-11-20T12:00:00.000Z",
                          "edit_history_tweet_ids": [i],
                          "public_metrics": {"like_count": int(i) % 1000, "retweet_count": 2,
                                             "reply_count": 3, "quote_count": 4,
                                             "bookmark_count": 0, "impression_count": 99}}
                         for i in live],
                "includes": {"users": [{"id": "42", "username": "ann", "name": "Ann",
                                        "public_metrics": {"followers_count": 4321}}]}}
        if self.deleted & set(ids):
            body["errors"] = [{"value": i, "detail": f"Could not find tweet with ids: [{i}].",
                               "title": "Not Found Error", "resource_type": "tweet",
                               "parameter": "ids", "resource_id": i,
                               "type": "https://api.twitter.com/2/problems/resource-not-found"}
                              for i in sorted(self.deleted & set(ids))]
        return 200, {}, body


@pytest.fixture
def store(store_config):  # noqa: F811
    opened = open_store(store_config)
    posts = [make_post(n, id=f"x:{BASE_ID + n}", platform_id=str(BASE_ID + n),
                       author=Author(id="42", handle="@ann", followers=10))
             for n in range(1, 151)]
    opened.write([ROUTER(p, make_classification(p)) for p in posts], [])
    yield opened
    opened.close()


def counts(store, n: int) -> tuple:
    row = AppDb(store.db).one("SELECT followers, likes, shares, replies, quotes FROM "
                              "post_engagement WHERE post_id = ?", (f"x:{BASE_ID + n}",))
    return tuple(row.values())


@pytest.mark.slow
def test_refresh_reads_public_metrics_in_calls_of_100(store):
    with FakeTweets(deleted={str(BASE_ID + 150)}) as fake:
        done = refresh(AppDb(store.db), "x", x_fetch(client("good", fake.url)))
    assert done == {"posts": 150, "refreshed": 149, "missing": 1}
    sent = [parse_qs(urlsplit(p).query)["ids"][0].split(",") for p in fake.paths()]
    assert [len(ids) for ids in sent] == [100, 50]
    assert counts(store, 7) == (4321, (BASE_ID + 7) % 1000, 2, 3, 4)
    assert counts(store, 150) == (10, 0, 0, 0, 0)


@pytest.mark.slow
def test_rejected_token_changes_nothing(store, store_config):  # noqa: F811
    with FakeTweets(token="other") as fake:
        with pytest.raises(RefreshFailed, match="x: Unauthorized"):
            refresh(AppDb(store.db), "x", x_fetch(client("good", fake.url)))
        assert counts(store, 1) == (10, 0, 0, 0, 0)
        if store_config.type != "sqlite":
            return
        from webcare.cli.main import main

        result = CliRunner().invoke(main, [
            "engagement", "refresh", "--platform", "x", "--since", "2026-11-01",
            "--x-api-url", fake.url, "--store", store_config.path],
            env={"X_BEARER_TOKEN": "good"})
    assert result.exit_code == 1 and "nothing changed for x" in result.output
    missing = CliRunner().invoke(main, ["engagement", "refresh", "--platform", "x",
                                        "--x-bearer-env", "NO_SUCH_TOKEN_VAR",
                                        "--store", store_config.path])
    assert missing.exit_code == 1 and "NO_SUCH_TOKEN_VAR" in missing.output
