"""`webcare engagement refresh` against a local AppView fake that enforces the XRPC contract of
app.bsky.feed.getPosts / app.bsky.actor.getProfiles (GET, repeated `uris`/`actors`, 1-25
values, at:// URIs and DIDs, XRPC error bodies), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from ingest.bluesky.counts import AppView, view_counts
from route.rules import RouteConfig, Router
from schemas import Author
from sinks.store.app_db import AppDb
from tests.conftest import make_classification, make_post, shared_path
from tests.ingest.fakes import FakeHTTP
from tests.sinks.conftest import open_store, store_config  # noqa: F401 - both backends
from webcare.cli.engagement import RefreshFailed, bluesky_fetch, refresh

ROUTER = Router(RouteConfig.model_validate({"rules": []}))
POST_URI = re.compile(r"^at://did:[a-z]+:[\w.:%-]+/app\.bsky\.feed\.post/[\w.~:-]+$")
DIDS = ("did:plc:aaa", "did:plc:bbb")


def uri(n: int) -> str:
    return f"at://{DIDS[n % 2]}/app.bsky.feed.post/3k{n:04d}"


def xrpc_error(message: str, status: int = 400, error: str = "InvalidRequest"):
    return status, {}, {"error": error, "message": message}


class FakeAppView(FakeHTTP):
    def __init__(self, deleted=(), rate_limited=False):
        super().__init__({("GET", "/xrpc/app.bsky.feed.getPosts"): self.get_posts,
                          ("GET", "/xrpc/app.bsky.actor.getProfiles"): self.get_profiles})
        self.deleted, self.rate_limited = set(deleted), rate_limited

    def get_posts(self, handler):
        uris = handler.query.get("uris", [])
        if self.rate_limited:
            return 429, {"ratelimit-reset": "1764662400"}, {
                "error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
        if not 1 <= len(uris) <= 25 or not all(POST_URI.match(u) for u in uris):
            return xrpc_error("uris must be 1-25 at:// post URIs")
        return 200, {}, {"posts": [
            {"uri": u, "cid": "bafy" + u[-4:], "author": {"did": u.split("/")[2]},
             "record": {"$type": "app.bsky.feed.post", "text": "x"},
             "likeCount": int(u[-4:]), "repostCount": 1, "replyCount": 2, "quoteCount": 3,
             "indexedAt": "2026-11-20T12:00:00.000Z"} for u in uris if u not in self.deleted]}

    def get_profiles(self, handler):
        actors = handler.query.get("actors", [])
        if not 1 <= len(actors) <= 25 or not all(a.startswith("did:") for a in actors):
            return xrpc_error("actors must be 1-25 DIDs or handles")
        return 200, {}, {"profiles": [{"did": a, "handle": f"{a[-3:]}.bsky.social",
                                       "followersCount": 100 * (DIDS.index(a) + 1)}
                                      for a in actors if a in DIDS]}


@pytest.fixture
def store(store_config):  # noqa: F811
    opened = open_store(store_config)
    posts = [make_post(n, id=f"bluesky:{uri(n)}", platform="bluesky", platform_id=uri(n),
                       author=Author(id=DIDS[n % 2], handle=DIDS[n % 2])) for n in range(1, 31)]
    posts.append(make_post(99, author=Author(handle="@x", followers=7)))  # X: not refreshed
    opened.write([ROUTER(p, make_classification(p)) for p in posts], [])
    yield opened
    opened.close()


def engagement_of(store) -> dict[str, tuple]:
    rows = AppDb(store.db).rows("SELECT post_id, followers, likes, shares, replies, quotes "
                                "FROM post_engagement")
    return {r["post_id"]: (r["followers"], r["likes"], r["shares"], r["replies"], r["quotes"])
            for r in rows}


@pytest.mark.slow
def test_refresh_updates_counts_and_followers_in_batches_of_25(store):
    with FakeAppView(deleted={uri(30)}) as fake:
        done = refresh(AppDb(store.db), "bluesky", bluesky_fetch(AppView(fake.url)))
    assert done == {"posts": 30, "refreshed": 29, "missing": 1}
    assert [len(re.findall("uris=", p)) for p in fake.paths() if "getPosts" in p] == [25, 5]
    found = engagement_of(store)
    assert found[f"bluesky:{uri(7)}"] == (200, 7, 1, 2, 3)
    assert found[f"bluesky:{uri(8)}"] == (100, 8, 1, 2, 3)
    assert found[f"bluesky:{uri(30)}"] == (0, 0, 0, 0, 0)  # deleted: the last counts stay
    assert found["t-99"] == (7, 0, 0, 0, 0)


@pytest.mark.slow
def test_rate_limit_changes_nothing_and_says_when_it_resets(store):
    before = engagement_of(store)
    with FakeAppView(rate_limited=True) as fake, pytest.raises(RefreshFailed) as error:
        refresh(AppDb(store.db), "bluesky", bluesky_fetch(AppView(fake.url)))
    assert "HTTP 429 RateLimitExceeded" in str(error.value) and "1764662400" in str(error.value)
    assert engagement_of(store) == before


@pytest.mark.slow
def test_since_limits_the_posts_and_the_cli_reports(store, store_config):  # noqa: F811
    with FakeAppView() as fake:
        done = refresh(AppDb(store.db), "bluesky", bluesky_fetch(AppView(fake.url)),
                       "2026-11-20T12:25:00.000000Z")
        assert done["posts"] == 6  # posts 25..30
        if store_config.type != "sqlite":
            return
        from webcare.cli.main import main

        store.close()
        result = CliRunner().invoke(main, ["engagement", "refresh", "--since", "2026-11-01",
                                           "--appview", fake.url, "--store", store_config.path])
    assert result.exit_code == 0, result.output
    assert "bluesky: 30 of 30 post(s) refreshed, 0 no longer available" in result.output
    bad = CliRunner().invoke(main, ["engagement", "refresh", "--appview", "http://127.0.0.1:9",
                                    "--since", "2026-11-01", "--store", store_config.path])
    assert bad.exit_code == 1 and "nothing changed" in bad.output


def test_recorded_post_view_counts():
    path = shared_path("recordings/bluesky_atproto/thread_view_post_with_embed_media.json")
    view = json.loads(path.read_text())["thread"]["post"]
    assert view_counts(view) == (view["likeCount"], view["repostCount"], view["replyCount"], 0)
