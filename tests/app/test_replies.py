"""Replies through the platforms against local fakes (X via tweepy, Reddit via praw, Mastodon
via Mastodon.py, Bluesky over XRPC), once per click, on both store backends."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient

from route.rules import RouteConfig, Router
from schemas import Author
from sinks.store.app_store import AppStore
from tests.app.conftest import PASSWORD, api_token, csrf_of, login
from tests.conftest import make_classification, make_post
from tests.ingest.fakes import FakeHTTP
from tests.ingest.mastodon.test_source import status as mastodon_status
from tests.ingest.reddit.test_source import FakeReddit, comment
from tests.sinks.conftest import open_store, store_config  # noqa: F401 - both backends
from webcare.app import service
from webcare.app.replies import ReplyFailed
from webcare.app.security import hash_password
from webcare.app.service import Conflict, User
from webcare.job.config import WebcareConfig

ROUTER = Router(RouteConfig.model_validate({"rules": [
    {"name": "attention", "when": {"actionable": True}, "action": "webcare"}]}))
MASTODON_URI = "https://mastodon.example/users/ann/statuses/1001"
BSKY_URI = "at://did:plc:ann/app.bsky.feed.post/3kparent"
BSKY_BARE = "at://did:plc:bob/app.bsky.feed.post/3kbare"
ALICE = User("alice", "agent")


def _posts():
    frame = {"did": "did:plc:ann", "time_us": 1, "kind": "commit", "commit": {
        "operation": "create", "collection": "app.bsky.feed.post", "rkey": "3kparent",
        "cid": "bafyparent", "record": {"text": "lumen down", "reply": {
            "root": {"uri": "at://did:plc:z/app.bsky.feed.post/3kroot", "cid": "bafyroot"},
            "parent": {"uri": "at://did:plc:z/app.bsky.feed.post/3kroot", "cid": "bafyroot"}}}}}
    return [
        make_post(11, id="x:111", platform="x", platform_id="111"),
        make_post(12, id="reddit:t1_abc", platform="reddit", platform_id="t1_abc",
                  author=Author(handle="u/ann")),
        make_post(13, id="reddit:t3_sub", platform="reddit", platform_id="t3_sub",
                  author=Author(handle="u/bob")),
        make_post(14, id=f"mastodon:{MASTODON_URI}", platform="mastodon",
                  platform_id=MASTODON_URI, author=Author(handle="@ann@example.org"),
                  raw={"id": "1001"}),
        make_post(15, id=f"bluesky:{BSKY_URI}", platform="bluesky", platform_id=BSKY_URI,
                  author=Author(handle="did:plc:ann"), raw=frame),
        make_post(16, id=f"bluesky:{BSKY_BARE}", platform="bluesky", platform_id=BSKY_BARE,
                  author=Author(handle="did:plc:bob")),
    ]


class FakeXWrite(FakeHTTP):
    """``POST /2/tweets`` with OAuth 1.0a user context (access token ``at``)."""

    def __init__(self) -> None:
        super().__init__({("POST", "/2/tweets"): self.tweet})
        self.sent: list[dict] = []
        self.fail: tuple | None = None
        self.delay = 0.0

    def tweet(self, handler):
        body = json.loads(handler.body())
        auth = handler.headers.get("Authorization", "")
        if not auth.startswith("OAuth ") or 'oauth_token="at"' not in auth:
            return 401, {}, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401}
        if self.fail:
            return self.fail
        time.sleep(self.delay)
        self.sent.append(body)
        return 201, {}, {"data": {"id": str(2000 + len(self.sent)), "text": body["text"]}}


class FakeRedditWrite(FakeReddit):
    """The ingest tests' fake Reddit plus ``POST /api/comment``."""

    def __init__(self) -> None:
        super().__init__()
        self.routes[("POST", "/api/comment")] = self.routes[("POST", "/api/comment/")] = self.reply
        self.sent: list[dict] = []
        self.fail: tuple | None = None

    def reply(self, handler):
        form = {k: v[0] for k, v in parse_qs(handler.body().decode()).items()}
        if handler.headers.get("Authorization") != "bearer tok":
            return 401, {}, {"error": 401}
        if self.fail:
            return self.fail
        self.sent.append(form)
        made = comment(900 + len(self.sent), form["text"], parent_id=form["thing_id"])
        return 200, {}, {"json": {"errors": [], "data": {"things": [
            {"kind": "t1", "data": made}]}}}


class FakeMastodonWrite(FakeHTTP):
    def __init__(self) -> None:
        super().__init__({("GET", "/api/v2/search"): self.search,
                          ("POST", "/api/v1/statuses"): self.post})
        self.sent: list[tuple[dict, str | None]] = []
        self.fail: tuple | None = None

    def _auth(self, handler) -> bool:
        return handler.headers.get("Authorization") == "Bearer mtok"

    def search(self, handler):
        if not self._auth(handler):
            return 401, {}, {"error": "The access token is invalid"}
        found = [mastodon_status(1, id="555")] if handler.query.get("q") == [MASTODON_URI] else []
        return 200, {}, {"accounts": [], "statuses": found, "hashtags": []}

    def post(self, handler):
        raw = handler.body().decode()
        form = (json.loads(raw) if handler.headers.get("Content-Type", "").startswith(
            "application/json") else {k: v[0] for k, v in parse_qs(raw).items()})
        if not self._auth(handler):
            return 401, {}, {"error": "The access token is invalid"}
        if self.fail:
            return self.fail
        self.sent.append((form, handler.headers.get("Idempotency-Key")))
        return 200, {}, mastodon_status(2, id=str(9000 + len(self.sent)), text=form["status"])


class FakeBluesky(FakeHTTP):
    def __init__(self) -> None:
        x = "/xrpc/com.atproto."
        super().__init__({("POST", x + "server.createSession"): self.session,
                          ("GET", x + "repo.getRecord"): self.get_record,
                          ("POST", x + "repo.createRecord"): self.create})
        self.sent: list[dict] = []
        self.fail: tuple | None = None

    def session(self, handler):
        body = json.loads(handler.body())
        if body != {"identifier": "lumen.bsky.social", "password": "app-pw"}:
            return 401, {}, {"error": "AuthenticationRequired",
                             "message": "Invalid identifier or password"}
        return 200, {}, {"accessJwt": "jwt", "refreshJwt": "r", "did": "did:plc:brand",
                         "handle": "lumen.bsky.social"}

    def get_record(self, handler):
        q = {k: v[0] for k, v in handler.query.items()}
        uri = f"at://{q['repo']}/{q['collection']}/{q['rkey']}"
        return 200, {}, {"uri": uri, "cid": "bafybare", "value": {"text": "help"}}

    def create(self, handler):
        body = json.loads(handler.body())
        if handler.headers.get("Authorization") != "Bearer jwt":
            return 401, {}, {"error": "AuthenticationRequired"}
        if self.fail:
            return self.fail
        self.sent.append(body)
        return 200, {}, {"uri": f"at://did:plc:brand/app.bsky.feed.post/3knew{len(self.sent)}",
                         "cid": "bafynew"}


@pytest.fixture
def fakes():
    servers = {"x": FakeXWrite(), "reddit": FakeRedditWrite(), "mastodon": FakeMastodonWrite(),
               "bluesky": FakeBluesky()}
    for server in servers.values():
        server.__enter__()
    yield servers
    for server in servers.values():
        server.__exit__(None, None, None)


@pytest.fixture
def creds(monkeypatch, tmp_path):
    for name, value in {"X_CONSUMER_KEY": "ck", "X_CONSUMER_SECRET": "cs",
                        "X_ACCESS_TOKEN": "at", "X_ACCESS_TOKEN_SECRET": "ats",
                        "REDDIT_CLIENT_ID": "cid", "REDDIT_CLIENT_SECRET": "csecret",
                        "REDDIT_USERNAME": "LumenCare", "REDDIT_PASSWORD": "pw",
                        "BLUESKY_HANDLE": "lumen.bsky.social"}.items():
        monkeypatch.setenv(name, value)
    secret_file = tmp_path / "mastodon-token"  # a secret file via NAME_FILE
    secret_file.write_text("mtok\n")
    monkeypatch.setenv("MASTODON_REPLY_TOKEN_FILE", str(secret_file))
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "app-pw")
    monkeypatch.delenv("X_USER_ACCESS_TOKEN", raising=False)


def _config(store_config, fakes, dry_run=False):  # noqa: F811
    store = open_store(store_config)
    decisions = [ROUTER(p, make_classification(p)) for p in _posts()]
    store.write(decisions, [])
    app = AppStore(store)
    for name in ("alice", "bob"):
        if app.user(name) is None:
            app.add_user(name, "agent", hash_password(PASSWORD))
    store.close()
    platforms = {"x": {"api_base_url": fakes["x"].url},
                 "reddit": {"oauth_url": fakes["reddit"].url,
                            "reddit_url": fakes["reddit"].url},
                 "mastodon": {"api_base_url": fakes["mastodon"].url},
                 "bluesky": {"service": fakes["bluesky"].url}}
    return WebcareConfig(store=store_config, app={
        "clock": "latest_post", "reply": {"dry_run": dry_run, "platforms": platforms}})


@pytest.fixture
def live(store_config, fakes, creds):  # noqa: F811
    config = _config(store_config, fakes)
    store = open_store(config.store)
    yield config, AppStore(store)
    store.close()


def _status(app: AppStore, post_id: str) -> str:
    return app.db.one("SELECT status FROM queue_items WHERE post_id = ?", (post_id,))["status"]


@pytest.mark.slow
def test_x_reply_is_sent_once_and_recorded_with_the_tweet_id(live, fakes):
    config, app = live
    out = service.reply_outcome(app, config.app, ALICE, "x:111", "We are on it", "click-1")
    assert (out.mode, out.platform_ref, out.duplicate) == ("sent", "2001", False)
    assert fakes["x"].sent == [{"text": "We are on it",
                                "reply": {"in_reply_to_tweet_id": "111"}}]
    again = service.reply_outcome(app, config.app, ALICE, "x:111", "We are on it", "click-1")
    assert again.duplicate and again.platform_ref == "2001" and len(fakes["x"].sent) == 1
    assert app.replies("x:111") == [{**app.replies("x:111")[0], "mode": "sent",
                                     "platform_ref": "2001", "body": "We are on it"}]
    entry = [a for a in app.audit_entries("x:111") if a["action"] == "reply"]
    assert len(entry) == 1 and entry[0]["detail"]["platform_ref"] == "2001"
    assert entry[0]["detail"]["platform"] == "x" and entry[0]["after"] == {"status": "replied"}
    assert _status(app, "x:111") == "replied"


@pytest.mark.slow
@pytest.mark.parametrize("status,headers,kind", [
    (401, {}, "credentials rejected"),
    (429, {"x-rate-limit-reset": "+120"}, "rate limited"),  # 120 s after the request
    (503, {}, "platform unavailable")])
def test_x_errors_are_shown_audited_and_leave_the_item_unreplied(live, fakes, status, headers,
                                                                 kind):
    config, app = live
    if headers.get("x-rate-limit-reset") == "+120":  # a reset time set now, not at collection
        headers = {"x-rate-limit-reset": str(int(time.time()) + 120)}
    fakes["x"].fail = (status, headers, {"title": "Nope", "detail": "nope", "status": status})
    with pytest.raises(ReplyFailed) as raised:
        service.reply(app, config.app, ALICE, "x:111", "We are on it", "k")
    assert kind in str(raised.value) and f"HTTP {status}" in str(raised.value)
    if status == 429:
        assert "retry in" in str(raised.value)
    assert _status(app, "x:111") == "claimed" and app.replies("x:111") == []
    failed = [a for a in app.audit_entries("x:111") if a["action"] == "reply.failed"]
    assert len(failed) == 1 and failed[0]["detail"]["http_status"] == status
    fakes["x"].fail = None  # the agent tries again with the same click: now it goes out once
    assert service.reply(app, config.app, ALICE, "x:111", "We are on it", "k") == "sent"
    assert len(fakes["x"].sent) == 1 and _status(app, "x:111") == "replied"


@pytest.mark.slow
def test_reddit_replies_to_comments_and_submissions(live, fakes):
    config, app = live
    first = service.reply_outcome(app, config.app, ALICE, "reddit:t1_abc", "Sorry!", "a")
    second = service.reply_outcome(app, config.app, ALICE, "reddit:t3_sub", "On it", "b")
    assert [(s["thing_id"], s["text"]) for s in fakes["reddit"].sent] == [
        ("t1_abc", "Sorry!"), ("t3_sub", "On it")]
    assert (first.mode, first.platform_ref, second.platform_ref) == (
        "sent", "t1_dbhn901", "t1_dbhn902")
    fakes["reddit"].fail = (500, {}, {"message": "Internal", "error": 500})
    with pytest.raises(ReplyFailed, match="HTTP 500"):
        service.reply(app, config.app, ALICE, "reddit:t1_abc", "once more", "c")


@pytest.mark.slow
def test_mastodon_reply_resolves_the_status_and_mentions_the_author(live, fakes):
    config, app = live
    post_id = f"mastodon:{MASTODON_URI}"
    out = service.reply_outcome(app, config.app, ALICE, post_id, "we're on it", "m1")
    ((form, idem),) = fakes["mastodon"].sent
    assert form["in_reply_to_id"] == "555" and form["visibility"] == "public"
    assert form["status"] == "@ann@example.org we're on it" and idem and len(idem) == 64
    assert out.platform_ref == "9001" and _status(app, post_id) == "replied"


@pytest.mark.slow
def test_mastodon_rejected_token_is_shown(live, fakes, tmp_path, monkeypatch):
    (tmp_path / "mastodon-token").write_text("wrong")
    config, app = live
    with pytest.raises(ReplyFailed, match="credentials rejected"):
        service.reply(app, config.app, ALICE, f"mastodon:{MASTODON_URI}", "hi", "m")
    assert fakes["mastodon"].sent == []


@pytest.mark.slow
def test_bluesky_reply_names_root_and_parent(live, fakes):
    config, app = live
    out = service.reply_outcome(app, config.app, ALICE, f"bluesky:{BSKY_URI}", "Hi!", "b1")
    bare = service.reply_outcome(app, config.app, ALICE, f"bluesky:{BSKY_BARE}", "Hey", "b2")
    first, second = fakes["bluesky"].sent
    assert first["repo"] == "did:plc:brand" and first["collection"] == "app.bsky.feed.post"
    assert first["record"]["reply"] == {
        "root": {"uri": "at://did:plc:z/app.bsky.feed.post/3kroot", "cid": "bafyroot"},
        "parent": {"uri": BSKY_URI, "cid": "bafyparent"}}
    assert second["record"]["reply"]["root"] == {"uri": BSKY_BARE, "cid": "bafybare"}
    assert out.platform_ref.endswith("/3knew1") and bare.platform_ref.endswith("/3knew2")
    assert any("getRecord" in p for p in fakes["bluesky"].paths("GET"))


@pytest.mark.slow
def test_bluesky_wrong_app_password_fails_loudly(live, fakes, monkeypatch):
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "nope")
    config, app = live
    config = config.model_copy(deep=True)  # fresh repliers read the new secret
    with pytest.raises(ReplyFailed, match="HTTP 401"):
        service.reply(app, config.app, ALICE, f"bluesky:{BSKY_URI}", "Hi!", "b")
    assert fakes["bluesky"].sent == [] and _status(app, f"bluesky:{BSKY_URI}") == "claimed"


@pytest.mark.slow
def test_without_credentials_replies_stay_dry_run(store_config, fakes, monkeypatch):  # noqa: F811
    for name in ("X_CONSUMER_KEY", "X_USER_ACCESS_TOKEN", "REDDIT_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    config = _config(store_config, fakes)
    store = open_store(config.store)
    try:
        app = AppStore(store)
        assert service.reply(app, config.app, ALICE, "x:111", "hello", "d") == "dry-run"
        assert service.reply(app, config.app, ALICE, "reddit:t1_abc", "hello", "e") == "dry-run"
        entry = next(a for a in app.audit_entries("x:111") if a["action"] == "reply")
        assert entry["detail"]["mode"] == "dry-run"
        assert "not configured" in entry["detail"]["dry_run_reason"]
        assert fakes["x"].requests == [] and fakes["reddit"].requests == []
    finally:
        store.close()


@pytest.mark.slow
def test_a_double_submitted_form_sends_once(live, fakes):
    config, _ = live
    from webcare.app.web import create_app

    with TestClient(create_app(config)) as client:
        login(client, "alice")
        page = client.get("/item?id=x:111").text
        assert "Send reply</button>" in page  # live, not "(dry-run)"
        key = page.split('name="idempotency_key" value="')[1].split('"')[0]
        form = {"id": "x:111", "csrf": csrf_of(page), "body": "On it", "idempotency_key": key}
        for _ in range(2):
            assert client.post("/item/reply", data=form,
                               follow_redirects=False).status_code == 303
        assert len(fakes["x"].sent) == 1
        fakes["x"].fail = (503, {}, {"title": "Service Unavailable", "status": 503})
        form = {**form, "id": "reddit:t1_abc"}
        fakes["reddit"].fail = (503, {}, {"error": 503})
        shown = client.post("/item/reply", data=form, follow_redirects=False)
        assert shown.status_code == 502 and "platform unavailable" in shown.text


@pytest.mark.slow
def test_api_reply_with_idempotency_key(live, fakes):
    config, app = live
    from webcare.app.web import create_app

    headers = {**api_token(app, "alice"), "Idempotency-Key": "api-1"}
    with TestClient(create_app(config)) as client:
        body = {"post_id": "x:111", "body": "On it"}
        first = client.post("/api/v1/reply", json=body, headers=headers)
        second = client.post("/api/v1/reply", json=body, headers=headers)
        assert first.json() == second.json() == {"ok": True, "mode": "sent",
                                                 "platform_ref": "2001"}
        fakes["reddit"].fail = (429, {"retry-after": "30"}, {"error": 429})
        refused = client.post("/api/v1/reply", headers=headers,
                              json={"post_id": "reddit:t1_abc", "body": "x"})
        assert refused.status_code == 502
        assert refused.json()["detail"]["status"] == 429
    assert len(fakes["x"].sent) == 1


@pytest.mark.slow
def test_racing_clicks_send_once(live, fakes, monkeypatch):
    config, app = live
    fakes["x"].delay = 0.5
    service.claim(app, ALICE, "x:111")
    barrier, results = threading.Barrier(2), []

    def click() -> None:
        store = open_store(config.store)
        try:
            barrier.wait()
            results.append(service.reply_outcome(AppStore(store), config.app, ALICE, "x:111",
                                                 "On it", "same-click"))
        except Conflict as error:
            results.append(error)
        finally:
            store.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fakes["x"].sent) == 1
    assert sum(isinstance(r, Conflict) or r.duplicate for r in results) == 1
