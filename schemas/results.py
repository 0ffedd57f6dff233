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
# how the relevance check placed a post (see Relevance.match)
RelevanceMatch = Literal["addressed", "alias", "context", "reply", "own_account", "none",
                         "unchecked"]

URGENCY_LEVELS: tuple[str, ...] = ("low", "medium", "high", "critical")


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION


class SentimentScore(BaseModel):
    """Polarity label, a compound score in [-1, 1] and calibrated class probabilities
    (empty when no model for the post's language ran: see ``Classification.no_model``)."""

    model_config = ConfigDict(extra="forbid")

    label: SentimentLabel
    compound: float = Field(ge=-1.0, le=1.0)
    probabilities: dict[str, float] = Field(default_factory=dict)
    model: str = "vader"


class Relevance(BaseModel):
    """Is the post about a configured brand as a service, and how the brands and noise
    stages decided it (rules: no probability, so ``conf`` stays None)."""

    model_config = ConfigDict(extra="forbid")

    about: bool | None = Field(description=(
        "true: kept as about a brand's service; false: noise (see `noise`); null: no brands "
        "are configured, nothing was checked"))
    brand: str | None = None
    match: RelevanceMatch = Field(default="none", description=(
        "addressed: @-mentions a handle of the brand; alias: names the brand; context: names "
        "no brand but uses service words; reply: an unbranded reply in a thread; own_account: "
        "posted by the brand itself; none: no brand found; unchecked: no brands configured"))
    terms: list[str] = Field(default_factory=list, description="the matched handles/aliases")
    conf: float | None = Field(default=None, ge=0.0, le=1.0,
                               description="a probability, where a model gives one (none yet)")
    source: str = "rules"
    noise: str | None = Field(default=None, description="noise posts: 'reason: detail'")


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
    # added with issue 20 (optional, so the decisions of older releases still parse)
    relevance: Relevance | None = None
    topic_probs: dict[str, float] | None = Field(default=None, description=(
        "the topic model's distribution over the labels, when one is configured and covers "
        "the language (the phrase rules give topic_confidence only)"))
    sources: dict[str, str] = Field(default_factory=dict, description=(
        "what gave each stage's answer: 'rules', a model name, or 'rules+<model>'"))
    no_model: list[str] = Field(default_factory=list, description=(
        "stages with no model or rules for `lang` (topic, sentiment, urgency, complaint); "
        "the reasons say what ran instead"))


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
