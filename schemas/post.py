"""The normalised social-media post every ingestor produces and every stage reads.

Ingestors map platform payloads onto :class:`Post`; unknown keys in the input (for example
the ``labels`` of a labelled data set) are ignored so labelled files replay as live input.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1
MAX_TEXT_CHARS = 20_000

Platform = Literal[
    "x", "reddit", "mastodon", "bluesky", "facebook", "engage", "webhook", "feed", "chat", "other"
]


class Author(BaseModel):
    """Who wrote a post; ``followers`` is the reach signal used by urgency and priority."""

    model_config = ConfigDict(extra="ignore")

    id: str | None = None
    handle: str = Field(min_length=1, max_length=320)
    display_name: str | None = None
    followers: int = Field(default=0, ge=0)
    verified: bool = False


class Engagement(BaseModel):
    """Counts at ingest time; all optional because not every platform reports them."""

    model_config = ConfigDict(extra="ignore")

    likes: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    replies: int = Field(default=0, ge=0)
    quotes: int = Field(default=0, ge=0)


class Post(BaseModel):
    """One public post, reply or mention, normalised across platforms.

    ``id`` is the pipeline-wide key (``platform:platform_id`` unless the input names one);
    ``created_at`` is event time, the clock of every time-based rule.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    schema_version: int = SCHEMA_VERSION
    id: str = Field(min_length=1, max_length=512)
    platform: Platform = "other"
    platform_id: str | None = None
    text: str = Field(max_length=MAX_TEXT_CHARS)
    created_at: datetime
    author: Author
    lang: str | None = Field(default=None, description="language hint from the platform, if any")
    url: str | None = None
    reply_to_id: str | None = None
    conversation_id: str | None = None
    quoted_id: str | None = None
    reposted_id: str | None = None
    engagement: Engagement = Field(default_factory=Engagement)
    raw: dict[str, Any] | None = Field(default=None, description="original platform payload")

    @model_validator(mode="before")
    @classmethod
    def _default_platform_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("platform_id") is None and data.get("id"):
            data = {**data, "platform_id": str(data["id"])}
        return data

    @field_validator("created_at")
    @classmethod
    def _aware_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    @field_validator("text")
    @classmethod
    def _clean_text(cls, value: str) -> str:
        # NUL characters break C-string based stores (PostgreSQL text) and terminals.
        return value.replace("\x00", "")
