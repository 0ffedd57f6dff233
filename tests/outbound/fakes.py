"""Contract fakes on 127.0.0.1 for the outbound channels that have no fake elsewhere: a Facebook
page (Graph API feed, comments, Messenger send), a Viva Engage network (Yammer REST messages)
and a status page (signed webhook). X, Mastodon and Bluesky reuse the app's reply fakes
(tests/app/test_replies.py), which enforce their auth and fields."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from urllib.parse import parse_qs, urlsplit

from tests.sinks.tickets.fakes import FakeTool, ok

GRAPH = re.compile(r"^/v\d+\.\d+/([^/]+)/(feed|comments|messages)$")


class FakeGraph(FakeTool):
    """Graph API: the page token in ``access_token`` (form or JSON), ``message`` required on
    feed/comments, ``recipient.id`` + ``messaging_type`` + ``message.text`` on messages."""

    def __init__(self, page_id: str = "4242", token: str = "page-token") -> None:
        super().__init__()
        self.page_id, self.token = page_id, token
        self.feed: list[str] = []
        self.comments: list[tuple[str, str]] = []
        self.messages: list[tuple[str, str]] = []

    def handle(self, method, path, headers, body):
        kind = headers.get("content-type", "")
        if kind.startswith("application/x-www-form-urlencoded"):
            data = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        else:
            data = json.loads(body or b"{}")
        with self.lock:
            self.requests.append((method, path))
            if self.faults:
                return self.faults.pop(0)
        if data.get("access_token") != self.token:
            return ok(400, {"error": {"message": "Invalid OAuth access token.",
                                      "type": "OAuthException", "code": 190}})
        match = GRAPH.match(urlsplit(path).path)
        if method != "POST" or not match:
            return ok(400, {"error": {"message": "Unknown path", "code": 803}})
        node, edge = match.groups()
        return self.route(node, edge, data)

    def route(self, node, edge, data):
        if edge == "messages":
            recipient = (data.get("recipient") or {}).get("id")
            text = (data.get("message") or {}).get("text")
            if node != self.page_id or not recipient or data.get("messaging_type") != "RESPONSE" \
                    or not text:
                return ok(400, {"error": {"message": "(#100) Invalid parameter", "code": 100}})
            self.messages.append((recipient, text))
            return ok(200, {"recipient_id": recipient, "message_id": f"m_{len(self.messages)}"})
        if not data.get("message"):
            return ok(400, {"error": {"message": "(#100) message is required", "code": 100}})
        if edge == "feed":
            if node != self.page_id:
                return ok(400, {"error": {"message": "(#200) not a page you manage", "code": 200}})
            self.feed.append(data["message"])
            return ok(200, {"id": f"{self.page_id}_{len(self.feed)}"})
        self.comments.append((node, data["message"]))
        return ok(200, {"id": f"{node}_c{len(self.comments)}"})


class FakeEngage(FakeTool):
    """Yammer REST ``POST /api/v1/messages.json``: Bearer token, ``body`` and ``group_id`` or
    ``replied_to_id`` required."""

    def __init__(self, token: str = "engage-token") -> None:
        super().__init__()
        self.token = token
        self.messages: list[dict] = []

    def authorized(self, auth, headers, body) -> bool:
        return auth == f"Bearer {self.token}"

    def route(self, method, path, data):
        if (method, path) != ("POST", "/api/v1/messages.json"):
            return ok(404, {"error": "not found"})
        if not isinstance(data, dict) or not data.get("body") or not (
                data.get("group_id") or data.get("replied_to_id")):
            return ok(400, {"errors": ["body and group_id or replied_to_id are required"]})
        self.messages.append(data)
        n = 7000 + len(self.messages)
        return ok(201, {"messages": [{"id": n, "body": {"plain": data["body"]},
                                      "web_url": f"https://engage.example/threads/{n}"}]})


class FakeStatuspage(FakeTool):
    """Verifies ``X-Webcare-Signature`` over the exact body; needs outbound_id, text, kind."""

    def __init__(self, secret: str = "status-secret") -> None:
        super().__init__()
        self.secret = secret.encode()
        self.updates: list[dict] = []

    def authorized(self, auth, headers, body) -> bool:
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(headers.get("x-webcare-signature", ""), expected)

    def route(self, method, path, data):
        missing = [f for f in ("outbound_id", "text", "kind", "incident_key")
                   if not isinstance(data, dict) or f not in data]
        if method != "POST" or missing:
            return ok(422, {"error": f"missing {missing}"})
        self.updates.append(data)
        return ok(200, {"id": f"U-{len(self.updates)}",
                        "url": f"https://status.example/u/{len(self.updates)}"})
