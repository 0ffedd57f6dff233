"""Real receivers on 127.0.0.1 that validate what the alert channels send.

* :class:`SlackReceiver` — Slack's incoming-webhook contract: a JSON object with a non-empty
  ``text`` and Block Kit ``blocks`` (header ≤ 150 chars of plain_text, section text or ≤ 10
  fields, context elements); answers ``200 ok`` or ``400 invalid_payload`` like Slack.
* :class:`TeamsReceiver` — an incoming-webhook message with one Adaptive Card attachment
  (``202``), or a legacy MessageCard (``200 1``); ``400`` otherwise.
* :class:`WebhookReceiver` — verifies ``X-Webcare-Signature`` (HMAC-SHA256 of the body), that
  ``X-Webcare-Timestamp`` equals the signed body's timestamp and is fresh, and dedupes on
  ``X-Webcare-Idempotency-Key`` as a receiver should (``processed`` holds each key once).
* :class:`SmtpReceiver` — an aiosmtpd server (optional AUTH LOGIN/PLAIN without TLS).

``faults`` (a list of (status, headers, body)) are answered first, one per request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from email import message_from_bytes, policy
from http.server import ThreadingHTTPServer

from tests.outbox_helpers import QuietHandler, read_request, send_reply


class Receiver:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.accepted: list[dict] = []
        self.faults: list[tuple[int, dict, str]] = []
        self.lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"receiver": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, headers: dict, body: bytes) -> tuple[int, dict, str]:
        with self.lock:
            self.requests.append({"headers": headers, "body": body})
            if self.faults:
                return self.faults.pop(0)
            try:
                data = json.loads(body)
            except ValueError:
                return 400, {}, "invalid_payload"
            status, text = self.validate(headers, body, data)
            if 200 <= status < 300:
                self.accepted.append(data)
            return status, {}, text

    def validate(self, headers: dict, body: bytes, data) -> tuple[int, str]:
        return 200, "ok"


class SlackReceiver(Receiver):
    def validate(self, headers, body, data):
        problems = slack_problems(data)
        return (400, "invalid_payload: " + "; ".join(problems)) if problems else (200, "ok")


def slack_problems(data) -> list[str]:
    problems = []
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) \
            or not data["text"].strip():
        return ["text missing"]
    blocks = data.get("blocks")
    if not isinstance(blocks, list) or not 1 <= len(blocks) <= 50:
        return ["blocks must be a list of 1..50"]
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            text = block.get("text", {})
            if text.get("type") != "plain_text" or not 0 < len(text.get("text", "")) <= 150:
                problems.append("header needs plain_text ≤ 150")
        elif kind == "section":
            text, fields = block.get("text"), block.get("fields")
            if text is None and not fields:
                problems.append("section needs text or fields")
            if text is not None and (text.get("type") not in ("mrkdwn", "plain_text")
                                     or not 0 < len(text.get("text", "")) <= 3000):
                problems.append("section text")
            if fields is not None and (len(fields) > 10 or any(
                    f.get("type") not in ("mrkdwn", "plain_text") or len(f.get("text", "")) > 2000
                    for f in fields)):
                problems.append("section fields")
        elif kind == "context":
            if not block.get("elements") or len(block["elements"]) > 10:
                problems.append("context elements")
        else:
            problems.append(f"unknown block {kind}")
    return problems


class TeamsReceiver(Receiver):
    def validate(self, headers, body, data):
        if data.get("@type") == "MessageCard":
            ok = data.get("@context") == "https://schema.org/extensions" and (
                data.get("summary") or data.get("text")) and all(
                isinstance(f.get("name"), str) and isinstance(f.get("value"), str)
                for s in data.get("sections", []) for f in s.get("facts", []))
            return (200, "1") if ok else (400, "bad MessageCard")
        problems = adaptive_problems(data)
        return (400, "; ".join(problems)) if problems else (202, "")


def adaptive_problems(data) -> list[str]:
    if data.get("type") != "message":
        return ["type must be message"]
    attachments = data.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        return ["exactly one attachment"]
    att = attachments[0]
    if att.get("contentType") != "application/vnd.microsoft.card.adaptive":
        return ["contentType"]
    card = att.get("content") or {}
    if card.get("type") != "AdaptiveCard" or not card.get("version") \
            or not card.get("$schema", "").startswith("http://adaptivecards.io/"):
        return ["content must be an AdaptiveCard with version and $schema"]
    problems = []
    for element in card.get("body", []):
        if element.get("type") == "TextBlock":
            if not isinstance(element.get("text"), str) or not element["text"]:
                problems.append("TextBlock text")
        elif element.get("type") == "FactSet":
            if not all(isinstance(f.get("title"), str) and isinstance(f.get("value"), str)
                       for f in element.get("facts", [])):
                problems.append("FactSet facts")
        else:
            problems.append(f"unexpected element {element.get('type')}")
    return problems or ([] if card.get("body") else ["empty body"])


class WebhookReceiver(Receiver):
    """Verifies the signature and freshness; processes each idempotency key once."""

    def __init__(self, secret: str, tolerance_s: float = 300.0) -> None:
        super().__init__()
        self.secret, self.tolerance_s = secret, tolerance_s
        self.processed: dict[str, dict] = {}
        self.duplicates = 0

    def validate(self, headers, body, data):
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("x-webcare-signature", ""), expected):
            return 401, '{"error": "bad signature"}'
        stamp = headers.get("x-webcare-timestamp", "")
        if stamp != str(data.get("timestamp")) or abs(time.time() - int(stamp)) > self.tolerance_s:
            return 401, '{"error": "stale or mismatched timestamp"}'
        key = headers.get("x-webcare-idempotency-key", "")
        if key != data.get("idempotency_key") or not key:
            return 400, '{"error": "idempotency key"}'
        if key in self.processed:
            self.duplicates += 1
            return 200, '{"duplicate": true}'
        self.processed[key] = data
        return 200, '{"duplicate": false}'


class _Handler(QuietHandler):
    receiver: Receiver

    def do_POST(self) -> None:
        headers, body = read_request(self)
        send_reply(self, *self.receiver.handle(headers, body))


class SmtpReceiver:
    """aiosmtpd on 127.0.0.1; ``messages`` holds (envelope from, recipients, parsed message).
    ``reject_rcpt``: answer RCPT with this code; ``users``: require AUTH with these."""

    def __init__(self, users: dict[str, str] | None = None, reject_rcpt: int | None = None):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list[tuple[str, list[str], object]] = []
        self.port = _free_port()
        receiver = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):
                if reject_rcpt:
                    return f"{reject_rcpt} mailbox unavailable"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                receiver.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                          message_from_bytes(envelope.content,
                                                             policy=policy.default)))
                return "250 Message accepted"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = users is not None and users.get(auth_data.login.decode()) == \
                auth_data.password.decode()
            return AuthResult(success=ok, handled=False)  # handled=False: answer 535

        options = {"authenticator": authenticator, "auth_require_tls": False,
                   "auth_required": True} if users else {}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **options)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
