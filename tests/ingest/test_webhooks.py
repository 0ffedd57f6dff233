import json
import threading

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from ingest.config import WebhookConfig
from ingest.facebook.config import FacebookConfig
from ingest.facebook.source import FacebookSource, change_post, signature
from ingest.webhook import WebhookSource
from schemas import Post
from schemas.dead_letters import parse_post
from tests.conftest import make_post


def run(src):
    """Start the receiver, drain records in a thread; returns (base_url, records, thread)."""
    records = []

    def consume():
        for record in src.records():
            records.append(record)
            src.checkpoint(record.position)

    base = src.start()
    thread = threading.Thread(target=consume)
    thread.start()
    return base, records, thread


def delivery(*values) -> dict:
    return {"object": "page", "entry": [{"id": "555", "time": 1700000000, "changes": [
        {"field": "feed", "value": v} for v in values]}]}


def comment(n: int, message: str = "internet down since noon") -> dict:
    return {"item": "comment", "verb": "add", "post_id": "555_1", "comment_id": f"555_1_{n}",
            "parent_id": "555_1", "message": message, "created_time": 1700000000 + n,
            "from": {"id": "9", "name": "Ann"}}


def facebook(tmp_path, monkeypatch) -> FacebookSource:
    monkeypatch.setenv("FACEBOOK_APP_SECRET", "appsecret")
    monkeypatch.setenv("FACEBOOK_VERIFY_TOKEN", "verify-me")
    return FacebookSource(FacebookConfig(port=0, idle_timeout=0.5, max_cycles=1,
                                         state_path=str(tmp_path / "s.sqlite")))


@pytest.mark.slow
def test_facebook_verification_handshake(tmp_path, monkeypatch):
    src = facebook(tmp_path, monkeypatch)
    base, _, thread = run(src)
    ok = requests.get(f"{base}/facebook", params={"hub.mode": "subscribe",
                      "hub.verify_token": "verify-me", "hub.challenge": "1158201444"})
    bad = requests.get(f"{base}/facebook", params={"hub.mode": "subscribe",
                       "hub.verify_token": "nope", "hub.challenge": "1"})
    thread.join()
    assert (ok.status_code, ok.text) == (200, "1158201444") and bad.status_code == 403


@pytest.mark.slow
def test_facebook_signed_delivery_is_recorded_and_bad_signature_is_not(tmp_path, monkeypatch):
    src = facebook(tmp_path, monkeypatch)
    base, records, thread = run(src)
    good = json.dumps(delivery(comment(1), {"item": "reaction", "verb": "add"},
                               {"item": "comment", "message": "no ids"})).encode()
    forged = json.dumps(delivery(comment(2))).encode()
    r1 = requests.post(f"{base}/facebook", data=good,
                       headers={"X-Hub-Signature-256": signature(b"appsecret", good)})
    r2 = requests.post(f"{base}/facebook", data=forged,
                       headers={"X-Hub-Signature-256": signature(b"wrong", forged)})
    r3 = requests.post(f"{base}/facebook", data=forged)
    thread.join()
    assert (r1.status_code, r2.status_code, r3.status_code) == (422, 403, 403)
    assert r1.json()["ids"] == ["facebook:555_1_1"]  # the good change is accepted
    assert r1.json()["field"] == "entry[0].changes[2]"
    results = [parse_post(r) for r in records]
    assert [type(r).__name__ for r in results] == ["Post", "DeadLetter"]
    assert results[1].stage == "ingest" and "KeyError" in results[1].reason
    assert results[0].platform_id == "555_1_1" and results[0].reply_to_id == "555_1"


@pytest.mark.slow
def test_generic_webhook_token_auth_and_dead_letters(tmp_path, monkeypatch):
    monkeypatch.setenv("WEBCARE_WEBHOOK_TOKEN", "tok")
    src = WebhookSource(WebhookConfig(port=0, idle_timeout=0.5, max_cycles=1,
                                      state_path=str(tmp_path / "s.sqlite")))
    base, records, thread = run(src)
    posts = [make_post(1).model_dump(mode="json"), make_post(2).model_dump(mode="json")]
    ok = requests.post(f"{base}/webhook", json=posts + posts[:1],
                       headers={"Authorization": "Bearer tok"})
    bad = requests.post(f"{base}/webhook", json=posts, headers={"Authorization": "Bearer x"})
    junk = requests.post(f"{base}/webhook", data=b'{"id": 1}\nnot json',
                         headers={"Authorization": "Bearer tok"})
    thread.join()
    assert (ok.status_code, bad.status_code, junk.status_code) == (200, 401, 422)
    assert junk.json()["errors"] == [
        {"field": "[0].id", "reason": "Input should be a valid string"},
        {"field": "[1]", "reason": "not JSON: Expecting value: line 1 column 1 (char 0)"}]
    results = [parse_post(r) for r in records]
    kinds = [type(result).__name__ for result in results]
    assert kinds == ["Post", "Post", "DeadLetter", "DeadLetter"]  # duplicate dropped
    assert results[2].reason == "[0].id: Input should be a valid string"  # the true reason
    assert json.loads(results[3].payload)["malformed_frame"] == "not json"  # kept as sent


@given(message=st.text(min_size=1, max_size=500), n=st.integers(0, 10**6))
def test_facebook_normaliser_property(message, n):
    post = change_post("555", "feed", comment(n, message))
    assert post.text == message.replace("\x00", "") and post.platform == "facebook"
    assert Post.model_validate_json(post.model_dump_json()) == post
