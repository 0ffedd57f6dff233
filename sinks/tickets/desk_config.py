"""``round_trip:`` in a ``tickets:`` entry: read the ticket's state back from the service desk.

Read at config load with the entry (:class:`sinks.tickets.base.TicketConfigBase`). With
``enabled: true`` the desk owns the ticket's state: the status reader (:mod:`sinks.tickets.desk`)
polls the ticket every ``poll_minutes`` (and ``webcare tickets sync`` on demand), the app takes
the tool's webhook at ``POST /api/v1/ticket-events/<sink name>`` (shared secret from
``inbound_secret_env`` / ``inbound_secret_file``), and a quiet-volume resolution no longer
closes the ticket: it adds a note proposing the resolution, and the incident resolves when the
desk resolves the ticket. ``resolved``: the tool's states that mean resolved (default per tool:
ServiceNow ``6``/``7``, Jira any status in the ``done`` category, RT ``resolved``/``rejected``,
webhook ``resolved``). Pure config: no I/O here.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_RESOLVED = {"servicenow": ["6", "7"], "jira": [], "rt": ["resolved", "rejected"],
                    "webhook": ["resolved"], "rest": ["resolved"]}


class RoundTrip(BaseModel):
    """``round_trip: {enabled: true, poll_minutes: 5}`` on a ticket sink."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=False, description="read the desk's state back")
    poll_minutes: float = Field(default=5.0, ge=0, le=1440,
                                description="poll open incidents' tickets this often (0: only "
                                "the inbound webhook and `webcare tickets sync`)")
    max_age_days: float = Field(default=14.0, gt=0, description="stop polling a ticket whose "
                                "incident saw no report for this long")
    resolved: list[str] | None = Field(default=None, description="tool states meaning resolved "
                                       "(default: per tool)")
    inbound_secret_env: str | None = Field(default=None, description="secret of the inbound "
                                           "webhook (default: WEBCARE_TICKET_EVENTS_<NAME>)")
    inbound_secret_file: str | None = None

    def resolved_states(self, tool: str) -> list[str]:
        return DEFAULT_RESOLVED.get(tool, ["resolved"]) if self.resolved is None \
            else self.resolved

    def secret_env(self, sink_name: str) -> str:
        return self.inbound_secret_env or "WEBCARE_TICKET_EVENTS_" + re.sub(
            r"[^A-Za-z0-9]", "_", sink_name).upper()
