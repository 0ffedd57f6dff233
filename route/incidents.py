"""Incident correlation: one incident per outage, later posts attached as evidence.

The runner calls :class:`IncidentCorrelator` right after the Router, once per decision, in
event time (``(Decision) -> Decision``). Eligible posts (actionable, not noise, a topic that
can be an outage) feed the burst detector of their (brand, topic group): "no internet", "app
is slow" and "cannot log in" during one outage are one incident (``topic_groups``). A detection opens ONE
incident keyed ``burst:<brand>:<topic>:<first post of the window, YYYYmmddTHHMMZ>`` (stable
under replay); while it is open, every later eligible post of that brand/topic gets its
``incident_key`` (also posts the rules sent to ``incident``) instead of opening a new one.
Lifecycle events (:class:`IncidentEvent`: opened / updated at most every
``update_interval_minutes`` / resolved once ``quiet_minutes`` pass without a burst-level
window — volume back to normal, posts may still trickle in — or by the service desk through
:meth:`resolve`) are collected for :meth:`drain` — the store and the
ticket outbox consume them. Pure: no I/O; never raises on a valid Decision.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from route.burst import BurstConfig, BurstDetector, Detection
from route.evidence import Evidence, OpenIncident
from schemas import Decision, Incident


class IncidentConfig(BaseModel):
    """``incidents:`` in the config file."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    topics: list[str] | None = Field(default=None, description="only these topics (None: all)")
    ignore_topics: list[str] = Field(default=["feedback", "how_to", "other"])
    topic_groups: dict[str, list[str]] = Field(
        default={"outage": ["outage", "connectivity", "performance", "access"]},
        description="topics that are one service problem: counted and keyed as the group name")
    quiet_minutes: float = Field(default=45.0, gt=0,
                                 description="resolve after this long without burst activity")
    update_interval_minutes: float = Field(default=10.0, ge=0, description="min gap of updates")
    max_samples: int = Field(default=5, ge=1, le=100)
    burst: BurstConfig = Field(default_factory=BurstConfig)


@dataclass(frozen=True)
class IncidentEvent:
    """What happened to an incident; ``evidence_post_ids`` are posts to attach to it."""

    kind: Literal["opened", "updated", "resolved"]
    incident: Incident
    at: datetime
    evidence_post_ids: tuple[str, ...] = ()


def burst_key(brand: str, topic: str, first_post_at: datetime) -> str:
    return f"burst:{brand}:{topic}:{first_post_at.strftime('%Y%m%dT%H%MZ')}"


@dataclass
class IncidentCorrelator:
    """The incidents stage; keeps open incidents and the burst detector."""

    config: IncidentConfig = field(default_factory=IncidentConfig)
    detector: BurstDetector | None = None
    name: str = "incidents"

    def __post_init__(self) -> None:
        self.detector = self.detector or BurstDetector(self.config.burst)
        self.open: dict[str, OpenIncident] = {}  # "brand\x1ftopic" → incident
        self._recent: dict[str, deque[Evidence]] = {}
        self._events: list[IncidentEvent] = []
        self.now: datetime | None = None
        self._groups = {topic: group for group, topics in self.config.topic_groups.items()
                        for topic in topics}

    def __call__(self, decision: Decision) -> Decision:
        """Attach the decision to an open incident or let it open one; returns the decision."""
        at = decision.post.created_at
        self.tick(at)
        if not self.config.enabled or not self._eligible(decision):
            return decision
        c = decision.classification
        brand, topic = c.brand or "-", self._groups.get(c.topic, c.topic)
        slot = brand + "\x1f" + topic
        evidence = Evidence.of(decision)
        current = self.open.get(slot)
        detection = self.detector.observe(brand, topic, decision.post.id,
                                          decision.post.author.handle, at, current is not None)
        if current is None:
            self._remember(slot, evidence)
            if detection is None:
                return decision
            current = self._open(slot, detection)
        else:
            self._attach(current, evidence, detection)
        reason = f"evidence for incident {current.key}"
        return decision.model_copy(update={"incident_key": current.key,
                                           "reasons": [*decision.reasons, reason]})

    def _eligible(self, decision: Decision) -> bool:
        c, cfg = decision.classification, self.config
        if c.noise or not c.actionable or c.topic in cfg.ignore_topics:
            return False
        return cfg.topics is None or c.topic in cfg.topics

    def _remember(self, slot: str, evidence: Evidence) -> None:
        recent = self._recent.setdefault(slot, deque(maxlen=self.config.burst.max_posts_per_key))
        recent.append(evidence)
        horizon = evidence.at - timedelta(minutes=max(w.minutes for w in self.config.burst.windows))
        while recent and recent[0].at < horizon:
            recent.popleft()

    def _open(self, slot: str, detection: Detection) -> OpenIncident:
        ids = set(detection.post_ids)
        window = [e for e in self._recent.pop(slot, ()) if e.post_id in ids]
        key = burst_key(detection.brand, detection.topic, detection.first_post_at)
        incident = OpenIncident(key, detection.brand, detection.topic, detection.level,
                                self.config.max_samples, reasons=[detection.explain()])
        for evidence in window:
            incident.add(evidence)
        incident.last_update = incident.last_burst = detection.window_end
        self.open[slot] = incident
        self._emit("opened", incident, detection.window_end, detection.post_ids)
        return incident

    def _attach(self, incident: OpenIncident, evidence: Evidence,
                detection: Detection | None) -> None:
        incident.add(evidence)
        if detection is not None:
            incident.last_burst = max(incident.last_burst, evidence.at)
        upgraded = (detection is not None and detection.level == "strong"
                    and incident.level != "strong")
        if upgraded:
            incident.level = "strong"
            incident.reasons.append(detection.explain())
        interval = timedelta(minutes=self.config.update_interval_minutes)
        if upgraded or evidence.at - incident.last_update >= interval:
            incident.last_update = evidence.at
            self._emit("updated", incident, evidence.at)

    def tick(self, now: datetime) -> None:
        """Advance event time; resolves incidents quiet for ``quiet_minutes``."""
        if self.now is not None and now <= self.now:
            return
        self.now = now
        quiet = timedelta(minutes=self.config.quiet_minutes)
        for slot, incident in list(self.open.items()):
            if now - incident.last_burst >= quiet:
                self._close(slot, incident, now, f"no burst activity for "
                            f"{self.config.quiet_minutes:g} min")

    def resolve(self, key: str, at: datetime, reason: str = "resolved by the service desk") -> bool:
        """Close an open incident from outside (the service desk); False if it is not open."""
        for slot, incident in list(self.open.items()):
            if incident.key == key:
                self._close(slot, incident, at, reason)
                return True
        return False

    def _close(self, slot: str, incident: OpenIncident, at: datetime, reason: str) -> None:
        del self.open[slot]
        incident.reasons.append(f"resolved: {reason}")
        self._emit("resolved", incident, at, status="resolved")

    def _emit(self, kind: str, incident: OpenIncident, at: datetime, ids: tuple = (),
              status: str = "open") -> None:
        self._events.append(IncidentEvent(kind, incident.snapshot(status), at, tuple(ids)))

    def drain(self) -> list[IncidentEvent]:
        """Events since the last call, oldest first (called by the sink after each flush)."""
        events, self._events = self._events, []
        return events
