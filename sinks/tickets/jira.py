"""Jira Service Management sink: create an issue once, comment on updates, transition on resolve.

Called by the delivery loop per outbox entry. The issue carries the label ``webcare-<hash of
the incident key>``; before creating, a JQL search on that label finds an issue created before
a crash. Comments carry ``[webcare-event <hash>]`` and are skipped when already present, so a
retried update never adds a second comment. On resolve, ``resolve_transition`` (name or id),
if configured, is applied; a transition that does not exist is a dead letter naming the ones
that do. Auth: basic (email + API token) or bearer (a Data Center personal access token).
"""

from __future__ import annotations

import hashlib
from typing import Literal
from urllib.parse import quote

from pydantic import Field

from schemas.plumbing import http
from schemas.plumbing.credentials import secret
from sinks.tickets.base import (
    Entry,
    TicketConfigBase,
    basic_auth,
    describe,
    short,
    tag,
    update_note,
)

API = "/rest/api/2"


class JiraConfig(TicketConfigBase):
    """``{type: jira, url: https://acme.atlassian.net, project: ITSM, user: bot@acme.com}``."""

    type: Literal["jira"] = "jira"
    project: str
    issue_type: str = "Incident"
    auth: Literal["basic", "bearer"] = "basic"
    user: str | None = None
    token_env: str = "JIRA_API_TOKEN"
    token_file: str | None = None
    search_path: str = f"{API}/search"  # Jira Cloud: /rest/api/3/search/jql
    resolve_transition: str | None = None
    priorities: dict[str, str] = Field(default_factory=dict,
                                       description="urgency → Jira priority (empty: not sent)")


def marker(entry: Entry) -> str:
    return "[webcare-event " + hashlib.sha256(entry.event_id.encode()).hexdigest()[:12] + "]"


def parse_created(response: http.Response) -> str:
    """The issue key from ``{"id": ..., "key": "ITSM-1"}``; Rejected if absent."""
    data = response.json()
    if not isinstance(data, dict) or not isinstance(data.get("key"), str) or not data["key"]:
        raise http.Rejected(response.status, response.body, "no issue key in the response")
    return data["key"]


def parse_search(response: http.Response) -> str | None:
    """The first issue key of ``{"issues": [{"key": ...}]}``, None if there is none."""
    data = response.json()
    issues = data.get("issues") if isinstance(data, dict) else None
    if not isinstance(issues, list):
        raise http.Rejected(response.status, response.body, "no issues list in the response")
    keys = [i["key"] for i in issues if isinstance(i, dict) and isinstance(i.get("key"), str)]
    return keys[0] if keys else None


def parse_transitions(response: http.Response) -> dict[str, str]:
    """``{"transitions": [{"id", "name"}]}`` as name → id (ids map to themselves too)."""
    data = response.json()
    found = data.get("transitions") if isinstance(data, dict) else None
    if not isinstance(found, list):
        raise http.Rejected(response.status, response.body, "no transitions in the response")
    result: dict[str, str] = {}
    for t in found:
        if isinstance(t, dict) and isinstance(t.get("id"), str):
            result[t["id"]] = t["id"]
            result[str(t.get("name", t["id"]))] = t["id"]
    return result


class JiraSink:
    def __init__(self, config: JiraConfig) -> None:
        self.config, self.name = config, config.sink_name
        token = secret(config.token_env, config.token_file)
        self._auth = (lambda: f"Bearer {token.get_secret_value()}") if config.auth == "bearer" \
            else (lambda: basic_auth(config.user or "", token))

    def call(self, method: str, path: str, body=None) -> http.Response:
        response = http.request(method, self.config.url.rstrip("/") + path,
                                {"Authorization": self._auth()}, body, self.config.timeout)
        return http.check(response)

    def deliver(self, entry: Entry, ticket_id: str | None) -> str:
        """Create the issue (or find it), else comment; transition on resolve."""
        if ticket_id is None:
            ticket_id = self.lookup(entry.incident.key)
            if ticket_id is None:
                ticket_id = parse_created(self.call("POST", f"{API}/issue", self.fields(entry)))
                if entry.kind != "resolved":
                    return ticket_id
        if entry.kind != "opened":
            self.comment(ticket_id, entry)
        if entry.kind == "resolved" and self.config.resolve_transition:
            self.transition(ticket_id)
        return ticket_id

    def lookup(self, key: str) -> str | None:
        jql = quote(f'project = "{self.config.project}" AND labels = "{tag(key)}"')
        return parse_search(self.call("GET", f"{self.config.search_path}?jql={jql}"
                                              f"&fields=key&maxResults=1"))

    def fields(self, entry: Entry) -> dict:
        i = entry.incident
        fields = {"project": {"key": self.config.project}, "issuetype": {"name": self.config.issue_type},
                  "summary": short(i.title, 250), "description": describe(i),
                  "labels": ["webcare", tag(i.key)]}
        if i.urgency in self.config.priorities:
            fields["priority"] = {"name": self.config.priorities[i.urgency]}
        return {"fields": fields}

    def comment(self, issue: str, entry: Entry) -> None:
        """Add the update note unless a comment with this event's marker exists."""
        mark = marker(entry)
        data = self.call("GET", f"{API}/issue/{issue}/comment?maxResults=1000").json()
        bodies = [c.get("body", "") for c in (data.get("comments") or [])
                  if isinstance(c, dict)] if isinstance(data, dict) else []
        if not any(mark in str(body) for body in bodies):
            self.call("POST", f"{API}/issue/{issue}/comment",
                       {"body": f"{update_note(entry)} {mark}"})

    def transition(self, issue: str) -> None:
        wanted = self.config.resolve_transition or ""
        available = parse_transitions(self.call("GET", f"{API}/issue/{issue}/transitions"))
        if wanted not in available:
            raise http.Rejected(400, ", ".join(sorted(available)),
                                f"transition {wanted!r} not available on {issue}")
        self.call("POST", f"{API}/issue/{issue}/transitions",
                   {"transition": {"id": available[wanted]}})
