"""What every ticket sink shares: the config keys, the entry it delivers, the text it sends.

A sink is built once from its ``tickets:`` entry (:mod:`sinks.tickets.registry`) and then
called by the delivery loop with one :class:`Entry` at a time and the ticket id stored for
that incident (None before the ticket exists). It returns the ticket id; it raises
:class:`schemas.plumbing.http.Retryable` (try later) or :class:`schemas.plumbing.http.Rejected`
(dead letter). Secrets are resolved from the environment or files when the sink is built and
held as ``SecretStr``; a missing one raises :class:`schemas.plumbing.credentials.MissingCredential`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from schemas import Incident
from sinks.tickets.desk_config import RoundTrip

EventKind = Literal["opened", "updated", "resolved"]
LEVEL = {"critical": 1, "high": 1, "medium": 2, "low": 3}  # ITSM 1 (high) .. 3 (low)


class TicketConfigBase(BaseModel):
    """Keys every ``tickets:`` entry takes (plus its own ``type`` and API keys)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, description="outbox name (default: the type)")
    url: str = Field(description="base URL of the tool, e.g. https://acme.service-now.com")
    timeout: float = Field(default=10.0, gt=0, le=300, description="seconds per request")
    backoff_initial: float = Field(default=2.0, gt=0, description="first retry delay, s")
    backoff_max: float = Field(default=300.0, gt=0, description="retry delay cap, s")
    give_up_hours: float = Field(default=72.0, gt=0,
                                 description="retrying entries older than this become dead")
    round_trip: RoundTrip = Field(default_factory=RoundTrip, description="read the desk's "
                                  "ticket state back (issue 21)")

    @property
    def sink_name(self) -> str:
        return self.name or self.type  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Entry:
    """One outbox entry: an incident event for one sink, delivered in ``seq`` order."""

    seq: int
    sink: str
    event_id: str
    kind: EventKind
    incident: Incident
    event_at: datetime
    attempts: int = 0


class TicketSink(Protocol):
    name: str

    def deliver(self, entry: Entry, ticket_id: str | None) -> str:
        """Create (ticket_id None) or update the ticket; returns its id."""


def basic_auth(user: str, password: SecretStr) -> str:
    raw = f"{user}:{password.get_secret_value()}".encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def tag(key: str) -> str:
    """A short, search-safe correlation tag for tools whose search cannot take the raw key."""
    return "webcare-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def describe(incident: Incident) -> str:
    """The long text of a ticket: what, since when, how many, where, why."""
    lines = [incident.title, "",
             f"Incident key: {incident.key}",
             f"Status: {incident.status}  urgency: {incident.urgency}  kind: {incident.kind}",
             f"Reports: {incident.post_count} from {incident.first_seen:%Y-%m-%d %H:%M} to "
             f"{incident.last_seen:%Y-%m-%d %H:%M} UTC",
             f"Platforms: {', '.join(incident.platforms) or '-'}  "
             f"languages: {', '.join(incident.languages) or '-'}"]
    if incident.sentiment:
        lines.append("Sentiment: " + ", ".join(f"{k} {v:g}" for k, v in incident.sentiment.items()))
    if incident.sample_post_ids:
        lines.append("Sample posts: " + ", ".join(incident.sample_post_ids))
    lines += ["", "Why:"] + [f"- {reason}" for reason in incident.reasons]
    return "\n".join(lines)


def update_note(entry: Entry) -> str:
    """The comment added to an existing ticket for an update or a resolution."""
    i = entry.incident
    head = {"opened": "Incident (re)opened", "updated": "Incident updated",
            "resolved": "Incident resolved"}[entry.kind]
    if entry.kind == "updated" and i.status == "resolved":  # quiet volume under round trip
        head = "Report volume back to normal: webcare proposes to resolve (resolve the ticket)"
    note = (f"{head} at {entry.event_at:%Y-%m-%d %H:%M} UTC: {i.post_count} reports, last "
            f"{i.last_seen:%H:%M} UTC, urgency {i.urgency}, platforms "
            f"{', '.join(i.platforms) or '-'}.")
    if entry.kind == "resolved" and i.reasons:
        note += f" {i.reasons[-1]}"
    return note


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
