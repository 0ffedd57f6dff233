import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.mastodon.config import MastodonConfig
from ingest.mastodon.normalise import notification_post, status_post
from ingest.mastodon.source import MastodonSource
from schemas import DeadLetter, Post
from schemas.dead_letters import parse_post
from schemas.errors import AuthFailed
from tests.conftest import shared_path
from tests.ingest.fakes import Chunks, FakeHTTP, drain

ACCOUNT = {"id": "1", "username": "lumencare", "acct": "lumencare", "display_name": "Lumen",
           "followers_count": 5}


def status(n: int, text: str = "my internet is down #lumen", **extra) -> dict:
    return {"id": str(1000 + n), "created_at": "2026-08-02T05:25:16.840Z",
            "in_reply_to_id": None, "sensitive": False, "spoiler_text": "",
            "visibility": "public", "language": "en",
            "uri": f"https://mastodon.example/users/ann/statuses/{1000 + n}",
            "url": f"https://mastodon.example/@ann/{1000 + n}", "replies_count": 1,
            "reblogs_count": 2, "favourites_count": 3, "content": f"<p>{text}</p>",
            "reblog": None, "account": {"id": "7", "username": "ann", "acct": "ann@example.org",
                                        "display_name": "Ann", "followers_count": 42},
            "mentions": [], "tags": [], **extra}


def sse(*events) -> list[str]:
    chunks = Chunks([":)\n\n"])
    for name, data in events:
        body = data if isinstance(data, str) else json.dumps(data)
        chunks.append(f"event: {name}\ndata: {body}\n\n")
    return chunks


class FakeMastodon(FakeHTTP):
    """REST timelines honour ``min_id``; each stream connection serves the next batch."""

    def __init__(self, statuses, streams=(), notifications=(), token="good", status_code=200):
        super().__init__({("GET", "*"): self.route})
        self.statuses, self.notifications = list(statuses), list(notifications)
        self.streams, self.token, self.status_code = list(streams), token, status_code

    def route(self, handler):
        path = handler.path.split("?")[0].rstrip("/")
        auth = handler.headers.get("Authorization")
        if self.status_code != 200:
            reset = datetime.now(UTC) + timedelta(seconds=2)
            return self.status_code, {"X-RateLimit-Reset": reset.isoformat()}, {"error": "no"}
        if auth and auth != f"Bearer {self.token}":
            return 401, {}, {"error": "The access token is invalid"}
        min_id = int(handler.query.get("min_id", ["0"])[0])
        if path == "/api/v1/accounts/verify_credentials":
            return 200, {}, ACCOUNT
        if path in ("/api/v1/instance", "/api/v2/instance"):
            return 200, {}, {"urls": {"streaming_api": self.url},
                             "configuration": {"urls": {"streaming": self.url}}}
        if path.startswith("/api/v1/timelines/"):
            return 200, {}, [s for s in reversed(self.statuses) if int(s["id"]) > min_id][:40]
        if path == "/api/v1/notifications":
            return 200, {}, [n for n in reversed(self.notifications) if int(n["id"]) > min_id]
        if path.startswith("/api/v1/streaming/"):
            return 200, {"Content-Type": "text/event-stream"}, (self.streams.pop(0)
                                                                if self.streams else sse())
        return 404, {}, {"error": "not found"}


def make(tmp_path, fake, **keys) -> MastodonSource:
    keys = {"api_base_url": fake.url, "hashtags": ["lumen"], "notifications": False,
            "state_path": str(tmp_path / "s.sqlite"), "backoff_initial": 0, **keys}
    return MastodonSource(MastodonConfig(**keys))


def ids(records):
    return [Post.model_validate_json(r.payload).platform_id.rsplit("/", 1)[1] for r in records]


@pytest.mark.slow
def test_catch_up_then_stream_then_catch_up_after_drop(tmp_path):
    with FakeMastodon([status(1), status(2)], streams=[sse(("update", status(3)))]) as fake:
        src = make(tmp_path, fake, max_cycles=2)
        first = []
        for record in src.records():
            first.append(record)
            src.checkpoint(record.position)
            if len(first) == 2:  # while streaming, two more arrive over REST only
                fake.statuses += [status(3), status(4)]
    assert ids(first) == ["1001", "1002", "1003", "1004"]
    assert any("min_id=1003" in path for path in fake.paths())


@pytest.mark.slow
def test_restart_resumes_from_checkpoint(tmp_path):
    with FakeMastodon([status(1), status(2)]) as fake:
        assert len(drain(make(tmp_path, fake, max_cycles=1, streaming=False))) == 2
        fake.statuses.append(status(3))
        assert ids(drain(make(tmp_path, fake, max_cycles=1, streaming=False))) == ["1003"]


@pytest.mark.slow
def test_notifications_keep_only_mentions(tmp_path, monkeypatch):
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "good")
    notes = [{"id": "5", "type": "favourite", "account": ACCOUNT, "status": status(1),
              "created_at": "2026-08-02T05:25:16Z"},
             {"id": "6", "type": "mention", "account": ACCOUNT, "status": status(2),
              "created_at": "2026-08-02T05:25:16Z"}]
    with FakeMastodon([], notifications=notes) as fake:
        src = make(tmp_path, fake, hashtags=[], notifications=True, streaming=False, max_cycles=1)
        assert ids(drain(src)) == ["1002"]
        assert "types%5B%5D=mention" in fake.paths()[-1] or "types[]=mention" in fake.paths()[-1]


@pytest.mark.slow
def test_bad_token_stops_loudly(tmp_path, monkeypatch):
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "revoked")
    with FakeMastodon([status(1)]) as fake:
        src = make(tmp_path, fake, notifications=True)
        with pytest.raises(AuthFailed, match="rejected"):
            drain(src)
    assert src.health.state == "auth_failed"
    assert "revoked" not in src.health.detail


def test_missing_token_is_an_auth_failure(tmp_path, monkeypatch):
    monkeypatch.delenv("MASTODON_ACCESS_TOKEN", raising=False)
    with FakeMastodon([]) as fake, pytest.raises(AuthFailed, match="MASTODON_ACCESS_TOKEN"):
        make(tmp_path, fake, notifications=True)


@pytest.mark.slow
def test_rate_limit_waits_and_is_reported(tmp_path):
    with FakeMastodon([status(1)], status_code=429) as fake:
        src = make(tmp_path, fake, max_cycles=2, streaming=False)
        started = time.monotonic()
        assert drain(src) == []
    assert src.health.state == "rate_limited"
    assert time.monotonic() - started >= 1.0  # waited for X-RateLimit-Reset
    assert len([p for p in fake.paths() if "/timelines/" in p]) == 2  # then tried again


@pytest.mark.slow
def test_malformed_stream_events_are_dead_letters(tmp_path):
    stream = sse(("update", "{broken"), ("update", {"id": "9"}), ("update", status(3)),
                 ("delete", "1001"))
    with FakeMastodon([], streams=[stream]) as fake:
        records = drain(make(tmp_path, fake, max_cycles=1))
    results = [parse_post(r) for r in records]
    assert [type(r).__name__ for r in results] == ["DeadLetter", "DeadLetter", "Post"]
    assert isinstance(results[0], DeadLetter) and "{broken" in results[0].payload


@pytest.mark.slow
def test_keyword_filter(tmp_path):
    with FakeMastodon([status(1, "hello"), status(2, "WiFi broken")]) as fake:
        records = drain(make(tmp_path, fake, max_cycles=1, streaming=False, keywords=["wifi"]))
    assert ids(records) == ["1002"]


@given(text=st.text(max_size=400), followers=st.integers(0, 10**9),
       boost=st.booleans())
def test_status_normaliser_property(text, followers, boost):
    from html import escape
    data = status(1, escape(text))
    data["account"]["followers_count"] = followers
    if boost:
        data["reblog"] = status(2, escape(text))
    post = status_post(data)
    assert post.author.followers == followers and post.platform == "mastodon"
    assert (post.reposted_id is not None) == boost
    assert " ".join(post.text.split()) == " ".join(text.replace("\x00", "").split())


def test_recorded_statuses_and_notifications_normalise():
    posts = 0
    for name in ("test_entity_status.jsonl", "test_notifications.jsonl",
                 "test_entity_notification.jsonl"):
        path = shared_path(f"recordings/mastodon/decoded/{name}")
        for line in path.read_text("utf-8").splitlines():
            body = json.loads(line).get("json")
            for entry in body if isinstance(body, list) else [body]:
                if isinstance(entry, dict) and "account" in entry and "content" in entry:
                    posts += status_post(entry) is not None
                elif isinstance(entry, dict) and entry.get("type") == "mention":
                    posts += notification_post(entry) is not None
    assert posts > 0


@pytest.mark.slow
def test_recorded_stream_replays_through_the_source(tmp_path):
    path = shared_path("recordings/mastodon/decoded/test_stream_user_local.jsonl")
    body = next(json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()
                if "/streaming/" in line and json.loads(line).get("text"))
    with FakeMastodon([], streams=[Chunks([body])]) as fake:
        records = drain(make(tmp_path, fake, hashtags=[], timelines=["local"], max_cycles=1))
    assert records and all(isinstance(parse_post(r), Post) for r in records)
