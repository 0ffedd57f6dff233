"""Small immutable results the classify/ stages hand to each other (internal to classify/).

:class:`classify.pipeline.Classifier` folds them into one :class:`schemas.Classification`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class LanguageResult:
    """ISO 639-1 code (``und`` when nothing could be detected) and the detector's confidence."""

    lang: str
    confidence: float
    reason: str


@dataclass(frozen=True, slots=True)
class BrandMatch:
    """Which configured brand a post is about (``None`` when no brand matched)."""

    brand: str | None
    addressed: bool  # the post @-mentions one of the brand's support handles
    matched_terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NoiseResult:
    noise: bool
    reason: str | None  # one of schemas.results.NoiseReason
    detail: str
    # a post that is not noise: how the relevance check kept it (schemas.results.Relevance
    # match: addressed, alias, context, reply, or unchecked when no brands are configured)
    kept_by: str | None = None


@dataclass(frozen=True, slots=True)
class TopicResult:
    topic: str
    confidence: float
    matched: tuple[str, ...]
    reason: str
    scores: dict[str, float] = field(default_factory=dict)  # rule points (+ model share)
    # the topic model's distribution over the labels (None: no model, or not for this language)
    probabilities: dict[str, float] | None = None
    source: str = "rules"  # "rules" or "rules+<model name>"
    no_model: tuple[str, ...] = ()  # ("topic",): no phrase rules for the post's language


@dataclass(frozen=True, slots=True)
class SentimentResult:
    label: str  # negative | neutral | positive
    compound: float  # [-1, 1]
    probabilities: dict[str, float]
    model: str
    reason: str
    # the accurate model's embedding (numpy, 384) when the cascade re-scored the post, and
    # which encoder made it ("minilm" or "e5"): the complaint stage picks its head by it
    embedding: Any = field(default=None, compare=False, repr=False)
    embedding_model: str | None = field(default=None, compare=False, repr=False)
    # ("sentiment",): no model for the post's language ran (the English one did)
    no_model: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UrgencyResult:
    urgency: str  # critical | high | medium | low
    priority: int  # 0..100
    actionable: bool
    reasons: tuple[str, ...]
    complaint: float | None = None  # calibrated complaint probability (None: no model for the language)
    complaint_source: str | None = None  # the complaint model (or head) that gave it
    # "urgency": no cues for the post's language; "complaint": no complaint model for it
    no_model: tuple[str, ...] = ()
