import base64
import json
import time
from urllib.parse import parse_qs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.reddit.config import RedditConfig
from ingest.reddit.normalise import thing_post
from ingest.reddit.source import RedditSource
from schemas import Post
from schemas.dead_letters import parse_post
from schemas.errors import AuthFailed
from tests.conftest import shared_path
from tests.ingest.fakes import FakeHTTP, drain, platform_ids

RECORDINGS = "recordings/reddit_praw/cassettes"


def comment(n: int, text: str = "Lumen wifi down since 6am", **extra) -> dict:
    """A t1 shaped like TestSubredditStreams.test_comments (plus today's permalink)."""
    cid = f"dbhn{n:03d}"
    return {"subreddit_id": "t5_2qhuq", "edited": False, "link_id": "t3_5jffj1", "id": cid,
            "author": "ann", "author_fullname": "t2_ann", "parent_id": "t3_5jffj1",
            "score": 3, "body": text, "body_html": f"<div class=\"md\"><p>{text}</p></div>",
            "link_title": "Outage?", "subreddit": "techsupport", "name": f"t1_{cid}",
            "permalink": f"/r/techsupport/comments/5jffj1/outage/{cid}/",
            "created": 1482401840.0 + n, "created_utc": 1482373040.0 + n, "ups": 3,
            "replies": "", "user_reports": [], "mod_reports": [], **extra}


def submission(n: int, title: str = "Lumen router keeps rebooting", **extra) -> dict:
    sid = f"5jo{n:03d}"
    return {"domain": "self.techsupport", "subreddit": "techsupport", "selftext": "help",
            "id": sid, "author": "bob", "author_fullname": "t2_bob", "name": f"t3_{sid}",
            "score": 7, "num_comments": 2, "title": title, "over_18": False,
            "permalink": f"/r/techsupport/comments/{sid}/router/", "url": "https://x.test/",
            "created_utc": 1482373050.0 + n, **extra}


def mention(n: int, kind: str = "username_mention", text: str = "u/LumenCare help") -> dict:
    """An inbox t1 shaped like TestInbox.test_mentions: ``context``, no link_id/permalink."""
    cid = f"ekft{n:03d}"
    return {"first_message": None, "subreddit": "lumen", "author": "cat", "id": cid,
            "author_fullname": "t2_cat", "subject": "username mention", "score": 1,
            "parent_id": "t1_parent1", "type": kind, "body": text, "dest": "LumenCare",
            "was_comment": True, "name": f"t1_{cid}", "new": True, "num_comments": 1,
            "created_utc": 1554774308.0 + n, "link_title": "Lumen down",
            "context": f"/r/lumen/comments/bb24k7/lumen_down/{cid}/?context=3"}


def listing(things: list[dict]) -> dict:
    children = [{"kind": t["name"][:2], "data": t} for t in things]
    return {"kind": "Listing", "data": {"after": None, "before": None, "dist": len(children),
                                        "modhash": None, "geo_filter": "",
                                        "children": children}}


class FakeReddit(FakeHTTP):
    """Token endpoint + listings that honour ``before``/``limit`` like Reddit (newest first)."""

    def __init__(self, comments=(), submissions=(), mentions=(), replies=(), status=200,
                 password="pw"):
        super().__init__({("GET", "*"): self.route, ("POST", "/api/v1/access_token"): self.token})
        self.things = {"comments": list(comments), "new": list(submissions),
                       "mentions": list(mentions), "comments_inbox": list(replies)}
        self.status, self.password, self.tokens = status, password, 0

    def token(self, handler):
        client = base64.b64decode(handler.headers["Authorization"].split()[1]).decode()
        form = {k: v[0] for k, v in parse_qs(handler.body().decode()).items()}
        if client != "cid:csecret":
            return 401, {}, {"message": "Unauthorized", "error": 401}
        if form.get("grant_type") == "password" and form.get("password") != self.password:
            return 200, {}, {"error": "invalid_grant"}
        self.tokens += 1
        return 200, {}, {"access_token": "tok", "token_type": "bearer", "expires_in": 86400,
                         "scope": "*"}

    def route(self, handler):
        path = handler.path.split("?")[0].rstrip("/")
        if handler.headers.get("Authorization") != "bearer tok":
            return 401, {"www-authenticate": 'Bearer realm="reddit"'}, {"error": 401}
        if self.status == 429:
            return 429, {"retry-after": "1", "x-ratelimit-reset": "1"}, {"error": 429}
        if path == "/api/v1/me":
            return 200, {}, {"name": "LumenCare", "id": "lc1", "link_karma": 1}
        if path.startswith("/user/") and path.endswith("/about"):
            return 200, {}, {"kind": "t2", "data": {"name": path.split("/")[2],
                                                    "link_karma": 10, "comment_karma": 20,
                                                    "subreddit": {"subscribers": 55}}}
        key = {"/message/mentions": "mentions", "/message/comments": "comments_inbox"}.get(
            path, path.rsplit("/", 1)[-1])
        return 200, {}, listing(self._page(self.things.get(key, []), handler.query))

    @staticmethod
    def _page(things, query):
        limit = int(query.get("limit", ["100"])[0])
        before = query.get("before", [None])[0]
        if before is None:
            return list(reversed(things[-limit:]))
        names = [t.get("name") for t in things]
        if before not in names:
            return []  # Reddit answers a deleted anchor with an empty page
        start = names.index(before) + 1
        return list(reversed(things[start:start + limit]))


def make(tmp_path, fake, monkeypatch, **keys) -> RedditSource:
    monkeypatch.setenv("REDDIT_CLIENT_ID", keys.pop("client_id", "cid"))
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "csecret")
    monkeypatch.setenv("REDDIT_USERNAME", "LumenCare")
    monkeypatch.setenv("REDDIT_PASSWORD", keys.pop("password", "pw"))
    keys = {"oauth_url": fake.url, "reddit_url": fake.url, "subreddits": ["techsupport"],
            "state_path": str(tmp_path / "s.sqlite"), "backoff_initial": 0,
            "poll_interval": 0, **keys}
    return RedditSource(RedditConfig(**keys))


@pytest.mark.slow
def test_submissions_and_comments_normalised(tmp_path, monkeypatch):
    with FakeReddit([comment(1), comment(2)], [submission(1)]) as fake:
        records = drain(make(tmp_path, fake, monkeypatch, max_cycles=1))
    posts = {p.platform_id: p for p in (Post.model_validate_json(r.payload) for r in records)}
    assert set(posts) == {"t3_5jo001", "t1_dbhn001", "t1_dbhn002"}
    sub, com = posts["t3_5jo001"], posts["t1_dbhn001"]
    assert sub.platform == "reddit" and sub.text == "Lumen router keeps rebooting\n\nhelp"
    assert sub.conversation_id == "t3_5jo001" and sub.engagement.replies == 2
    assert com.reply_to_id == "t3_5jffj1" and com.conversation_id == "t3_5jffj1"
    assert com.url == "https://www.reddit.com/r/techsupport/comments/5jffj1/outage/dbhn001/"
    assert com.author.handle == "u/ann" and "body_html" not in com.raw
    assert any("/r/techsupport/new" in p for p in fake.paths())


@pytest.mark.slow
def test_restart_continues_before_checkpoint_without_duplicates(tmp_path, monkeypatch):
    with FakeReddit([comment(1), comment(2)]) as fake:
        first = platform_ids(drain(make(tmp_path, fake, monkeypatch, streams=["comments"],
                               max_cycles=1)))
        fake.things["comments"] += [comment(3), comment(4)]
        again = platform_ids(drain(make(tmp_path, fake, monkeypatch, streams=["comments"],
                               max_cycles=2)))
    assert first == ["t1_dbhn001", "t1_dbhn002"] and again == ["t1_dbhn003", "t1_dbhn004"]
    assert any("before=t1_dbhn002" in p for p in fake.paths())


@pytest.mark.slow
def test_deleted_anchor_falls_back_to_newest_page_deduplicated(tmp_path, monkeypatch):
    with FakeReddit([comment(1), comment(2)]) as fake:
        drain(make(tmp_path, fake, monkeypatch, streams=["comments"], max_cycles=1))
        fake.things["comments"] = [comment(1), comment(3)]  # t1_dbhn002 was deleted
        again = platform_ids(drain(make(tmp_path, fake, monkeypatch, streams=["comments"],
                               max_cycles=3)))
    assert again == ["t1_dbhn003"]


@pytest.mark.slow
def test_inbox_mentions_and_replies_with_author_details(tmp_path, monkeypatch):
    with FakeReddit(mentions=[mention(1)], replies=[mention(2, "comment_reply")]) as fake:
        src = make(tmp_path, fake, monkeypatch, subreddits=[], inbox=True,
                   author_details=True, max_cycles=1)
        posts = [Post.model_validate_json(r.payload) for r in drain(src)]
    assert [p.platform_id for p in posts] == ["t1_ekft001", "t1_ekft002"]
    assert posts[0].conversation_id == "t3_bb24k7" and posts[0].reply_to_id == "t1_parent1"
    assert posts[0].url == "https://www.reddit.com/r/lumen/comments/bb24k7/lumen_down/ekft001/"
    assert posts[0].author.followers == 55
    assert posts[0].raw["author_details"]["comment_karma"] == 20
    assert sum("/user/cat/about" in p for p in fake.paths()) == 1  # cached per author


@pytest.mark.slow
def test_keyword_filter_and_malformed_thing_is_dead_letter(tmp_path, monkeypatch):
    bad = comment(2)
    del bad["created_utc"]
    with FakeReddit([comment(1, "nice weather"), bad, comment(3, "LUMEN outage")]) as fake:
        src = make(tmp_path, fake, monkeypatch, streams=["comments"], keywords=["lumen"],
                   max_cycles=1)
        results = [parse_post(r) for r in drain(src)]
    assert [type(r).__name__ for r in results] == ["DeadLetter", "Post"]
    assert results[1].platform_id == "t1_dbhn003"


@pytest.mark.slow
def test_bad_client_secret_stops_loudly(tmp_path, monkeypatch, caplog):
    with FakeReddit([comment(1)]) as fake:
        src = make(tmp_path, fake, monkeypatch, client_id="wrong")
        with pytest.raises(AuthFailed, match="rejected"):
            drain(src)
    assert src.health.state == "auth_failed" and "csecret" not in caplog.text


@pytest.mark.slow
def test_wrong_password_stops_loudly(tmp_path, monkeypatch):
    with FakeReddit() as fake:
        src = make(tmp_path, fake, monkeypatch, subreddits=[], inbox=True, password="old")
        with pytest.raises(AuthFailed):
            drain(src)
    assert src.health.state == "auth_failed"


def test_missing_credentials_name_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("REDDIT_CLIENT_ID", "cid")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "csecret")
    monkeypatch.setenv("REDDIT_USERNAME", "LumenCare")
    monkeypatch.delenv("REDDIT_PASSWORD", raising=False)
    monkeypatch.delenv("REDDIT_PASSWORD_FILE", raising=False)
    with pytest.raises(AuthFailed, match="REDDIT_PASSWORD"):
        RedditSource(RedditConfig(inbox=True, state_path=str(tmp_path / "s.sqlite")))


@pytest.mark.slow
def test_429_waits_then_retries(tmp_path, monkeypatch):
    with FakeReddit([comment(1)], status=429) as fake:
        src = make(tmp_path, fake, monkeypatch, streams=["comments"], max_cycles=2)
        started = time.monotonic()
        assert drain(src) == []
    assert src.health.state == "rate_limited"
    assert time.monotonic() - started >= 0.9
    assert len([p for p in fake.paths() if "/comments" in p]) == 2


@pytest.mark.slow
def test_server_error_degrades_and_reconnects(tmp_path, monkeypatch, caplog):
    with FakeReddit([comment(1)]) as fake:
        fake.routes[("GET", "/r/techsupport/comments/")] = lambda h: (500, {}, {"error": 500})
        src = make(tmp_path, fake, monkeypatch, streams=["comments"], max_cycles=1)
        src.reddit._core._retry_strategy_class = _NoRetry
        assert drain(src) == []
        assert "reddit:techsupport: degraded (" in caplog.text  # 500 (or a dropped socket)
        del fake.routes[("GET", "/r/techsupport/comments/")]
        src.config.max_cycles = None
        src.config.max_records = 1
        assert platform_ids(drain(src)) == ["t1_dbhn001"]


class _NoRetry:
    def sleep(self):
        pass

    def should_retry_on_failure(self):
        return False


@given(text=st.text(min_size=1, max_size=500), score=st.integers(-10**6, 10**6),
       n=st.integers(0, 999), kind=st.sampled_from(["comment", "submission", "mention"]))
def test_thing_normaliser_property(text, score, n, kind):
    if kind == "submission":
        data = submission(n, title=text)
    else:
        data = (comment if kind == "comment" else mention)(n, text=text)
    data["score"] = score
    post = thing_post(data)
    assert post.id == f"reddit:{data['name']}" and post.platform == "reddit"
    assert post.engagement.likes == max(0, score)
    assert text.replace("\x00", "") in post.text
    assert post.conversation_id and post.conversation_id.startswith("t3_")
    assert (post.reply_to_id is None) == (kind == "submission")
    assert post.url.startswith("https://www.reddit.com/")


def _recorded(name: str) -> list[dict]:
    path = shared_path(f"{RECORDINGS}/{name}")
    bodies = []
    for interaction in json.loads(path.read_text("utf-8"))["interactions"]:
        text = interaction["response"]["body"].get("string") or ""
        if interaction["request"]["method"] == "GET" and text.startswith("{"):
            bodies.append(json.loads(text))
    return bodies


def test_recorded_listings_normalise():
    count = 0
    for name in ("TestSubredditStreams.test_comments.json",
                 "TestSubredditStreams.test_submissions.json", "TestInbox.test_mentions.json",
                 "TestInbox.test_comment_replies.json"):
        for body in _recorded(name):
            for child in body.get("data", {}).get("children", []):
                post = thing_post(child["data"])
                count += post.platform == "reddit" and post.conversation_id is not None
    assert count > 100


@pytest.mark.slow
def test_recorded_stream_replays_through_praw(tmp_path, monkeypatch):
    """The recorded r/all comment pages, served by the fake, come out as Posts via praw."""
    things = [child["data"] for body in _recorded("TestSubredditStreams.test_comments.json")
              for child in body["data"]["children"]]
    unique = sorted({t["name"]: t for t in things}.values(), key=lambda t: t["created_utc"])
    with FakeReddit(unique) as fake:
        src = make(tmp_path, fake, monkeypatch, subreddits=["all"], streams=["comments"],
                   max_cycles=1)
        results = [parse_post(r) for r in drain(src)]
    assert len(results) == min(100, len(unique))
    assert all(isinstance(r, Post) for r in results)


@pytest.mark.slow
def test_webcare_run_ingests_reddit_end_to_end(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sinks.store.config import SqliteStoreConfig
    from sinks.store.sqlite import SqliteStore
    from tests.ingest.test_end_to_end import write_config
    from webcare.cli.main import main

    for name, value in (("REDDIT_CLIENT_ID", "cid"), ("REDDIT_CLIENT_SECRET", "csecret"),
                        ("REDDIT_USERNAME", "LumenCare"), ("REDDIT_PASSWORD", "pw")):
        monkeypatch.setenv(name, value)
    bad = comment(3)
    del bad["body"]
    with FakeReddit([comment(1), comment(2), bad], [submission(1)], mentions=[mention(1)]) as fake:
        path = write_config(tmp_path, [{"type": "reddit", "oauth_url": fake.url,
                                        "reddit_url": fake.url, "subreddits": ["techsupport"],
                                        "inbox": True, "max_cycles": 1}])
        result = CliRunner().invoke(main, ["run", "--config", path])
        assert result.exit_code == 0, result.output
        assert "posts: 4  dead letters: 1" in result.output
        tested = CliRunner().invoke(main, ["sources", "test", "--config", path])
        assert tested.exit_code == 0 and "ok  " in tested.output, tested.output
    store = SqliteStore(SqliteStoreConfig(path=str(tmp_path / "store.sqlite")))
    counts = store.counts()
    store.close()
    assert counts["posts"] == 4 and counts["dead_letters"] == 1
    status_out = CliRunner().invoke(main, ["sources", "status", "--json", "--config", path])
    (row,) = json.loads(status_out.output)
    assert row["source"] == "reddit:techsupport" and "t1_dbhn002" in row["cursor"]
