"""Every outbound channel against a local fake of its API that enforces the contract (auth,
path, required fields), with the real client (tweepy, Mastodon.py, XRPC, Graph/Yammer/webhook
over HTTP), and what each kind of refusal means for delivery (retry or failed)."""

from __future__ import annotations

import json

import pytest

from schemas.plumbing.credentials import MissingCredential
from schemas.plumbing.http import Rejected, Retryable
from tests.conftest import make_post
from tests.outbound.conftest import channels
from webcare.outbound.channels import build_channel
from webcare.outbound.config import OutboundConfig

CONTEXT = {"incident_key": "burst:L:outage:1", "kind": "opened", "status": "open", "lang": "en",
           "link": "https://status.example/1"}


def channel(fakes, name, **extra):
    config = OutboundConfig.model_validate({"channels": channels(fakes["urls"], name, **extra)})
    return build_channel(config.channels[0])


@pytest.mark.slow
def test_x_posts_a_top_level_tweet_and_replies_in_thread(channel_fakes):
    x = channel(channel_fakes, "x")
    assert x.publish("Outage in Utrecht", "k1", CONTEXT).url == "https://x.com/i/status/2001"
    assert x.reply(make_post(1, platform_id="555"), "Hi, on it", "k2") == "2002"
    assert channel_fakes["x"].sent == [{"text": "Outage in Utrecht"}, {
        "text": "Hi, on it", "reply": {"in_reply_to_tweet_id": "555"}}]
    channel_fakes["x"].fail = (429, {}, {"title": "Too Many Requests", "status": 429})
    with pytest.raises(Retryable):
        x.publish("again", "k3")
    channel_fakes["x"].fail = (403, {}, {"title": "Forbidden", "detail": "duplicate content",
                                         "status": 403})
    with pytest.raises(Rejected) as refused:
        x.publish("again", "k4")
    assert refused.value.status == 403 and "duplicate content" in refused.value.body


@pytest.mark.slow
def test_mastodon_posts_a_public_status_with_the_idempotency_key(channel_fakes):
    done = channel(channel_fakes, "mastodon").publish("Outage", "outbound-id-1")
    ((form, key),) = channel_fakes["mastodon"].sent
    assert form["status"] == "Outage" and form["visibility"] == "public"
    assert "in_reply_to_id" not in form or form["in_reply_to_id"] in (None, "")
    assert key == "outbound-id-1" and done.post_id == "9001"
    assert done.url == "https://mastodon.example/@ann/1002"


@pytest.mark.slow
def test_bluesky_creates_a_post_record_without_reply_refs(channel_fakes):
    done = channel(channel_fakes, "bluesky").publish("Outage", "k")
    ((body,),) = [channel_fakes["bluesky"].sent]
    assert body["repo"] == "did:plc:brand" and body["collection"] == "app.bsky.feed.post"
    assert body["record"]["text"] == "Outage" and "reply" not in body["record"]
    assert done.url == "https://bsky.app/profile/did:plc:brand/post/3knew1"


@pytest.mark.slow
def test_facebook_page_feed_comment_and_messenger(channel_fakes):
    graph = channel_fakes["facebook"]
    page = channel(channel_fakes, "facebook")
    done = page.publish("Outage", "k")
    assert (done.post_id, done.url) == ("4242_1", "https://www.facebook.com/4242_1")
    comment = make_post(1, platform="facebook", platform_id="777_888")
    assert page.reply(comment, "Hi, on it", "k") == "777_888_c1"
    assert graph.feed == ["Outage"] and graph.comments == [("777_888", "Hi, on it")]
    messenger = channel(channel_fakes, "facebook", reply_via="messenger")
    dm = make_post(2, platform="facebook", author={"handle": "Ann", "id": "psid-9"})
    assert messenger.reply(dm, "Hi Ann", "k") == "m_1" and graph.messages == [("psid-9", "Hi Ann")]
    graph.faults.append((400, {}, json.dumps({"error": {"message": "(#4) Application request "
                                                        "limit reached", "code": 4}})))
    with pytest.raises(Retryable, match="throttled"):
        page.publish("Outage", "k")


@pytest.mark.slow
def test_facebook_wrong_page_token_fails_with_the_graph_error(channel_fakes, monkeypatch):
    monkeypatch.setenv("FACEBOOK_PAGE_TOKEN", "stale")
    with pytest.raises(Rejected) as refused:
        channel(channel_fakes, "facebook").publish("Outage", "k")
    assert refused.value.status == 400 and "Invalid OAuth access token" in refused.value.body
    assert channel_fakes["facebook"].feed == []


@pytest.mark.slow
def test_engage_posts_to_the_community_and_answers_threads(channel_fakes):
    engage = channel(channel_fakes, "engage")
    done = engage.publish("Outage", "k")
    assert (done.post_id, done.url) == ("7001", "https://engage.example/threads/7001")
    assert engage.reply(make_post(1, platform="other", platform_id="6001"), "On it", "k") == "7002"
    assert channel_fakes["engage"].messages == [{"body": "Outage", "group_id": 99},
                                                {"body": "On it", "replied_to_id": "6001"}]
    channel_fakes["engage"].faults.append((503, {"Retry-After": "30"}, "{}"))
    with pytest.raises(Retryable) as later:
        engage.publish("Outage", "k")
    assert later.value.retry_after == 30.0


@pytest.mark.slow
def test_engage_bad_token_is_rejected(channel_fakes, monkeypatch):
    monkeypatch.setenv("ENGAGE_TOKEN", "wrong")
    with pytest.raises(Rejected) as refused:
        channel(channel_fakes, "engage").publish("Outage", "k")
    assert refused.value.status == 401


@pytest.mark.slow
def test_statuspage_webhook_is_signed_and_carries_the_incident(channel_fakes, monkeypatch):
    status = channel(channel_fakes, "status")
    done = status.publish("Outage", "out-1", CONTEXT)
    assert (done.post_id, done.url) == ("U-1", "https://status.example/u/1")
    (update,) = channel_fakes["status"].updates
    assert update["text"] == "Outage" and update["incident_key"] == "burst:L:outage:1"
    assert update["outbound_id"] == "out-1" and update["link"] == "https://status.example/1"
    assert not status.can_reply
    monkeypatch.setenv("WEBCARE_STATUSPAGE_SECRET", "not-the-shared-one")
    with pytest.raises(Rejected) as refused:  # the receiver checks the HMAC of the body
        channel(channel_fakes, "status").publish("Outage", "out-2", CONTEXT)
    assert refused.value.status == 401 and len(channel_fakes["status"].updates) == 1


@pytest.mark.slow
def test_missing_credentials_name_the_variable(channel_fakes, monkeypatch):
    monkeypatch.delenv("FACEBOOK_PAGE_TOKEN")
    with pytest.raises(MissingCredential, match="FACEBOOK_PAGE_TOKEN"):
        channel(channel_fakes, "facebook")
    for name in ("X_CONSUMER_KEY", "X_USER_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(MissingCredential, match="outbound channel x"):
        channel(channel_fakes, "x")
