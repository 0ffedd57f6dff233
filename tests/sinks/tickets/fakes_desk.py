"""Contract fakes of the service desk side of the ticket round trip (issue 21), on 127.0.0.1.

* :class:`DeskServiceNow`: the ServiceNow fake plus ``GET /api/now/table/incident/{sys_id}``
  with ``sysparm_fields`` (only those fields come back, as strings, like the Table API); 404
  ``No Record found`` for an unknown sys_id.
* :class:`DeskJira`: the Jira fake plus ``GET /rest/api/2/issue/{key}?fields=status,resolution``
  (the status with its ``statusCategory``; ``fields`` is required by this fake so a reader that
  asks for the whole issue fails).
* :class:`DeskRest`: a small REST ITSM tool (bearer token): ``POST /api/tickets``,
  ``POST /api/tickets/{id}/notes``, ``PATCH /api/tickets/{id}`` and ``GET /api/tickets/{id}``
  answering ``{"ticket": {"id", "state", "resolution"}}`` with states New / In Progress /
  Closed / Cancelled.

``desk_resolve`` is what a service-desk agent does in the tool's UI.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.sinks.tickets.fakes import FakeJira, FakeServiceNow, FakeTool, ok

CATEGORY = {"Open": "new", "In Progress": "indeterminate", "Resolved": "done", "Done": "done"}


class DeskServiceNow(FakeServiceNow):
    def route(self, method, path, data):
        url = urlsplit(path)
        match = re.fullmatch(r"/api/now/table/incident/(\w+)", url.path)
        if match and method == "GET":
            record = self.records.get(match.group(1))
            if record is None:
                return ok(404, {"error": {"message": "No Record found"}})
            fields = parse_qs(url.query).get("sysparm_fields", [""])[0].split(",")
            return ok(200, {"result": {f: str(record.get(f, "")) for f in fields if f}})
        return super().route(method, path, data)

    def desk_resolve(self, sys_id: str, state: str = "6",
                     close_code: str = "Solved (Permanently)") -> None:
        self.records[sys_id].update(state=state, close_code=close_code)


class DeskJira(FakeJira):
    def route(self, method, path, data):
        url = urlsplit(path)
        match = re.fullmatch(r"/rest/api/2/issue/([A-Z]+-\d+)", url.path)
        if match and method == "GET":
            issue = self.issues.get(match.group(1))
            if issue is None:
                return ok(404, {"errorMessages": ["Issue does not exist"], "errors": {}})
            if "status" not in parse_qs(url.query).get("fields", [""])[0]:
                return ok(400, {"errorMessages": ["ask for fields=status"], "errors": {}})
            status = issue["status"]
            return ok(200, {"key": match.group(1), "fields": {
                "status": {"name": status, "statusCategory": {"key": CATEGORY[status]}},
                "resolution": {"name": issue["resolution"]} if issue.get("resolution")
                else None}})
        return super().route(method, path, data)

    def desk_resolve(self, key: str, status: str = "Done", resolution: str = "Fixed") -> None:
        self.issues[key].update(status=status, resolution=resolution)


class DeskRest(FakeTool):
    STATES = ("New", "In Progress", "Closed", "Cancelled")

    def __init__(self, token: str = "rest-token") -> None:
        super().__init__()
        self.token, self.tickets = token, {}

    def authorized(self, auth, headers, body) -> bool:
        return auth == f"Bearer {self.token}"

    def route(self, method, path, data):
        url = urlsplit(path)
        if url.path == "/api/tickets" and method == "POST":
            if not (data or {}).get("title") or not (data or {}).get("key"):
                return ok(422, {"error": "title and key are required"})
            ticket = {"id": f"R-{len(self.tickets) + 1}", "state": "New", "notes": [],
                      "key": data["key"], "title": data["title"]}
            self.tickets[ticket["id"]] = ticket
            return ok(201, {"ticket": {"id": ticket["id"]}})
        if url.path == "/api/tickets" and method == "GET":
            key = parse_qs(url.query).get("key", [""])[0]
            return ok(200, {"items": [{"id": t["id"]} for t in self.tickets.values()
                                      if t["key"] == key]})
        match = re.fullmatch(r"/api/tickets/([\w-]+)(/notes)?", url.path)
        ticket = self.tickets.get(match.group(1)) if match else None
        if match and ticket is None:
            return ok(404, {"error": "no such ticket"})
        if match and match.group(2) and method == "POST":
            ticket["notes"].append((data or {}).get("text", ""))
            return ok(201, {"ok": True})
        if match and method == "PATCH":
            if (data or {}).get("state") not in self.STATES:
                return ok(422, {"error": f"state must be one of {self.STATES}"})
            ticket["state"] = data["state"]
            return ok(200, {"ticket": ticket})
        if match and method == "GET":
            return ok(200, {"ticket": {"id": ticket["id"], "state": ticket["state"],
                                       "resolution": ticket.get("resolution")}})
        return ok(404, {"error": f"no {method} {url.path}"})

    def desk_resolve(self, ticket_id: str, state: str = "Closed",
                     resolution: str = "Router firmware rolled back") -> None:
        self.tickets[ticket_id].update(state=state, resolution=resolution)


REST_CONFIG = {
    "type": "rest", "name": "my-itsm",
    "auth": {"type": "bearer", "token_env": "DESK_REST_TOKEN"},
    "lookup": {"method": "GET", "path": "/api/tickets", "query": {"key": "{{ incident.key }}"},
               "id": {"jsonpath": "$.items[0].id"}},
    "create": {"method": "POST", "path": "/api/tickets",
               "body": '{"title": {{ incident.title | tojson }}, "key": {{ incident.key | tojson }}}',
               "id": {"jsonpath": "$.ticket.id"}},
    "update": {"method": "POST", "path": "/api/tickets/{{ ticket_id }}/notes",
               "body": '{"text": {{ event.note | tojson }}}'},
    "resolve": [{"method": "POST", "path": "/api/tickets/{{ ticket_id }}/notes",
                 "body": '{"text": {{ event.note | tojson }}}'},
                {"method": "PATCH", "path": "/api/tickets/{{ ticket_id }}",
                 "body": '{"state": "Closed"}'}],
    "round_trip": {"enabled": True, "status": {"method": "GET",
                                               "path": "/api/tickets/{{ ticket_id }}"},
                   "status_path": "$.ticket.state", "resolved": ["Closed", "Cancelled"],
                   "detail_path": "$.ticket.resolution"},
}
