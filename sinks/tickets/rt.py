"""Request Tracker 5 REST2 sink: create a ticket once, comment/correspond, resolve.

Called by the delivery loop per outbox entry. The subject ends in ``[webcare-<hash of the
incident key>]``; before creating, a TicketSQL search on that tag finds a ticket created
before a crash, so the incident never gets a second ticket. Updates add a comment (internal,
default) or a correspondence (mails the requestors: ``update_as: correspond``); the resolution
adds the note and then sets ``Status`` (the note first: correspondence on a resolved ticket
would reopen it). Auth: basic (user + password) or an RT auth token.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from schemas.plumbing import http
from schemas.plumbing.credentials import secret
from sinks.tickets.base import (
    LEVEL,
    Entry,
    TicketConfigBase,
    basic_auth,
    describe,
    short,
    tag,
    update_note,
)

API = "/REST/2.0"


class RtConfig(TicketConfigBase):
    """``{type: rt, url: https://rt.example.com, queue: General, user: webcare}``."""

    type: Literal["rt"] = "rt"
    queue: str = "General"
    auth: Literal["basic", "token"] = "basic"
    user: str = "root"
    password_env: str = "RT_PASSWORD"
    password_file: str | None = None
    token_env: str = "RT_TOKEN"
    token_file: str | None = None
    update_as: Literal["comment", "correspond"] = "comment"
    resolved_status: str = "resolved"


def parse_id(response: http.Response) -> str:
    """The ticket id of ``{"type": "ticket", "id": "7", ...}``; Rejected if absent."""
    data = response.json()
    value = data.get("id") if isinstance(data, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.isdigit():
        raise http.Rejected(response.status, response.body, "no ticket id in the response")
    return value


def parse_search(response: http.Response) -> str | None:
    """The lowest ticket id of a ``{"items": [{"id": ...}]}`` page, None if empty."""
    data = response.json()
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise http.Rejected(response.status, response.body, "no items in the search response")
    ids = [int(i["id"]) for i in items if isinstance(i, dict)
           and str(i.get("id", "")).isdigit()]
    return str(min(ids)) if ids else None


class RtSink:
    def __init__(self, config: RtConfig) -> None:
        self.config, self.name = config, config.sink_name
        if config.auth == "token":
            token = secret(config.token_env, config.token_file)
            self._auth = lambda: f"token {token.get_secret_value()}"
        else:
            password = secret(config.password_env, config.password_file)
            self._auth = lambda: basic_auth(config.user, password)

    def call(self, method: str, path: str, body=None) -> http.Response:
        response = http.request(method, self.config.url.rstrip("/") + API + path,
                                {"Authorization": self._auth()}, body, self.config.timeout)
        return http.check(response)

    def deliver(self, entry: Entry, ticket_id: str | None) -> str:
        """Create the ticket (or find it), else add the note; resolve last."""
        if ticket_id is None:
            ticket_id = self.lookup(entry.incident.key)
            if ticket_id is None:
                ticket_id = parse_id(self.call("POST", "/ticket", self.create_body(entry)))
                if entry.kind != "resolved":
                    return ticket_id
        if entry.kind != "opened":
            self.call("POST", f"/ticket/{ticket_id}/{self.config.update_as}",
                       {"Content": update_note(entry), "ContentType": "text/plain"})
        if entry.kind == "resolved":
            self.call("PUT", f"/ticket/{ticket_id}", {"Status": self.config.resolved_status})
        return ticket_id

    def lookup(self, key: str) -> str | None:
        query = quote(f"Queue = '{self.config.queue}' AND Subject LIKE '{tag(key)}'")
        return parse_search(self.call("GET", f"/tickets?query={query}&fields=id"))

    def create_body(self, entry: Entry) -> dict:
        i = entry.incident
        return {"Queue": self.config.queue, "Subject": f"{short(i.title, 180)} [{tag(i.key)}]",
                "Content": describe(i), "ContentType": "text/plain",
                "Priority": {1: 90, 2: 50, 3: 20}[LEVEL.get(i.urgency, 3)]}
