"""``type: rest``: a ticket sink for any REST ITSM tool, configured entirely in YAML.

Called by the delivery loop per outbox entry, like every sink. Each operation is a list of
calls (:class:`sinks.tickets.rest_calls.Call`: method, path, query, headers, Jinja2 body):

* ``lookup`` (optional) runs before a create: its call with ``id`` finds a ticket opened before
  a crash (search by ``incident.tag`` or ``incident.key``); no id found means there is none.
* ``create`` opens the ticket; its call with ``id`` gives the ticket id (JSONPath or header).
  A 2xx answer without one is a dead letter with the body.
* ``update`` runs for later events, ``resolve`` for the resolution (default: the update calls),
  with ``ticket_id`` set; the first event of an incident that is already an update or a
  resolution creates the ticket and then runs those calls too.

Calls of one operation run in order; ``extract`` passes values (``vars.name``) to the next
ones. Every request carries the ``auth`` header (:mod:`sinks.tickets.rest_auth`); a 401 with a
token flow fetches a new token and retries once. Answers are judged by
:func:`schemas.plumbing.http.check`: 429/5xx/timeouts retry with backoff and ``Retry-After``,
other 4xx are dead letters. A retried update may repeat a call that had succeeded before the
failing one (e.g. a work note twice); it never opens a second ticket.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from schemas.plumbing import http
from sinks.tickets.base import Entry, TicketConfigBase
from sinks.tickets.rest_auth import AuthConfig, NoAuth, build_auth
from sinks.tickets.rest_calls import Call, Prepared
from sinks.tickets.rest_status import RestRoundTrip
from sinks.tickets.rest_templates import RenderError, context, sample_contexts

OPERATIONS = {"lookup": ("opened", "updated", "resolved"), "create": ("opened", "updated",
              "resolved"), "update": ("opened", "updated"), "resolve": ("resolved",)}


class RestTicketConfig(TicketConfigBase):
    """``{type: rest, url: https://itsm.example.com, auth: {...}, create: {...}, update: ...}``."""

    type: Literal["rest"] = "rest"
    auth: AuthConfig = Field(default_factory=NoAuth)
    headers: dict[str, str] = Field(default_factory=dict, description="on every call, not secret")
    params: dict[str, Any] = Field(default_factory=dict,
                                   description="constants and maps for the templates (params.x)")
    lookup: list[Call] = Field(default_factory=list)
    create: list[Call] = Field(min_length=1)
    update: list[Call] = Field(default_factory=list, description="empty: updates are not sent")
    resolve: list[Call] | None = Field(default=None, description="default: the update calls")
    round_trip: RestRoundTrip = Field(default_factory=RestRoundTrip)  # status read back

    @field_validator("lookup", "create", "update", "resolve", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _dry_run(self) -> RestTicketConfig:
        """Every template renders, to JSON where it is a body, for a sample incident."""
        for name in ("lookup", "create"):
            calls = getattr(self, name)
            if calls and not any(call.id for call in calls):
                raise ValueError(f"{name}: one call needs `id` (where the ticket id is)")
        for name, kinds in OPERATIONS.items():
            calls = getattr(self, name) if name != "resolve" else self.resolve_calls
            ticket = None if name in ("lookup", "create") else "T-1"
            variables: dict[str, Any] = {}
            for index, call in enumerate(calls):
                for ctx in sample_contexts(kinds, ticket, variables, self.params):
                    try:
                        call.prepare(ctx)
                    except RenderError as error:
                        raise ValueError(f"{name}.{index}.{error}") from error
                variables.update({var: f"sample-{var}" for var in call.extract})
                if call.id and name == "create":
                    ticket = "T-1"
        for ctx in sample_contexts(("updated",), "T-1", {}, self.params):  # round-trip status
            try:
                self.round_trip.status and self.round_trip.status.prepare(ctx)
            except RenderError as error:
                raise ValueError(f"round_trip.status.{error}") from error
        return self

    @property
    def resolve_calls(self) -> list[Call]:
        return self.update if self.resolve is None else self.resolve


class RestTicketSink:
    def __init__(self, config: RestTicketConfig,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config, self.name = config, config.sink_name
        self.auth = build_auth(config.auth, config.url, config.timeout, clock)

    def deliver(self, entry: Entry, ticket_id: str | None) -> str:
        """Find or create the ticket, then update or resolve it; returns its id."""
        if ticket_id is None:
            ticket_id = self.run(self.config.lookup, entry, None)
            if ticket_id is None:
                ticket_id = self.run(self.config.create, entry, None, id_required=True)
                assert ticket_id is not None  # a create without its id raised Rejected
                if entry.kind == "opened":
                    return ticket_id
        calls = self.config.resolve_calls if entry.kind == "resolved" else self.config.update
        self.run(calls, entry, ticket_id)
        return ticket_id

    def run(self, calls: list[Call], entry: Entry, ticket_id: str | None,
            id_required: bool = False) -> str | None:
        """Send the calls in order; returns the id found (lookup/create) or ``ticket_id``.

        An id rule that finds nothing ends a lookup with None (no such ticket); in a create
        (``id_required``) it is a dead letter with the body.
        """
        variables: dict[str, Any] = {}
        for call in calls:
            ctx = context(entry, ticket_id, variables, self.config.params)
            response = self.send(call.prepare(ctx))
            variables.update(call.variables(response))
            if call.id is not None:
                ticket_id = call.id.require(response) if id_required else call.id.find(response)
                if ticket_id is None:
                    return None
        return ticket_id

    def send(self, prepared: Prepared) -> http.Response:
        """One request with the auth header; a 401 with a refreshable token is retried once."""
        url = self.config.url.rstrip("/") + prepared.target
        response = self._request(prepared, url)
        if response.status == 401 and self.auth.invalidate():
            response = self._request(prepared, url)
        return http.check(response)

    def _request(self, prepared: Prepared, url: str) -> http.Response:
        headers = {**self.config.headers, **self.auth.headers(), **prepared.headers}
        return http.request(prepared.method, url, headers, timeout=self.config.timeout,
                            data=prepared.data)
