"""The ``tickets:`` config list: one entry per ticket sink, chosen by ``type``.

Read once at config load (names must be unique: they key the outbox) and when the pipeline or
``webcare tickets`` builds the sinks. Building resolves the secrets; a missing one raises
:class:`schemas.plumbing.credentials.MissingCredential` naming the variable, before anything is sent.
Config load imports the tool modules (light: the config models and the sink classes, HTTP
through :mod:`schemas.plumbing.http`), not the delivery loop with its outbox and desk round
trip: :func:`policies` imports :mod:`sinks.tickets.delivery` when the loop is wired.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Union

from pydantic import AfterValidator, Field

from schemas.plumbing.config_lists import unique_by
from sinks.tickets.base import TicketSink
from sinks.tickets.jira import JiraConfig, JiraSink
from sinks.tickets.rt import RtConfig, RtSink
from sinks.tickets.servicenow import ServiceNowConfig, ServiceNowSink
from sinks.tickets.templated import RestTicketConfig, RestTicketSink
from sinks.tickets.webhook import WebhookTicketConfig, WebhookTicketSink

if TYPE_CHECKING:
    from sinks.tickets.delivery import Policy

TICKET_SINKS = {"servicenow": ServiceNowSink, "jira": JiraSink, "rt": RtSink,
                "webhook": WebhookTicketSink, "rest": RestTicketSink}
TicketConfig = Annotated[Union[ServiceNowConfig, JiraConfig, RtConfig, WebhookTicketConfig,
                               RestTicketConfig], Field(discriminator="type")]


TicketList = Annotated[list[TicketConfig], AfterValidator(
    unique_by(lambda c: c.sink_name, "ticket sink names"))]


def build_sinks(configs: list) -> dict[str, TicketSink]:
    """Sink objects by name; raises MissingCredential when a secret is not set."""
    return {c.sink_name: TICKET_SINKS[c.type](c) for c in configs}


def policies(configs: list) -> dict[str, Policy]:
    """The retry policy of each sink, by name (read by the delivery loop)."""
    from sinks.tickets.delivery import Policy

    return {c.sink_name: Policy(c.backoff_initial, c.backoff_max, c.give_up_hours)
            for c in configs}
