import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.x.config import XConfig
from ingest.x.normalise import snowflake_time, tweet_post
from ingest.x.source import XSource
from schemas import Post
from schemas.dead_letters import parse_post
from schemas.errors import AuthFailed
from tests.conftest import shared_path
from tests.ingest.fakes import Chunks, FakeHTTP, drain

USER = {"id": "42", "username": "ann", "name": "Ann", "verified": True,
        "public_metrics": {"followers_count": 1234}}


def tweet(n: int, text: str = "@LumenCare my wifi is down") -> dict:
    return {"id": str(1578516068309794817 + n), "text": text, "author_id": "42",
            "created_at": "2022-10-07T22:42:12.000Z", "conversation_id": "1", "lang": "en",
            "edit_history_tweet_ids": [str(1578516068309794817 + n)],
            "public_metrics": {"like_count": 1, "retweet_count": 2, "reply_count": 3,
                               "quote_count": 4},
            "referenced_tweets": [{"type": "replied_to", "id": "99"}]}


class FakeX(FakeHTTP):
    def __init__(self, tweets=(), stream=(), token="good", status=200, rules=()):
        super().__init__({("GET", "*"): self.route, ("POST", "*"): self.post})
        self.tweets, self.streams, self.token, self.status = list(tweets), list(stream), token, status
        self.rules = [{"id": str(i), "value": v} for i, v in enumerate(rules)]

    def route(self, handler):
        path = handler.path.split("?")[0]
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {}, {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"}
        if self.status == 429:
            return 429, {"x-rate-limit-reset": str(int(time.time()) + 2)}, {"title": "Too Many"}
        if path.endswith("/stream/rules"):
            return 200, {}, {"data": self.rules, "meta": {"result_count": len(self.rules)}}
        if path.endswith("/search/stream"):
            return 200, {}, (self.streams.pop(0) if self.streams else Chunks(["\r\n"]))
        since = int(handler.query.get("since_id", ["0"])[0])
        data = [t for t in reversed(self.tweets) if int(t["id"]) > since]
        body = {"meta": {"result_count": len(data)}}
        if data:
            body.update(data=data, includes={"users": [USER]})
        return 200, {}, body

    def post(self, handler):
        body = json.loads(handler.body())
        for rule in body.get("add", []):
            self.rules.append({"id": str(100 + len(self.rules)), "value": rule["value"]})
        ids = set(body.get("delete", {}).get("ids", []))
        self.rules = [r for r in self.rules if r["id"] not in ids]
        return 200, {}, {"meta": {"summary": {}}}


def make(tmp_path, fake, monkeypatch, token="good", **keys) -> XSource:
    monkeypatch.setenv("X_BEARER_TOKEN", token)
    keys = {"api_base_url": fake.url, "state_path": str(tmp_path / "s.sqlite"),
            "backoff_initial": 0, "poll_interval": 0, **keys}
    return XSource(XConfig(**keys))


def posts(records):
    return [Post.model_validate_json(r.payload) for r in records]


@pytest.mark.slow
def test_search_uses_since_id_and_expansions(tmp_path, monkeypatch):
    with FakeX([tweet(1), tweet(2)]) as fake:
        src = make(tmp_path, fake, monkeypatch, query="lumen", max_cycles=2)
        found = posts(drain(src))
        fake.tweets.append(tweet(3))
        again = posts(drain(make(tmp_path, fake, monkeypatch, query="lumen", max_cycles=1)))
    assert [p.platform_id[-1] for p in found] == ["8", "9"]
    assert found[0].author.handle == "@ann" and found[0].author.followers == 1234
    assert found[0].author.verified and found[0].reply_to_id == "99"
    assert [p.platform_id[-1] for p in again] == ["0"]
    assert any("since_id=1578516068309794819" in p for p in fake.paths())
    assert "expansions=author_id" in fake.paths()[0]


@pytest.mark.slow
def test_mentions_timeline(tmp_path, monkeypatch):
    with FakeX([tweet(1)]) as fake:
        src = make(tmp_path, fake, monkeypatch, mentions_user_id="783214", max_cycles=1)
        assert len(drain(src)) == 1
    assert fake.paths()[0].startswith("/2/users/783214/mentions")


@pytest.mark.slow
def test_stream_syncs_rules_and_reads_frames_with_keepalives(tmp_path, monkeypatch):
    frames = Chunks([json.dumps({"data": tweet(1), "includes": {"users": [USER]},
                                 "matching_rules": [{"id": "100", "tag": "x"}]}) + "\r\n",
                     "\r\n", "{oops\r\n", json.dumps({"data": tweet(2)}) + "\r\n"])
    with FakeX(stream=[frames], rules=["old rule"]) as fake:
        src = make(tmp_path, fake, monkeypatch, rules=["lumen wifi"], max_cycles=1)
        results = [parse_post(r) for r in drain(src)]
    assert [r["value"] for r in fake.rules] == ["lumen wifi"]
    assert [type(r).__name__ for r in results] == ["Post", "DeadLetter", "Post"]


@pytest.mark.slow
def test_stream_reconnects_after_drop_without_duplicates(tmp_path, monkeypatch):
    line = lambda n: json.dumps({"data": tweet(n)}) + "\r\n"
    streams = [Chunks([line(1), line(2)]), Chunks([line(2), line(3)])]
    with FakeX(stream=streams, rules=["lumen"]) as fake:
        src = make(tmp_path, fake, monkeypatch, rules=["lumen"], max_cycles=2)
        ids = [p.platform_id[-1] for p in posts(drain(src))]
    assert ids == ["8", "9", "0"]


@pytest.mark.slow
def test_401_stops_loudly_without_leaking_the_token(tmp_path, monkeypatch, caplog):
    with FakeX([tweet(1)]) as fake:
        src = make(tmp_path, fake, monkeypatch, token="s3cr3t-token", query="lumen")
        with pytest.raises(AuthFailed):
            drain(src)
    assert src.health.state == "auth_failed"
    assert "s3cr3t-token" not in caplog.text and "s3cr3t-token" not in repr(src.token)


@pytest.mark.slow
def test_stream_401_stops_loudly(tmp_path, monkeypatch):
    with FakeX() as fake:
        src = make(tmp_path, fake, monkeypatch, token="bad", rules=["lumen"])
        with pytest.raises(AuthFailed):
            drain(src)


@pytest.mark.slow
def test_429_waits_for_reset_header(tmp_path, monkeypatch):
    with FakeX([tweet(1)], status=429) as fake:
        src = make(tmp_path, fake, monkeypatch, query="lumen", max_cycles=2)
        started = time.monotonic()
        assert drain(src) == []
    assert src.health.state == "rate_limited"
    assert time.monotonic() - started >= 0.9
    assert len(fake.paths()) == 2


@given(n=st.integers(0, 2**40), text=st.text(max_size=280),
       followers=st.integers(0, 10**9), created=st.booleans())
def test_tweet_normaliser_property(n, text, followers, created):
    data = tweet(n, text)
    if not created:
        del data["created_at"]
    user = {**USER, "public_metrics": {"followers_count": followers}}
    post = tweet_post(data, {"42": user})
    assert post.id == f"x:{data['id']}" and post.author.followers == followers
    assert post.created_at == (post.created_at if created else snowflake_time(data["id"]))


def test_recorded_v2_responses_normalise():
    count = 0
    for name in ("test_client_search_recent_tweets.jsonl", "test_client_get_users_mentions.jsonl",
                 "test_client_get_tweet.jsonl"):
        for line in shared_path(f"recordings/x_tweepy/decoded/{name}").read_text().splitlines():
            body = json.loads(line).get("json") or {}
            data = body.get("data")
            for item in data if isinstance(data, list) else [data] if data else []:
                count += tweet_post(item).platform == "x"
    assert count > 0
