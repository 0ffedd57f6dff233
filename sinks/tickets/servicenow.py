"""ServiceNow Table API sink: ``POST /api/now/table/incident`` once, then ``PATCH`` by sys_id.

Called by the delivery loop per outbox entry. Before creating, it looks the incident up by
``correlation_id`` (the incident key), so a crash between the create and storing the sys_id
never opens a second ticket. Updates and the resolution PATCH the same record (fields plus a
work note; resolution sets ``state``/``close_code``/``close_notes``). Auth: basic (user +
password) or an OAuth bearer token. Failures: see :mod:`schemas.plumbing.http`.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote

from pydantic import Field

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

TABLE = "/api/now/table/incident"


class ServiceNowConfig(TicketConfigBase):
    """``{type: servicenow, url: https://acme.service-now.com, user: webcare}``."""

    type: Literal["servicenow"] = "servicenow"
    auth: Literal["basic", "oauth"] = "basic"
    user: str | None = None
    password_env: str = "SERVICENOW_PASSWORD"
    password_file: str | None = None
    token_env: str = Field(default="SERVICENOW_TOKEN", description="OAuth access token (oauth)")
    token_file: str | None = None
    categories: dict[str, str] = Field(
        default={"outage": "network", "security": "security", "billing": "inquiry"},
        description="incident topic → ServiceNow category")
    default_category: str = "inquiry"
    assignment_group: str | None = None
    resolved_state: str = "6"
    close_code: str = "Solved (Permanently)"


def correlation_id(key: str) -> str:
    """ServiceNow's correlation_id holds 100 characters; longer keys use their tag."""
    return key if len(key) <= 100 else tag(key)


def parse_record(response: http.Response) -> str:
    """sys_id from a create/update answer ``{"result": {"sys_id": ...}}``; Rejected if absent."""
    data = response.json()
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("sys_id"), str) \
            or not result["sys_id"]:
        raise http.Rejected(response.status, response.body, "no result.sys_id in the response")
    return result["sys_id"]


def parse_lookup(response: http.Response) -> str | None:
    """sys_id of the first record of a query answer ``{"result": [...]}``, None if empty."""
    data = response.json()
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, list):
        raise http.Rejected(response.status, response.body, "no result list in the response")
    for record in result:
        if isinstance(record, dict) and isinstance(record.get("sys_id"), str) and record["sys_id"]:
            return record["sys_id"]
    return None


class ServiceNowSink:
    def __init__(self, config: ServiceNowConfig) -> None:
        self.config, self.name = config, config.sink_name
        if config.auth == "oauth":
            token = secret(config.token_env, config.token_file)
            self._auth = lambda: f"Bearer {token.get_secret_value()}"
        else:
            password = secret(config.password_env, config.password_file)
            self._auth = lambda: basic_auth(config.user or "", password)

    def call(self, method: str, path: str, body=None) -> http.Response:
        response = http.request(method, self.config.url.rstrip("/") + path,
                                {"Authorization": self._auth()}, body, self.config.timeout)
        return http.check(response)

    def deliver(self, entry: Entry, ticket_id: str | None) -> str:
        """Create or update the incident record; returns its sys_id."""
        if ticket_id is None:
            ticket_id = self.lookup(entry.incident.key)
            if ticket_id is None:
                return parse_record(self.call("POST", TABLE, self.fields(entry, create=True)))
        parse_record(self.call("PATCH", f"{TABLE}/{ticket_id}", self.fields(entry)))
        return ticket_id

    def lookup(self, key: str) -> str | None:
        """sys_id of an existing record with this correlation_id (crash recovery)."""
        query = quote(f"correlation_id={correlation_id(key)}", safe="=")
        return parse_lookup(self.call(
            "GET", f"{TABLE}?sysparm_query={query}&sysparm_fields=sys_id,number&sysparm_limit=1"))

    def fields(self, entry: Entry, create: bool = False) -> dict:
        i, c = entry.incident, self.config
        level = str(LEVEL.get(i.urgency, 3))
        body = {"short_description": short(i.title, 160), "description": describe(i),
                "urgency": level, "impact": level,
                "category": c.categories.get(i.topic, c.default_category),
                "contact_type": "social", "correlation_id": correlation_id(i.key)}
        if c.assignment_group:
            body["assignment_group"] = c.assignment_group
        if not create:
            body["work_notes"] = update_note(entry)
        if entry.kind == "resolved":
            body.update(state=c.resolved_state, close_code=c.close_code,
                        close_notes=i.reasons[-1] if i.reasons else "resolved by webcare")
        return body
