"""Generic webhook sink: one signed JSON POST per incident event.

Called by the delivery loop per outbox entry. The body is ``{event_id, kind,
correlation_id, ticket_id, incident}``; ``X-Webcare-Signature: sha256=<hex HMAC-SHA256 of the
exact body with the shared secret>`` lets the receiver verify it, ``X-Webcare-Event-Id`` (=
``event_id``) lets it drop a redelivery. The receiver may answer ``{"ticket_id": ...}`` (or
``id``); otherwise the correlation id stands in as the ticket id. Retries come from the
outbox like every sink: 429/5xx/timeouts later, other 4xx are dead letters.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Literal

from pydantic import Field, SecretStr

from schemas.plumbing import http
from schemas.plumbing.credentials import secret
from sinks.tickets.base import Entry, TicketConfigBase

SIGNATURE_HEADER = "X-Webcare-Signature"


class WebhookTicketConfig(TicketConfigBase):
    """``{type: webhook, url: https://hooks.example.com/webcare}``; the secret from the env."""

    type: Literal["webhook"] = "webhook"
    secret_env: str = "WEBCARE_TICKET_WEBHOOK_SECRET"
    secret_file: str | None = None
    headers: dict[str, str] = Field(default_factory=dict, description="extra, not secret")


def sign(body: bytes, key: SecretStr) -> str:
    """The signature header value for ``body``."""
    digest = hmac.new(key.get_secret_value().encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def parse_ticket(response: http.Response, fallback: str) -> str:
    """``ticket_id`` or ``id`` from a JSON object answer; ``fallback`` for any other body."""
    try:
        data = json.loads(response.body) if response.body.strip() else None
    except ValueError:
        return fallback
    if isinstance(data, dict):
        for name in ("ticket_id", "id"):
            value = data.get(name)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
                return str(value)
    return fallback


class WebhookTicketSink:
    def __init__(self, config: WebhookTicketConfig) -> None:
        self.config, self.name = config, config.sink_name
        self._secret = secret(config.secret_env, config.secret_file)

    def deliver(self, entry: Entry, ticket_id: str | None) -> str:
        """POST the signed event; returns the receiver's ticket id (or the correlation id)."""
        data = self.body(entry, ticket_id)
        headers = {**self.config.headers, SIGNATURE_HEADER: sign(data, self._secret),
                   "X-Webcare-Event-Id": entry.event_id, "Content-Type": "application/json"}
        response = http.check(http.request("POST", self.config.url, headers,
                                           timeout=self.config.timeout, data=data))
        return parse_ticket(response, ticket_id or entry.incident.key)

    @staticmethod
    def body(entry: Entry, ticket_id: str | None) -> bytes:
        return json.dumps({"event_id": entry.event_id, "kind": entry.kind,
                           "correlation_id": entry.incident.key, "ticket_id": ticket_id,
                           "at": entry.event_at.isoformat(),
                           "incident": entry.incident.model_dump(mode="json")},
                          sort_keys=True).encode("utf-8")
