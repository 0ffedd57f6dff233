"""What the stages produce: classification, routing decision and the stored records.

Every message carries ``schema_version`` so Kafka consumers and stores can reject or migrate
records written by a different release.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.post import SCHEMA_VERSION, Post

Urgency = Literal["critical", "high", "medium", "low"]
SentimentLabel = Literal["negative", "neutral", "positive"]
Action = Literal["incident", "webcare", "monitor", "drop"]
NoiseReason = Literal["spam", "off_topic", "duplicate", "bot", "own_post", "empty"]

URGENCY_LEVELS: tuple[str, ...] = ("low", "medium", "high", "critical")


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION


class SentimentScore(BaseModel):
    """Polarity label, a compound score in [-1, 1] and calibrated class probabilities."""

    model_config = ConfigDict(extra="forbid")

    label: SentimentLabel
    compound: float = Field(ge=-1.0, le=1.0)
    probabilities: dict[str, float] = Field(default_factory=dict)
    model: str = "vader"


class Classification(_Message):
    """Everything classify/ decided about one post, with the reasons an agent can read."""

    post_id: str
    lang: str
    lang_confidence: float = Field(ge=0.0, le=1.0)
    brand: str | None = None
    noise: bool
    noise_reason: NoiseReason | None = None
    topic: str
    topic_confidence: float = Field(ge=0.0, le=1.0)
    sentiment: SentimentScore
    urgency: Urgency
    actionable: bool
    priority: int = Field(ge=0, le=100)
    complaint: float | None = Field(default=None, ge=0.0, le=1.0,
                                    description="calibrated complaint probability (en only)")
    reasons: list[str] = Field(default_factory=list)


class Decision(_Message):
    """route/'s verdict for one classified post: the action and the rule that chose it."""

    post: Post
    classification: Classification
    action: Action
    rule: str
    reasons: list[str] = Field(default_factory=list)
    incident_key: str | None = None


class QueueItem(_Message):
    """A post waiting in the webcare queue; idempotent by ``post_id``."""

    post_id: str
    platform: str
    author_handle: str
    text: str
    lang: str
    topic: str
    sentiment: str
    urgency: Urgency
    priority: int
    reasons: list[str]
    rule: str
    created_at: datetime
    status: Literal["open", "claimed", "replied", "escalated", "dismissed"] = "open"
    incident_key: str | None = None


class Incident(_Message):
    """One service-desk incident: an outage burst or a single post routed to ``incident``."""

    key: str
    kind: Literal["burst", "single"]
    brand: str | None
    topic: str
    status: Literal["open", "resolved"] = "open"
    urgency: Urgency
    title: str
    first_seen: datetime
    last_seen: datetime
    post_count: int = Field(ge=1)
    sample_post_ids: list[str] = Field(default_factory=list)
    platforms: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    sentiment: dict[str, float] = Field(
        default_factory=dict, description="share per sentiment label and mean 'compound'")


class DeadLetter(_Message):
    """A record that failed a stage: which stage, why, and the original payload, unchanged."""

    stage: str
    error_type: str
    reason: str
    payload: str
    source: str | None = None
    line: int | None = None
    post_id: str | None = None
    occurred_at: datetime
    details: dict[str, Any] = Field(default_factory=dict)
