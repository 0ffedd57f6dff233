"""Chat transcript webhook over real HTTP on 127.0.0.1, and the transcript parser's contract."""

import http.client
import json
from datetime import timedelta, timezone
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chat.config import ChatConfig
from ingest.chat.source import SIGNATURE_HEADER, ChatSource
from ingest.chat.transcript import TranscriptError, parse_transcripts
from ingest.facebook.source import signature
from schemas import DeadLetter, Post
from schemas.dead_letters import parse_post
from schemas.errors import AuthFailed
from tests.ingest.test_webhooks import run

FIXTURES = Path(__file__).parents[1] / "fixtures" / "chat"
AUTH = {"Authorization": "Bearer chat-token"}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def chat_source(tmp_path, monkeypatch, **keys) -> ChatSource:
    monkeypatch.setenv("WEBCARE_CHAT_TOKEN", "chat-token")
    return ChatSource(ChatConfig(port=0, idle_timeout=0.5, max_cycles=1,
                                 state_path=str(tmp_path / "s.sqlite"), **keys))


def deliver(tmp_path, monkeypatch, *bodies, headers=AUTH, **keys):
    """POST each body (dict/list as JSON, bytes as is); returns (responses, parsed records)."""
    src = chat_source(tmp_path, monkeypatch, **keys)
    base, records, thread = run(src)
    responses = [requests.post(f"{base}/chat", headers=headers,
                               **({"data": b} if isinstance(b, bytes) else {"json": b}))
                 for b in bodies]
    thread.join()
    return responses, [parse_post(r) for r in records]


@pytest.mark.slow
def test_a_transcript_becomes_one_post_with_the_customer_text(tmp_path, monkeypatch):
    (response,), results = deliver(tmp_path, monkeypatch, fixture("webcare_transcript.json"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"accepted": 1, "ids": ["chat:sd-20261120-0042"]}
    (post,) = results
    assert post.platform == "chat" and post.id == "chat:sd-20261120-0042"
    assert post.text == ("My VPN disconnects every few minutes since this morning\n"
                         "5.2, it updated itself this morning\nThat works, thanks!")
    assert (post.author.handle, post.author.display_name) == ("ann.jansen@lumen.example",
                                                              "Ann Jansen")
    assert post.created_at.isoformat() == "2026-11-20T12:00:21+00:00"  # first customer turn
    turns = post.raw["transcript"]["messages"]
    assert [t["role"] for t in turns] == ["bot", "customer", "bot", "agent", "customer", "agent",
                                          "customer"]
    assert "TCP mode" in turns[5]["text"] and post.engagement.replies == 4
    assert post.raw["format"] == "webcare" and post.lang == "en"


@pytest.mark.slow
def test_livechat_chat_and_archive_export_one_post_per_thread(tmp_path, monkeypatch):
    responses, results = deliver(tmp_path, monkeypatch, fixture("livechat_get_chat.json"),
                                 fixture("livechat_list_archives.json"))
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[1].json()["ids"] == ["chat:PJ0MRSHTDG:Q4H3PL8W2V",
                                          "chat:PJ0MRSHTDG:Q4H3PL9ZZ1"]
    first, second = results  # the thread sent twice is recorded once
    assert first.text == "The 3rd floor printer is offline for everyone\nYes, PRN-3F-02"
    assert first.author.display_name == "Carl Maes" and first.raw["format"] == "livechat"
    assert [t["role"] for t in first.raw["transcript"]["messages"]] == [
        "customer", "agent", "customer", "agent"]  # system messages and the file skipped
    assert second.text == "The printer is offline again"


def test_livechat_threads_list_variant():
    chat = fixture("livechat_list_archives.json")["chats"]
    merged = {**chat[0], "threads": [chat[0]["thread"], chat[1]["thread"]]}
    del merged["thread"]
    assert [p.id for p in parse_transcripts(merged)] == ["chat:PJ0MRSHTDG:Q4H3PL8W2V",
                                                         "chat:PJ0MRSHTDG:Q4H3PL9ZZ1"]


def _without_customer() -> dict:
    data = fixture("webcare_transcript.json")
    data["messages"] = [m for m in data["messages"] if m["author"] != "c-8812"]
    return data


def _bad_time() -> dict:
    data = fixture("webcare_transcript.json")
    data["messages"][3]["time"] = "half past twelve"
    return data


@pytest.mark.slow
@pytest.mark.parametrize("body, status, error, field", [
    (b"{not json", 400, "invalid_json", "body"),
    ({"conversation": "x"}, 422, "invalid_transcript", "messages"),
    ({"messages": [{"author": "u", "time": 1, "text": "hi"}]}, 422, "invalid_transcript",
     "conversation_id"),
    (_bad_time(), 422, "invalid_transcript", "messages[3].time"),
    (_without_customer(), 422, "invalid_transcript", "messages"),
    ([], 422, "invalid_transcript", "body"),
    ("just a string", 422, "invalid_transcript", "body"),
])
def test_bad_input_is_a_clear_error_and_a_dead_letter(tmp_path, monkeypatch, body, status,
                                                      error, field):
    (response,), results = deliver(tmp_path, monkeypatch, body)
    answer = response.json()
    assert (response.status_code, answer["error"], answer["field"]) == (status, error, field)
    assert answer["reason"]
    (letter,) = results
    assert isinstance(letter, DeadLetter)
    original = body.decode() if isinstance(body, bytes) else json.dumps(body)
    assert json.loads(letter.payload)["malformed_frame"] == original  # nothing lost


@pytest.mark.slow
def test_a_list_accepts_the_good_and_dead_letters_the_bad(tmp_path, monkeypatch):
    good, bad = fixture("webcare_transcript.json"), _bad_time()
    bad["conversation_id"] = "other"
    (response,), results = deliver(tmp_path, monkeypatch, [good, bad])
    assert response.status_code == 422
    answer = response.json()
    assert answer["accepted"] == 1 and answer["ids"] == ["chat:sd-20261120-0042"]
    assert answer["errors"] == [{"field": "[1].messages[3].time", "reason": answer["reason"]}]
    assert [type(r).__name__ for r in results] == ["Post", "DeadLetter"]


@pytest.mark.slow
def test_oversized_body_is_413_and_its_head_a_dead_letter(tmp_path, monkeypatch):
    big = fixture("webcare_transcript.json")
    big["messages"][1]["text"] = "x" * 5000
    (response,), results = deliver(tmp_path, monkeypatch, big, max_bytes=4096)
    assert response.status_code == 413 and response.json()["field"] == "body"
    assert "max_bytes 4096" in response.json()["reason"]
    (letter,) = results
    assert '"conversation_id": "sd-20261120-0042"' in json.loads(letter.payload)["malformed_frame"]


@pytest.mark.slow
def test_body_over_the_hard_limit_is_refused_unread(tmp_path, monkeypatch):
    src = chat_source(tmp_path, monkeypatch)
    base, records, thread = run(src)
    connection = http.client.HTTPConnection(base.removeprefix("http://"))
    connection.putrequest("POST", "/chat")
    connection.putheader("Authorization", "Bearer chat-token")
    connection.putheader("Content-Length", str(6 * 2**20))
    connection.endheaders()
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    thread.join()
    assert response.status == 413 and answer["error"] == "too_large" and records == []


@pytest.mark.slow
def test_auth_failures_record_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAT_SIGNING_KEY", "hmac-key")
    body = json.dumps(fixture("webcare_transcript.json")).encode()
    src = chat_source(tmp_path, monkeypatch, signature_secret_env="CHAT_SIGNING_KEY")
    base, records, thread = run(src)
    signed = {**AUTH, SIGNATURE_HEADER: signature(b"hmac-key", body)}
    attempts = [
        ({}, 401, "Authorization"),
        ({"Authorization": "Bearer wrong"}, 401, "Authorization"),
        ({**signed, "Authorization": "Bearer wrong"}, 401, "Authorization"),
        (AUTH, 403, SIGNATURE_HEADER),
        ({**AUTH, SIGNATURE_HEADER: signature(b"other-key", body)}, 403, SIGNATURE_HEADER),
        (signed, 200, None),
    ]
    answers = [requests.post(f"{base}/chat", data=body, headers=h) for h, _, _ in attempts]
    wrong_path = requests.post(f"{base}/other", data=body, headers=signed)
    thread.join()
    for response, (_, status, field) in zip(answers, attempts):
        assert response.status_code == status
        assert response.json().get("field") == field
    assert wrong_path.status_code == 404 and wrong_path.json()["field"] == "path"
    assert [parse_post(r).id for r in records] == ["chat:sd-20261120-0042"]


def test_missing_credentials_name_the_variables(tmp_path, monkeypatch):
    monkeypatch.delenv("WEBCARE_CHAT_TOKEN", raising=False)
    with pytest.raises(AuthFailed, match=r"\$WEBCARE_CHAT_TOKEN"):
        ChatSource(ChatConfig(state_path=str(tmp_path / "s.sqlite")))
    monkeypatch.setenv("WEBCARE_CHAT_TOKEN", "t")
    monkeypatch.delenv("CHAT_SIGNING_KEY", raising=False)
    with pytest.raises(AuthFailed, match=r"\$CHAT_SIGNING_KEY"):
        ChatSource(ChatConfig(state_path=str(tmp_path / "s.sqlite"),
                              signature_secret_env="CHAT_SIGNING_KEY"))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=20)
FIELDS = ["conversation_id", "channel", "started_at", "lang", "url", "participants", "messages",
          "author", "role", "time", "text", "id", "name", "email", "users", "thread", "threads",
          "events", "type", "author_id", "created_at", "chats"]
VALUES = (JSON | st.sampled_from(["customer", "agent", "bot", "message", "2026-11-20T12:00:00Z",
                                  1763640000, "u1"]))
SHAPED = st.recursive(VALUES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(FIELDS), inner, max_size=6), max_leaves=30)


ZONES = [timezone.utc, timezone(timedelta(hours=2)), timezone(-timedelta(hours=9, minutes=30))]
TIMES = st.one_of(*[st.integers(0, 4 * 10**9), st.datetimes().map(lambda d: d.isoformat()),
                   st.datetimes(timezones=st.sampled_from(ZONES)).map(lambda d: d.isoformat())] * 3,
                  st.sampled_from(["noon", "", "2026-13-01"]))
NEAR_VALID = st.fixed_dictionaries(
    {"conversation_id": st.text(min_size=1, max_size=40) | st.integers(),
     "participants": st.lists(st.fixed_dictionaries(
         {"id": st.sampled_from(["u1", "a1", "b1"]),
          "role": st.sampled_from(["customer", "agent", "bot"])}), min_size=1, max_size=3),
     "messages": st.lists(st.fixed_dictionaries(
         {"author": st.sampled_from(["u1", "u1", "a1", "b1", "stranger"]), "time": TIMES,
          "text": st.text(max_size=40)},
         optional={"role": st.sampled_from(["customer", "agent", "bot", None, "boss"])}),
         min_size=1, max_size=5)},
    optional={"started_at": TIMES, "lang": st.none() | st.text(max_size=40),
              "url": st.none() | st.text(max_size=40), "channel": st.text(max_size=20)})


def _contract(data) -> None:
    try:
        posts = parse_transcripts(data)
    except TranscriptError as error:
        assert error.field and error.reason
        return
    assert posts and all(p.platform == "chat" and p.text.strip() for p in posts)
    assert all(Post.model_validate_json(p.model_dump_json()) == p for p in posts)


@pytest.mark.slow
@given(JSON)
def test_parser_property_arbitrary_json_only_raises_transcript_error(data):
    _contract(data)


@pytest.mark.slow
@settings(max_examples=300)
@given(SHAPED)
def test_parser_property_transcript_shaped_json_only_raises_transcript_error(data):
    _contract(data)


@pytest.mark.slow
@settings(max_examples=300)
@given(NEAR_VALID)
def test_parser_property_near_valid_transcripts(data):
    _contract(data)
