"""Evidence bookkeeping of an open burst incident (used by :mod:`route.incidents`).

:class:`Evidence` is the little the correlator keeps of a post; :class:`OpenIncident` folds
evidence into bounded aggregates (count, first/last seen, a few sample ids, sentiment,
platform and language counts) and renders an :class:`schemas.Incident` snapshot. Both give a
JSON-safe state (``to_state`` / ``from_state``) for the correlator's persisted snapshot; a
malformed state raises ValueError. Pure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone

from schemas import Decision, Incident
from schemas.results import URGENCY_LEVELS


@dataclass(frozen=True, slots=True)
class Evidence:
    post_id: str
    at: datetime
    platform: str
    lang: str
    sentiment: str
    compound: float
    urgency: str

    @classmethod
    def of(cls, decision: Decision) -> "Evidence":
        post, c = decision.post, decision.classification
        return cls(post.id, post.created_at, post.platform, c.lang, c.sentiment.label,
                   c.sentiment.compound, c.urgency)

    def to_state(self) -> list:
        """A compact JSON-safe row: the fields in order, the time as Unix seconds (the
        correlator keeps pre-detection evidence as these rows, so a snapshot costs no
        per-post work)."""
        return [self.post_id, self.at.timestamp(), self.platform, self.lang, self.sentiment,
                self.compound, self.urgency]

    @classmethod
    def from_state(cls, row: list) -> "Evidence":
        post_id, at, platform, lang, sentiment, compound, urgency = row
        moment = (datetime.fromisoformat(at) if isinstance(at, str)
                  else datetime.fromtimestamp(float(at), timezone.utc))
        return cls(str(post_id), moment, str(platform), str(lang), str(sentiment),
                   float(compound), str(urgency))


@dataclass
class OpenIncident:
    key: str
    brand: str
    topic: str
    level: str
    max_samples: int
    reasons: list[str] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_update: datetime | None = None
    last_burst: datetime | None = None  # event time of the latest burst-level window
    count: int = 0
    samples: list[str] = field(default_factory=list)
    platforms: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    sentiments: Counter = field(default_factory=Counter)
    compound_sum: float = 0.0
    urgency: str = "low"

    def add(self, evidence: Evidence) -> None:
        """Fold one post in; memory stays bounded (samples capped, counters by label)."""
        self.count += 1
        self.first_seen = min(filter(None, (self.first_seen, evidence.at)))
        self.last_seen = max(filter(None, (self.last_seen, evidence.at)))
        if len(self.samples) < self.max_samples:
            self.samples.append(evidence.post_id)
        self.platforms[evidence.platform] += 1
        self.languages[evidence.lang] += 1
        self.sentiments[evidence.sentiment] += 1
        self.compound_sum += evidence.compound
        if URGENCY_LEVELS.index(evidence.urgency) > URGENCY_LEVELS.index(self.urgency):
            self.urgency = evidence.urgency

    def to_state(self) -> dict:
        """JSON-safe state of the open incident (inverse of :meth:`from_state`)."""
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        state.update({name: _iso(state[name]) for name in _TIMES})
        state.update({name: dict(state[name]) for name in _COUNTERS})
        return state | {"reasons": list(self.reasons), "samples": list(self.samples)}

    @classmethod
    def from_state(cls, state: dict) -> "OpenIncident":
        """Rebuild an open incident; raises ValueError when the state is malformed."""
        try:
            data = dict(state)
            data.update({name: _parse(data[name]) for name in _TIMES})
            data.update({name: Counter(data[name]) for name in _COUNTERS})
            return cls(**data)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"malformed open incident state: {error!r}") from error

    def snapshot(self, status: str = "open") -> Incident:
        """The incident as the store and the ticket sinks see it."""
        urgency = "critical" if self.level == "strong" else max(
            self.urgency, "high", key=URGENCY_LEVELS.index)
        since = self.first_seen.strftime("%Y-%m-%d %H:%M") if self.first_seen else "?"
        return Incident(
            key=self.key, kind="burst", brand=None if self.brand == "-" else self.brand,
            topic=self.topic, status=status, urgency=urgency,
            title=f"{self.brand}: burst of {self.topic} reports since {since} UTC",
            first_seen=self.first_seen, last_seen=self.last_seen, post_count=max(self.count, 1),
            sample_post_ids=list(self.samples),
            platforms=[name for name, _ in self.platforms.most_common()],
            languages=[name for name, _ in self.languages.most_common()],
            reasons=list(self.reasons), sentiment=sentiment_summary(
                self.sentiments, self.compound_sum, self.count))


_TIMES = ("first_seen", "last_seen", "last_update", "last_burst")
_COUNTERS = ("platforms", "languages", "sentiments")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def sentiment_summary(labels: Counter, compound_sum: float, count: int) -> dict[str, float]:
    """Share per label plus the mean compound, rounded for display."""
    if count <= 0:
        return {}
    summary = {label: round(labels[label] / count, 3)
               for label in ("negative", "neutral", "positive")}
    summary["compound"] = round(compound_sum / count, 3)
    return summary
