"""Contract fakes of the ticket APIs on 127.0.0.1, with fault injection.

Each fake enforces what the sinks rely on (auth header, required fields, status codes) and,
like the real tools, happily creates a SECOND ticket for a duplicate correlation id, so the
tests can prove the sinks never cause one. ``faults`` is a list of (status, headers, body)
answered before the contract (one per request); ``down`` answers every request with 503.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.outbox_helpers import QuietHandler, read_request, send_reply


class FakeTool:
    def __init__(self) -> None:
        self.faults: list[tuple[int, dict, str]] = []
        self.down = False
        self.delay = 0.0  # seconds before answering (client timeouts)
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def handle(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, dict, str]:
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.requests.append((method, path))
            if self.down:
                return 503, {}, '{"error": "maintenance"}'
            if self.faults:
                return self.faults.pop(0)
            if not self.authorized(headers.get("authorization", ""), headers, body):
                return 401, {}, json.dumps({"error": {"message": "User Not Authenticated"}})
            try:
                data = json.loads(body) if body else None
            except ValueError:
                return 400, {}, '{"error": "invalid JSON"}'
            return self.route(method, path, data)

    def authorized(self, auth: str, headers: dict, body: bytes) -> bool:
        return True

    def route(self, method: str, path: str, data) -> tuple[int, dict, str]:
        """Each fake tool answers its own API: (status, headers, body)."""
        return 404, {}, "no such endpoint"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def ok(status: int, value) -> tuple[int, dict, str]:
    return status, {"Content-Type": "application/json"}, json.dumps(value)


class FakeServiceNow(FakeTool):
    REQUIRED = ("short_description", "description", "urgency", "impact", "category",
                "contact_type", "correlation_id")

    def __init__(self, user="webcare", password="s3cret", token=None) -> None:
        super().__init__()
        self.expected = f"Bearer {token}" if token else basic(user, password)
        self.records: dict[str, dict] = {}

    def authorized(self, auth, headers, body) -> bool:
        return auth == self.expected

    def route(self, method, path, data):
        url = urlsplit(path)
        if url.path == "/api/now/table/incident" and method == "GET":
            query = parse_qs(url.query).get("sysparm_query", [""])[0]
            wanted = query.removeprefix("correlation_id=")
            found = [r for r in self.records.values() if r["correlation_id"] == wanted]
            return ok(200, {"result": found[:1]})
        if url.path == "/api/now/table/incident" and method == "POST":
            missing = [f for f in self.REQUIRED if not data or not data.get(f)]
            bad = [f for f in ("urgency", "impact") if data and data.get(f) not in ("1", "2", "3")]
            if missing or bad or data.get("contact_type") != "social":
                return ok(400, {"error": {"message": "invalid", "detail": missing + bad}})
            sys_id = hashlib.md5(str(len(self.records)).encode()).hexdigest()
            self.records[sys_id] = {**data, "sys_id": sys_id, "state": data.get("state", "1"),
                                    "number": f"INC{len(self.records) + 1:07d}", "work_notes": []}
            return ok(201, {"result": self.records[sys_id]})
        match = re.fullmatch(r"/api/now/table/incident/(\w+)", url.path)
        if match and method == "PATCH":
            record = self.records.get(match.group(1))
            if record is None:
                return ok(404, {"error": {"message": "No Record found"}})
            notes = record["work_notes"] + ([data["work_notes"]] if data.get("work_notes") else [])
            record.update({**data, "work_notes": notes})
            return ok(200, {"result": record})
        return ok(400, {"error": {"message": f"unsupported {method} {url.path}"}})

    def by_correlation(self, key: str) -> list[dict]:
        return [r for r in self.records.values() if r["correlation_id"] == key]


class FakeJira(FakeTool):
    def __init__(self, user="bot@acme.test", token="tok", project="ITSM") -> None:
        super().__init__()
        self.expected, self.project = basic(user, token), project
        self.issues: dict[str, dict] = {}

    def authorized(self, auth, headers, body) -> bool:
        return auth == self.expected

    def route(self, method, path, data):
        url = urlsplit(path)
        if url.path == "/rest/api/2/search" and method == "GET":
            jql = parse_qs(url.query).get("jql", [""])[0]
            label = re.search(r'labels = "([^"]+)"', jql)
            found = [{"key": k} for k, i in self.issues.items()
                     if label and label.group(1) in i["labels"]]
            return ok(200, {"issues": found[:1], "total": len(found)})
        if url.path == "/rest/api/2/issue" and method == "POST":
            fields = (data or {}).get("fields", {})
            errors = {f: "required" for f in ("summary", "issuetype", "project")
                      if not fields.get(f)}
            if fields.get("project", {}).get("key") != self.project:
                errors["project"] = "valid project is required"
            if errors:
                return ok(400, {"errorMessages": [], "errors": errors})
            key = f"{self.project}-{len(self.issues) + 1}"
            self.issues[key] = {"labels": fields.get("labels", []), "fields": fields,
                                "comments": [], "status": "Open"}
            return ok(201, {"id": str(10000 + len(self.issues)), "key": key})
        match = re.fullmatch(r"/rest/api/2/issue/([A-Z]+-\d+)/(comment|transitions)", url.path)
        issue = self.issues.get(match.group(1)) if match else None
        if match and issue is None:
            return ok(404, {"errorMessages": ["Issue does not exist"], "errors": {}})
        if match and match.group(2) == "comment":
            if method == "GET":
                return ok(200, {"comments": [{"body": b} for b in issue["comments"]]})
            if not (data or {}).get("body"):
                return ok(400, {"errorMessages": [], "errors": {"comment": "required"}})
            issue["comments"].append(data["body"])
            return ok(201, {"id": str(len(issue["comments"])), "body": data["body"]})
        if match and method == "GET":
            return ok(200, {"transitions": [{"id": "31", "name": "Resolve"}]}
                      if issue["status"] == "Open" else {"transitions": []})
        if match and method == "POST":
            if (data or {}).get("transition", {}).get("id") != "31":
                return ok(400, {"errorMessages": ["invalid transition"], "errors": {}})
            issue["status"] = "Resolved"
            return 204, {}, ""
        return ok(404, {"errorMessages": [f"no {method} {url.path}"], "errors": {}})

    def by_label(self, label: str) -> list[dict]:
        return [i for i in self.issues.values() if label in i["labels"]]


class FakeWebhook(FakeTool):
    """Verifies the HMAC signature; creates one ticket per correlation id it sees FIRST in a
    create (ticket_id null) — a second create for the same id is a duplicate ticket."""

    def __init__(self, secret: str = "hook-secret") -> None:
        super().__init__()
        self.secret = secret.encode()
        self.tickets: dict[str, list[dict]] = {}
        self.seen_events: set[str] = set()
        self.redeliveries = 0

    def authorized(self, auth, headers, body) -> bool:
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(headers.get("x-webcare-signature", ""), expected)

    def route(self, method, path, data):
        if method != "POST" or not isinstance(data, dict):
            return ok(405, {"error": "POST a JSON object"})
        missing = [f for f in ("event_id", "kind", "correlation_id", "incident") if f not in data]
        if missing:
            return ok(422, {"error": f"missing {missing}"})
        if data["event_id"] in self.seen_events:
            self.redeliveries += 1
        self.seen_events.add(data["event_id"])
        events = self.tickets.setdefault(data["correlation_id"], [])
        events.append(data)
        return ok(200, {"ticket_id": "T-" + hashlib.md5(data["correlation_id"].encode())
                        .hexdigest()[:8]})

    def creates(self, key: str) -> int:
        return sum(1 for e in self.tickets.get(key, []) if e["ticket_id"] is None)


class Server:
    """Serve a :class:`FakeTool` on 127.0.0.1:<free port> in a thread."""

    def __init__(self, tool: FakeTool) -> None:
        self.tool = tool
        handler = type("Handler", (_Handler,), {"tool": tool})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(QuietHandler):
    tool: FakeTool

    def _serve(self) -> None:
        headers, body = read_request(self)
        send_reply(self, *self.tool.handle(self.command, self.path, headers, body))

    do_GET = do_POST = do_PATCH = do_PUT = _serve
