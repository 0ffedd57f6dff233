"""Every push endpoint against hostile input over real HTTP on 127.0.0.1: every request gets
an answer, the receiver stays up, unusable authenticated bodies become dead letters whose
reason is the real error, and nothing answered 2xx is lost."""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests

from ingest.chat.config import ChatConfig
from ingest.chat.source import ChatSource
from ingest.config import MAX_BODY, WebhookConfig
from ingest.facebook.config import FacebookConfig
from ingest.facebook.source import FacebookSource, signature
from ingest.webhook import WebhookSource
from schemas import DeadLetter, Post
from schemas.dead_letters import parse_post
from tests.conftest import make_post
from tests.ingest.test_webhooks import run

TOKEN = "tok"


def _webhook(tmp_path, **keys):
    keys = {"idle_timeout": 1.0, **keys}
    return WebhookSource(WebhookConfig(port=0, max_cycles=1,
                                       state_path=str(tmp_path / "s.sqlite"), **keys))


def _facebook(tmp_path, **keys):
    return FacebookSource(FacebookConfig(port=0, idle_timeout=1.0, max_cycles=1,
                                         state_path=str(tmp_path / "s.sqlite"), **keys))


def _chat(tmp_path, **keys):
    return ChatSource(ChatConfig(port=0, idle_timeout=1.0, max_cycles=1,
                                 state_path=str(tmp_path / "s.sqlite"), **keys))


@pytest.fixture(autouse=True)
def secrets(monkeypatch):
    monkeypatch.setenv("WEBCARE_WEBHOOK_TOKEN", TOKEN)
    monkeypatch.setenv("WEBCARE_CHAT_TOKEN", TOKEN)
    monkeypatch.setenv("FACEBOOK_APP_SECRET", "appsecret")
    monkeypatch.setenv("FACEBOOK_VERIFY_TOKEN", "verify")


def auth_headers(kind: str, body: bytes) -> dict[str, str]:
    if kind == "facebook":
        return {"X-Hub-Signature-256": signature(b"appsecret", body)}
    return {"Authorization": f"Bearer {TOKEN}"}


RECEIVERS = {"webhook": (_webhook, "/webhook"), "facebook": (_facebook, "/facebook"),
             "chat": (_chat, "/chat")}


def raw_exchange(base: str, request: bytes, timeout: float = 15.0) -> bytes:
    """Send bytes as they are; return what came back before the server closed or timeout."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(request)
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and _complete(answer):
                    break
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1") else 0


def good_body(kind: str, n: int) -> bytes:
    if kind == "webhook":
        return make_post(n).model_dump_json().encode()
    if kind == "facebook":
        value = {"item": "comment", "verb": "add", "post_id": "1_1", "comment_id": f"1_1_{n}",
                 "message": "app down again", "created_time": 1700000000 + n}
        return json.dumps({"object": "page", "entry": [{"id": "1", "changes": [
            {"field": "feed", "value": value}]}]}).encode()
    return json.dumps({"conversation_id": f"c{n}", "messages": [
        {"role": "customer", "author": "ann", "time": 1700000000 + n,
         "text": "my vpn drops"}]}).encode()


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(RECEIVERS))
def test_hostile_requests_each_get_an_answer_and_the_receiver_stays_up(tmp_path, kind):
    build, path = RECEIVERS[kind]
    src = build(tmp_path)
    base, records, thread = run(src)
    host = base.removeprefix("http://")
    url = f"{base}{path}"
    good = good_body(kind, 1)
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
    auth = "".join(f"{k}: {v}\r\n" for k, v in auth_headers(kind, good).items())
    chunked = (f"{head}{auth}Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n"
               f"\r\n").encode() + b"".join(
        b"%x\r\n%s\r\n" % (len(part), part) for part in (good[:10], good[10:])) + b"0\r\n\r\n"
    statuses = {
        "chunked": status_of(raw_exchange(base, chunked)),
        "no length": status_of(raw_exchange(base, f"{head}{auth}\r\n".encode())),
        "negative length": status_of(raw_exchange(
            base, f"{head}{auth}Content-Length: -1\r\n\r\n".encode())),
        "invalid length": status_of(raw_exchange(
            base, f"{head}{auth}Content-Length: abc\r\n\r\n".encode())),
        "huge declared": status_of(raw_exchange(
            base, f"{head}{auth}Content-Length: {10 * 2**20}\r\n\r\n".encode())),
        "huge chunked": status_of(raw_exchange(base, (
            f"{head}{auth}Transfer-Encoding: chunked\r\n\r\n").encode()
            + (b"100000\r\n" + b"x" * 0x100000 + b"\r\n") * 6 + b"0\r\n\r\n")),
        "wrong auth": requests.post(url, data=good, headers={
            "Authorization": "Bearer no", "X-Hub-Signature-256": "sha256=00"}).status_code,
        "wrong path": requests.post(f"{base}/nope", data=good,
                                    headers=auth_headers(kind, good)).status_code,
        "put": requests.put(url, data=good).status_code,
    }
    after = requests.post(url, data=good_body(kind, 2), headers=auth_headers(kind, good_body(kind, 2)))
    thread.join()
    assert statuses == {"chunked": 200, "no length": 411, "negative length": 400,
                        "invalid length": 400, "huge declared": 413, "huge chunked": 413,
                        "wrong auth": 401 if kind != "facebook" else 403, "wrong path": 404,
                        "put": 405}
    assert after.status_code == 200  # still serving
    assert all(isinstance(parse_post(record), Post) for record in records)
    assert len(records) == 2  # the chunked one and the last one; nothing else recorded


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(RECEIVERS))
@pytest.mark.parametrize("case, body, status, reason", [
    ("invalid utf-8", b'{"text": "\xff\xfe"}', 400, "not UTF-8"),
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply"),
    ("not json", b"{nope", 400, "not JSON"),
])
def test_unusable_bodies_are_answered_and_dead_lettered_with_the_real_error(
        tmp_path, kind, case, body, status, reason):
    build, path = RECEIVERS[kind]
    src = build(tmp_path)
    base, records, thread = run(src)
    response = requests.post(f"{base}{path}", data=body, headers=auth_headers(kind, body))
    thread.join()
    assert response.status_code == status and reason in response.json()["reason"]
    (letter,) = [parse_post(record) for record in records]
    assert isinstance(letter, DeadLetter) and letter.stage == "ingest"
    assert reason in letter.reason and "Field required" not in letter.reason


@pytest.mark.slow
def test_a_facebook_entry_that_is_not_a_list_of_objects_is_422_and_a_dead_letter(tmp_path):
    src = _facebook(tmp_path)
    base, records, thread = run(src)
    answers = []
    for delivery in ({"object": "page", "entry": "x"}, {"object": "page", "entry": [1, "a"]},
                     {"object": "page", "entry": [{"id": "1", "changes": [7]}]},
                     {"object": "user", "entry": []}, [1, 2]):
        body = json.dumps(delivery).encode()
        answers.append(requests.post(f"{base}/facebook", data=body,
                                     headers=auth_headers("facebook", body)))
    thread.join()
    assert [a.status_code for a in answers] == [422] * 5
    assert [a.json()["field"] for a in answers] == [
        "entry", "entry[0]", "entry[0].changes[0]", "object", "object"]
    letters = [parse_post(record) for record in records]
    assert len(letters) == 6 and all(isinstance(x, DeadLetter) for x in letters)
    assert "not a list" in letters[0].reason and "TypeError" in letters[3].reason


@pytest.mark.slow
def test_nul_characters_are_accepted_and_cleaned(tmp_path):
    src = _webhook(tmp_path)
    base, records, thread = run(src)
    post = make_post(1).model_dump(mode="json") | {"text": "vpn\x00 down"}
    response = requests.post(f"{base}/webhook", json=post, headers=auth_headers("webhook", b""))
    thread.join()
    assert response.status_code == 200
    assert parse_post(records[0]).text == "vpn down"


@pytest.mark.slow
def test_a_slow_body_is_408_and_idle_connections_do_not_block_senders(tmp_path):
    src = _webhook(tmp_path, read_timeout=1.0, max_connections=20, idle_timeout=5.0)
    base, records, thread = run(src)
    host, port = base.removeprefix("http://").split(":")
    slow = socket.create_connection((host, int(port)))
    slow.sendall(f"POST /webhook HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                 f"Content-Length: 100\r\n\r\n{{".encode())
    slow.settimeout(10)
    time.sleep(0.3)  # its head is read before the flood of idle connections (beyond: 503)
    idle = [socket.create_connection((host, int(port))) for _ in range(30)]  # send nothing
    slow_answer = slow.recv(4096)
    time.sleep(1.5)  # the idle connections pass their head deadline and are closed
    body = make_post(5).model_dump_json().encode()
    after = requests.post(f"{base}/webhook", data=body, headers=auth_headers("webhook", body))
    closed = sum(1 for conn in idle if _closed_by_server(conn))
    thread.join()
    assert status_of(slow_answer) == 408
    assert after.status_code == 200 and closed == len(idle)
    assert [parse_post(r).id for r in records] == [make_post(5).id]


def _closed_by_server(conn: socket.socket) -> bool:
    conn.settimeout(5)
    try:
        return conn.recv(1) == b""
    except (ConnectionResetError, TimeoutError):
        return False
    finally:
        conn.close()


@pytest.mark.slow
def test_a_full_intake_answers_503_with_retry_after(tmp_path):
    src = _webhook(tmp_path, intake_capacity=2)
    base = src.start()  # nobody reads the intake: it fills up
    headers = auth_headers("webhook", b"")
    answers = [requests.post(f"{base}/webhook", data=make_post(n).model_dump_json(),
                             headers=headers) for n in range(3)]
    src.close()
    assert [a.status_code for a in answers] == [200, 200, 503]
    assert answers[2].headers["Retry-After"] == "5" and answers[2].json()["error"] == "intake_full"


def test_the_hard_body_limit_is_the_documented_one():
    assert MAX_BODY == 5 * 2**20
