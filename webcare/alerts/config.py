"""``alerts:`` in the config file: one entry per alert (a destination, its events, its filter).

Read once at config load: an unknown key, event or type, a duplicate name or an email alert
without recipients fails at start with the key. Entries name where their secrets are
(``url_env`` / ``url_file``, ``password_env`` / ``password_file``, ``secret_env`` /
``secret_file``), never the secrets; they are resolved when the pipeline or ``webcare alerts``
builds the senders (:mod:`webcare.alerts.channels`), and a missing one stops the start naming
the alert and the variable.

    alerts:
      - {type: slack, name: oncall, url_env: SLACK_WEBHOOK_URL, events: [incident.opened],
         when: {brand: [Lumen Telecom], min_urgency: high}}
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from schemas.plumbing.config_lists import unique_by

EVENTS = ("incident.opened", "incident.updated", "incident.resolved", "item.sla_breach",
          "source.unhealthy", "dead_letters.spike")
EventName = Literal["incident.opened", "incident.updated", "incident.resolved",
                    "item.sla_breach", "source.unhealthy", "dead_letters.spike"]
Urgency = Literal["critical", "high", "medium", "low"]
URGENCY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


class When(BaseModel):
    """Which events of the subscribed kinds an alert takes. Each key narrows; a key about an
    attribute the event does not have (a brand on ``source.unhealthy``) is not applied."""

    model_config = ConfigDict(extra="forbid")

    brand: list[str] | None = Field(default=None, description="incident / item brand")
    topic: list[str] | None = Field(default=None, description="incident / item topic")
    platform: list[str] | None = Field(
        default=None, description="item platform; an incident matches if any of its posts "
        "came from one of them; an unhealthy source by its type")
    min_urgency: Urgency | None = Field(default=None, description="this urgency or higher")
    source: list[str] | None = Field(default=None, description="source names (unhealthy)")


class AlertBase(BaseModel):
    """Keys every alert takes (plus its own ``type`` and destination keys)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="unique; keys the outbox")
    events: list[EventName] = Field(min_length=1, description="what this alert delivers")
    when: When = Field(default_factory=When)
    max_per_hour: int = Field(default=20, ge=1, le=10_000,
                              description="alerts per hour; the rest are folded into a digest")
    digest_minutes: float = Field(
        default=15.0, gt=0, le=24 * 60,
        description="folded alerts are summarised at most this long after the first of them")
    sla_warning_minutes: float = Field(
        default=15.0, ge=0, description="item.sla_breach: also warn this long before the "
        "deadline (0: only at the breach)")
    rate_limited_minutes: float = Field(
        default=15.0, ge=0, description="source.unhealthy: a source rate-limited this long")
    dead_letters_per_window: int = Field(
        default=20, ge=1, description="dead_letters.spike: this many dead letters ...")
    dead_letters_window_minutes: float = Field(default=15.0, gt=0,
                                               description="... within this many minutes")
    timeout: float = Field(default=10.0, gt=0, le=120, description="seconds per send")
    backoff_initial: float = Field(default=2.0, gt=0, description="first retry delay, s")
    backoff_max: float = Field(default=300.0, gt=0, description="retry delay cap, s")
    max_attempts: int = Field(default=10, ge=1, le=1000, description="then the entry is dead")
    give_up_hours: float = Field(default=24.0, gt=0, description="retrying longer: dead")

    def wants(self, event: str) -> bool:
        return event in self.events


class SlackAlert(AlertBase):
    """A Slack incoming webhook (``https://hooks.slack.com/services/...``, a secret)."""

    type: Literal["slack"] = "slack"
    url_env: str = Field(default="SLACK_WEBHOOK_URL", description="env var with the URL")
    url_file: str | None = Field(default=None, description="or a file holding the URL")


class TeamsAlert(AlertBase):
    """A Microsoft Teams incoming webhook (Workflows or the older Office 365 connector)."""

    type: Literal["teams"] = "teams"
    url_env: str = Field(default="TEAMS_WEBHOOK_URL", description="env var with the URL")
    url_file: str | None = None
    card: Literal["adaptive", "messagecard"] = Field(
        default="adaptive", description="'adaptive': an Adaptive Card in an attachment "
        "(Workflows webhooks); 'messagecard': the legacy connector's MessageCard")


class EmailAlert(AlertBase):
    """Mail over SMTP (stdlib ``smtplib``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: Literal["email"] = "email"
    host: str
    port: int | None = Field(default=None, ge=1, le=65535,
                             description="default: 587 starttls, 465 ssl, 25 none")
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = Field(default=None, description="env var with the password")
    password_file: str | None = None
    sender: str = Field(alias="from", description="From address")
    to: list[str] = Field(min_length=1)
    subject_prefix: str = "[webcare]"

    @model_validator(mode="after")
    def _password_with_user(self) -> EmailAlert:
        if (self.password_env or self.password_file) and not self.username:
            raise ValueError("password_env/password_file need a username")
        return self

    @property
    def smtp_port(self) -> int:
        return self.port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]


class WebhookAlert(AlertBase):
    """A generic JSON POST signed with HMAC-SHA256 (see docs/alerts.md)."""

    type: Literal["webhook"] = "webhook"
    url: str | None = Field(default=None, description="the receiver (not a secret)")
    url_env: str | None = Field(default=None, description="or an env var holding the URL")
    url_file: str | None = None
    secret_env: str = Field(default="WEBCARE_ALERT_WEBHOOK_SECRET",
                            description="env var with the HMAC key")
    secret_file: str | None = None
    headers: dict[str, str] = Field(default_factory=dict, description="extra, not secret")

    @model_validator(mode="after")
    def _one_url(self) -> WebhookAlert:
        if not (self.url or self.url_env or self.url_file):
            raise ValueError("set url (or url_env / url_file)")
        return self


AlertConfig = Annotated[Union[SlackAlert, TeamsAlert, EmailAlert, WebhookAlert],
                        Field(discriminator="type")]


AlertList = Annotated[list[AlertConfig],
                      AfterValidator(unique_by(lambda c: c.name, "alert names"))]
