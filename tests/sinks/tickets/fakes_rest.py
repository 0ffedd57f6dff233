"""Contract fakes for the ``rest`` sink: token endpoints and a generic ticket API on 127.0.0.1.

:class:`FormTool` adds form-encoded, unauthenticated endpoints (OAuth2 token, login) to
:class:`tests.sinks.tickets.fakes.FakeTool`. Tokens carry a lifetime on a shared
:class:`Clock` (the sink under test reads the same clock), so expiry is simulated, and
:meth:`FormTool.revoke` makes the server forget every token (what a restart of the tool does).
:class:`FakeTicketApi` is a plain ticket API: JSON create with required fields, notes,
PATCH of the status, search by correlation key, and a create answering only ``Location``.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, unquote, urlsplit

from tests.sinks.tickets.fakes import FakeTool, basic, ok


class Clock:
    """Seconds since the test started; both the fake and the sink read it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FormTool(FakeTool):
    """A FakeTool with form-encoded endpoints (``form_paths``) that need no Authorization."""

    form_paths: tuple[str, ...] = ()

    def __init__(self, clock: Clock | None = None, ttl: float = 3600.0) -> None:
        super().__init__()
        self.clock, self.ttl = clock or Clock(), ttl
        self.tokens: dict[str, float] = {}  # token -> expiry on the clock
        self.issued = 0

    def handle(self, method, path, headers, body):
        url = urlsplit(path)
        if url.path not in self.form_paths:
            return super().handle(method, path, headers, body)
        with self.lock:
            self.requests.append((method, path))
            if self.faults:
                return self.faults.pop(0)
            if method != "POST" or "x-www-form-urlencoded" not in headers.get("content-type", ""):
                return ok(415, {"error": "POST a form (application/x-www-form-urlencoded)"})
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            return self.form(url.path, headers, form)

    def form(self, path: str, headers: dict, form: dict) -> tuple[int, dict, str]:
        return 404, {}, "no such endpoint"

    def issue(self) -> str:
        self.issued += 1
        token = f"tok-{self.issued}"
        self.tokens[token] = self.clock() + self.ttl
        return token

    def valid(self, token: str) -> bool:
        return self.tokens.get(token, -1.0) > self.clock()

    def revoke(self) -> None:
        self.tokens.clear()


class FakeTicketApi(FormTool):
    """``/oauth/token`` (client credentials) and ``/api/tickets`` with basic, bearer or oauth2."""

    form_paths = ("/oauth/token",)
    REQUIRED = ("title", "description", "urgency", "key")

    def __init__(self, auth: str = "basic", clock: Clock | None = None, ttl: float = 600) -> None:
        super().__init__(clock, ttl)
        self.auth = auth
        self.tickets: dict[str, dict] = {}
        self.scopes: list[str | None] = []  # the scope of each token request

    def form(self, path, headers, form):
        client = (form.get("client_id"), form.get("client_secret"))
        if headers.get("authorization", "").startswith("Basic "):
            raw = base64.b64decode(headers["authorization"][6:]).decode()
            client = tuple(raw.split(":", 1))
        if form.get("grant_type") != "client_credentials":
            return ok(400, {"error": "unsupported_grant_type"})
        if client != ("webcare", "client-secret"):
            return ok(401, {"error": "invalid_client"})
        self.scopes.append(form.get("scope"))
        return ok(200, {"access_token": self.issue(), "token_type": "Bearer",
                        "expires_in": int(self.ttl)})

    def authorized(self, auth, headers, body) -> bool:
        if self.auth == "basic":
            return auth == basic("webcare", "s3cret")
        if self.auth == "bearer":
            return auth == "Bearer static-token"
        return auth.startswith("Bearer ") and self.valid(auth[7:])

    def route(self, method, path, data):
        url = urlsplit(path)
        route = unquote(url.path)
        if route in ("/api/tickets", "/api/v2/tickets") and method == "GET":
            key = parse_qs(url.query).get("key", [""])[0]
            return ok(200, {"items": [{"id": i} for i, t in self.tickets.items()
                                      if t["key"] == key]})
        if route in ("/api/tickets", "/api/v2/tickets") and method == "POST":
            missing = [f for f in self.REQUIRED if not (data or {}).get(f)]
            if missing:
                return ok(422, {"error": "validation failed", "missing": missing})
            ticket_id = f"T-{len(self.tickets) + 1}"
            self.tickets[ticket_id] = {**data, "status": "open", "notes": []}
            if route == "/api/v2/tickets":  # answers with a Location header only
                return 201, {"Location": f"/api/v2/tickets/{ticket_id}"}, ""
            return ok(201, {"ticket": {"id": ticket_id, "url": f"/api/tickets/{ticket_id}"}})
        match = re.fullmatch(r"/api/(?:v2/)?tickets/([^/]+)(/notes)?", route)
        ticket = self.tickets.get(match.group(1)) if match else None
        if match and ticket is None:
            return ok(404, {"error": f"no ticket {match.group(1)}"})
        if match and match.group(2) and method == "POST":
            if not (data or {}).get("text"):
                return ok(422, {"error": "text required"})
            ticket["notes"].append(data["text"])
            return ok(201, {"id": len(ticket["notes"])})
        if match and method == "PATCH":
            if (data or {}).get("status") not in ("open", "resolved"):
                return ok(422, {"error": "status must be open or resolved"})
            ticket.update(data)
            return ok(200, {"ticket": {"id": match.group(1)}})
        return ok(404, {"error": f"no {method} {route}"})

    def by_key(self, key: str) -> list[dict]:
        return [t for t in self.tickets.values() if t["key"] == key]

