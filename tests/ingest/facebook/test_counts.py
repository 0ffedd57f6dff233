"""`webcare engagement refresh --platform facebook` against a local Graph API fake: GET
/v21.0/?ids=…&fields=…, page token as Bearer, at most 50 ids, error 100 for a whole batch
when one id is gone, OAuthException 190 for a bad token, code 4 when rate limited."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from ingest.facebook.counts import FIELDS, Graph, node_counts
from route.rules import RouteConfig, Router
from sinks.store.app_db import AppDb
from tests.conftest import make_classification, make_post
from tests.ingest.fakes import FakeHTTP
from tests.sinks.conftest import open_store, store_config  # noqa: F401 - both backends
from webcare.cli.engagement import RefreshFailed, facebook_fetch, refresh

ROUTER = Router(RouteConfig.model_validate({"rules": []}))
PAGE = "104882736154420"


def item(n: int) -> str:
    return f"{PAGE}_{7000 + n}" if n % 3 else f"{PAGE}_7000_{9000 + n}"  # posts and comments


def graph_error(status: int, code: int, message: str, kind: str = "OAuthException"):
    return status, {}, {"error": {"message": message, "type": kind, "code": code,
                                  "fbtrace_id": "AbCdEf"}}


class FakeGraph(FakeHTTP):
    def __init__(self, deleted=(), token="page-token", limited=False):
        super().__init__({("GET", "/v21.0/"): self.lookup})
        self.deleted, self.token, self.limited = set(deleted), token, limited

    def lookup(self, handler):
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        if self.limited:
            return graph_error(400, 4, "Application request limit reached", "GraphMethodException")
        query = {k: v[0] for k, v in handler.query.items()}
        ids = query.get("ids", "").split(",")
        if query.get("fields") != FIELDS or not 1 <= len(ids) <= 50:
            return graph_error(400, 100, "(#100) bad fields or too many ids")
        gone = [i for i in ids if i in self.deleted]
        if gone:
            return graph_error(400, 100, f"(#100) Some of the aliases you requested do not "
                               f"exist: {','.join(gone)}", "GraphMethodException")
        return 200, {}, {i: {"id": i,
                             "reactions": {"data": [], "summary": {"total_count": int(i[-2:])}},
                             "comments": {"data": [], "summary": {"order": "ranked",
                                                                  "total_count": 2}},
                             **({"shares": {"count": 5}} if "_7000_" not in i else {})}
                         for i in ids}


@pytest.fixture
def store(store_config):  # noqa: F811
    opened = open_store(store_config)
    posts = [make_post(n, id=f"facebook:{item(n)}", platform="facebook", platform_id=item(n))
             for n in range(1, 61)]
    opened.write([ROUTER(p, make_classification(p)) for p in posts], [])
    yield opened
    opened.close()


def counts(store, n: int) -> tuple:
    row = AppDb(store.db).one("SELECT followers, likes, shares, replies, quotes FROM "
                              "post_engagement WHERE post_id = ?", (f"facebook:{item(n)}",))
    return tuple(row.values())


@pytest.mark.slow
def test_refresh_reads_reactions_comments_and_shares(store):
    with FakeGraph(deleted={item(55)}) as fake:
        done = refresh(AppDb(store.db), "facebook", facebook_fetch(Graph("page-token", fake.url)))
    assert done == {"posts": 60, "refreshed": 59, "missing": 1}
    sizes = [len(parse_qs(urlsplit(p).query)["ids"][0].split(",")) for p in fake.paths()]
    assert sizes == [50, 10] + [1] * 10  # the batch with the deleted id, again id by id
    assert counts(store, 7) == (100, int(item(7)[-2:]), 5, 2, 0)  # followers kept (not in Graph)
    assert counts(store, 9) == (100, int(item(9)[-2:]), 0, 2, 0)  # a comment: no shares
    assert counts(store, 55) == (100, 0, 0, 0, 0)


@pytest.mark.slow
def test_bad_token_and_rate_limit_change_nothing(store, store_config):  # noqa: F811
    with FakeGraph(token="other") as fake, pytest.raises(RefreshFailed, match="code 190"):
        refresh(AppDb(store.db), "facebook", facebook_fetch(Graph("page-token", fake.url)))
    with FakeGraph(limited=True) as fake:
        with pytest.raises(RefreshFailed, match="rate limited"):
            refresh(AppDb(store.db), "facebook", facebook_fetch(Graph("page-token", fake.url)))
        assert counts(store, 1) == (100, 0, 0, 0, 0)
    if store_config.type != "sqlite":
        return
    from webcare.cli.main import main

    with FakeGraph() as fake:
        result = CliRunner().invoke(main, [
            "engagement", "refresh", "--platform", "facebook", "--since", "2026-11-01",
            "--graph-url", fake.url, "--store", store_config.path],
            env={"FACEBOOK_PAGE_TOKEN": "page-token"})
    assert result.exit_code == 0, result.output
    assert "facebook: 60 of 60 post(s) refreshed, 0 no longer available" in result.output


def test_node_counts_without_edges():
    assert node_counts({"id": "1"}) == (0, 0, 0, 0)
