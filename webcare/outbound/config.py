"""``outbound:`` in the config file: channels, templates, approval and reply rules.

Read once at config load; a bad channel, an unknown placeholder syntax in a template or a
duplicate channel name fails at start with the key. Channels name where their credentials are
(``*_env`` / ``*_file``), never the secrets; X, Mastodon and Bluesky take the same keys as
``app.reply.platforms`` (:mod:`ingest.reply_config`). Outbound is on when at least one
channel is configured.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from ingest.reply_config import BlueskyReply, MastodonReply, XReply
from webcare.outbound import templates

Urgency = Literal["critical", "high", "medium", "low"]
Template = Annotated[str, AfterValidator(templates.check)]


class ChannelCommon(BaseModel):
    """Keys every channel takes."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, description="unique name (default: the type)")
    replies_per_minute: int = Field(default=10, ge=1, le=10_000,
                                    description="personal replies per minute on this channel")
    max_chars: int | None = Field(default=None, ge=20, description="longer texts are cut")
    timeout: float = Field(default=20.0, gt=0, le=300, description="seconds per request")
    backoff_initial: float = Field(default=2.0, gt=0, description="first retry delay, s")
    backoff_max: float = Field(default=300.0, gt=0, description="retry delay cap, s")
    give_up_hours: float = Field(default=24.0, gt=0, description="then failed")

    @property
    def channel_name(self) -> str:
        return self.name or self.type  # type: ignore[attr-defined]


class XChannel(XReply, ChannelCommon):
    """The brand's X account (tweepy ``create_tweet``); replies to posts from X."""

    type: Literal["x"] = "x"
    max_chars: int | None = 280


class MastodonChannel(MastodonReply, ChannelCommon):
    """The brand's Mastodon account (Mastodon.py ``status_post``)."""

    type: Literal["mastodon"] = "mastodon"
    max_chars: int | None = 500


class BlueskyChannel(BlueskyReply, ChannelCommon):
    """The brand's Bluesky account (XRPC ``com.atproto.repo.createRecord``)."""

    type: Literal["bluesky"] = "bluesky"
    max_chars: int | None = 300


class FacebookPageChannel(ChannelCommon):
    """A Facebook page (Graph API ``POST /{page-id}/feed``); replies as comments
    (``POST /{comment-id}/comments``) or through the Messenger send API, within Meta's window."""

    type: Literal["facebook_page"] = "facebook_page"
    page_id: str = Field(min_length=1)
    api_base_url: str = "https://graph.facebook.com"
    api_version: str = Field(default="v21.0", pattern=r"^v\d+\.\d+$")
    page_token_env: str = "FACEBOOK_PAGE_TOKEN"
    page_token_file: str | None = None
    reply_via: Literal["comments", "messenger"] = "comments"


class EngageChannel(ChannelCommon):
    """A Viva Engage (Yammer) community: ``POST /api/v1/messages.json`` with ``group_id``."""

    type: Literal["engage_community"] = "engage_community"
    group_id: int = Field(ge=1)
    api_base_url: str = "https://www.yammer.com"
    token_env: str = "ENGAGE_TOKEN"
    token_file: str | None = None


class StatuspageWebhookChannel(ChannelCommon):
    """A status page fed by a signed JSON POST (``X-Webcare-Signature: sha256=<HMAC>``)."""

    type: Literal["statuspage_webhook"] = "statuspage_webhook"
    url: str
    secret_env: str = "WEBCARE_STATUSPAGE_SECRET"
    secret_file: str | None = None
    headers: dict[str, str] = Field(default_factory=dict, description="extra, not secret")


ChannelConfig = Annotated[Union[XChannel, MastodonChannel, BlueskyChannel, FacebookPageChannel,
                                EngageChannel, StatuspageWebhookChannel],
                          Field(discriminator="type")]
REPLY_PLATFORM = {"x": "x", "mastodon": "mastodon", "bluesky": "bluesky",
                  "facebook_page": "facebook", "engage_community": "engage"}


class LanguageTemplates(BaseModel):
    """The five texts of one language (Jinja2, sandboxed)."""

    model_config = ConfigDict(extra="forbid")

    opened: Template
    updated: Template
    resolved: Template
    reply: Template
    reply_resolved: Template


def default_templates() -> dict[str, LanguageTemplates]:
    return {lang: LanguageTemplates(**texts) for lang, texts in templates.DEFAULT_TEMPLATES.items()}


class ReplyRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="reply once to each affected poster")
    resolved_follow_up: bool = Field(default=True, description="tell them when it is resolved")
    meta_window_hours: float = Field(default=24.0, gt=0, description="Facebook/Messenger: no "
                                     "reply when the author's last post is older")


class OutboundConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channels: list[ChannelConfig] = Field(default_factory=list)
    templates: dict[str, LanguageTemplates] = Field(
        default_factory=lambda: default_templates(),
        description="per language; a language given here replaces its default texts")
    default_language: str = "en"
    language: Literal["main", "posters"] = Field(
        default="main", description="main: one draft in the incident's main language; "
        "posters: one per language of the affected posters")
    auto_publish: list[Urgency] = Field(default=["critical"], description="incident urgencies "
                                        "published without approval (strong bursts: critical)")
    publish_on_desk_resolution: bool = Field(
        default=True, description="a ticket resolved at the service desk publishes the "
        "resolution where the incident was announced; quiet volume only drafts it (issue 21)")
    status_link: str = Field(default="", description="template with {{ key }}, {{ brand }}")
    update_interval_minutes: float = Field(default=60.0, ge=0,
                                           description="min gap of update drafts per channel")
    replies: ReplyRules = Field(default_factory=ReplyRules)
    poll_seconds: float = Field(default=5.0, gt=0, le=3600, description="delivery loop")

    @field_validator("templates", mode="after")
    @classmethod
    def _with_defaults(cls, given: dict[str, LanguageTemplates]) -> dict[str, LanguageTemplates]:
        return {**default_templates(), **given}

    @model_validator(mode="after")
    def _consistent(self) -> OutboundConfig:
        names = [c.channel_name for c in self.channels]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"outbound channel names must be unique (set `name`): {duplicates}")
        if self.default_language not in self.templates:
            raise ValueError(f"default_language {self.default_language!r} has no templates")
        templates.check(self.status_link)
        return self

    def channel(self, name: str) -> ChannelConfig | None:
        return next((c for c in self.channels if c.channel_name == name), None)

    def reply_channel(self, platform: str) -> ChannelConfig | None:
        """The first channel that answers posts of ``platform`` (x, facebook, ...)."""
        return next((c for c in self.channels if REPLY_PLATFORM.get(c.type) == platform), None)
