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
ticket outbox consume them.

Event time is the latest post time seen. A late post (older than that) still counts in the
windows and joins an open incident of its brand/topic, but never opens one: its windows were
judged already, and a late post must not split an outage (the next on-time post opens the
incident if the windows now hold a burst). A post already counted (a redelivery) is answered
with the open incident's key and counted nothing. :meth:`snapshot` / :meth:`restore` give a
JSON-safe state that the incident sink persists after each flush and restores at start, so a
restart continues the same incidents. Pure: no I/O; never raises on a valid Decision.
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

SNAPSHOT_VERSION = 1
PRUNE_EVERY = timedelta(minutes=1)  # event time between sweeps of state that left the windows


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
    decided_by: str | None = None  # who resolved it: None = this correlator (quiet volume)


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
        self._recent: dict[str, deque[list]] = {}  # slot → Evidence.to_state() rows
        # slot → cut: its last incident was resolved (quiet, or elsewhere); posts up to the cut
        # belong to that outage and never open a new incident (only newer ones: a recurrence)
        self._desk: dict[str, datetime] = {}
        self._events: list[IncidentEvent] = []
        self.now: datetime | None = None
        self._pruned: datetime | None = None
        self._horizon = timedelta(minutes=max(w.minutes for w in self.config.burst.windows))
        self._groups = {topic: group for group, topics in self.config.topic_groups.items()
                        for topic in topics}

    def __call__(self, decision: Decision) -> Decision:
        """Attach the decision to an open incident or let it open one; returns the decision."""
        at = decision.post.created_at
        self.tick(at)
        if not self.config.enabled or not self._eligible(decision):
            return decision
        c, post = decision.classification, decision.post
        brand, topic = c.brand or "-", self._groups.get(c.topic, c.topic)
        slot = brand + "\x1f" + topic
        current = self.open.get(slot)
        if self.detector.holds(brand, topic, post.id, at):  # redelivered: counted already
            return decision if current is None else _keyed(decision, current)
        evidence = Evidence.of(decision)
        detection = self.detector.observe(brand, topic, post.id, post.author.handle, at,
                                          current is not None)
        if detection is not None and current is None and detection.first_post_at <= \
                self._desk.get(slot, detection.first_post_at - PRUNE_EVERY):
            detection = None  # the desk resolved that outage: only newer posts open one
        if current is None:
            self._remember(slot, evidence)
            if detection is None or at < self.now:  # a late post never opens an incident
                return decision
            current = self._open(slot, detection)
        else:
            self._attach(current, evidence, detection)
        return _keyed(decision, current)

    def _eligible(self, decision: Decision) -> bool:
        c, cfg = decision.classification, self.config
        if c.noise or not c.actionable or c.topic in cfg.ignore_topics:
            return False
        return cfg.topics is None or c.topic in cfg.topics

    def _remember(self, slot: str, evidence: Evidence) -> None:
        recent = self._recent.setdefault(slot, deque(maxlen=self.config.burst.max_posts_per_key))
        recent.append(evidence.to_state())
        horizon = (evidence.at - self._horizon).timestamp()
        while recent and recent[0][1] < horizon:
            recent.popleft()

    def _open(self, slot: str, detection: Detection) -> OpenIncident:
        ids = set(detection.post_ids)
        window = [Evidence.from_state(row) for row in self._recent.pop(slot, ())
                  if row[0] in ids]
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
        if self._pruned is None or now - self._pruned >= PRUNE_EVERY:
            self._prune(now)
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

    def forget(self, key: str, at: datetime) -> bool:
        """Drop an open incident that was resolved elsewhere (the service desk), without an
        event, and its events not yet drained. Posts up to the event time at which the
        correlator learns of it (``at`` before any post) belong to that outage: they no longer
        open an incident of its brand/topic; newer ones may (a recurrence)."""
        for slot, incident in list(self.open.items()):
            if incident.key == key:
                del self.open[slot]
                self._events = [e for e in self._events if e.incident.key != key]
                self._desk[slot] = self.now or at
                return True
        return False

    def _close(self, slot: str, incident: OpenIncident, at: datetime, reason: str) -> None:
        del self.open[slot]
        self._desk[slot] = max(self._desk.get(slot, incident.last_burst), incident.last_burst)
        incident.reasons.append(f"resolved: {reason}")
        self._emit("resolved", incident, at, status="resolved")

    def _emit(self, kind: str, incident: OpenIncident, at: datetime, ids: tuple = (),
              status: str = "open") -> None:
        self._events.append(IncidentEvent(kind, incident.snapshot(status), at, tuple(ids)))

    def _prune(self, now: datetime) -> None:
        """Forget pre-detection evidence and window posts older than the longest window, so
        the state stays bounded however many brands and topics went quiet."""
        self._pruned = now
        self.detector.prune(now)
        self._desk = {slot: cut for slot, cut in self._desk.items() if cut > now - self._horizon}
        cutoff = (now - self._horizon).timestamp()
        for slot, recent in list(self._recent.items()):
            while recent and recent[0][1] < cutoff:
                recent.popleft()
            if not recent:
                del self._recent[slot]

    def drain(self) -> list[IncidentEvent]:
        """Events since the last call, oldest first (called by the sink after each flush)."""
        events, self._events = self._events, []
        return events

    def snapshot(self) -> dict:
        """JSON-safe state: event time, detector windows and baseline, open incidents and the
        evidence awaiting a detection. Called by the incident sink after each flush, once the
        events are drained (pending events are not part of it)."""
        return {"version": SNAPSHOT_VERSION, "now": self.now and self.now.isoformat(),
                "detector": self.detector.to_state(),
                "open": {slot: incident.to_state() for slot, incident in self.open.items()},
                "recent": {slot: list(recent) for slot, recent in self._recent.items()},
                "desk": {slot: cut.isoformat() for slot, cut in self._desk.items()}}

    def restore(self, snapshot: dict) -> None:
        """Continue from a :meth:`snapshot` (called once, when the sink is built, before any
        decision). Raises ValueError when the snapshot is malformed or of another version;
        the correlator is then unchanged."""
        version = snapshot.get("version") if isinstance(snapshot, dict) else None
        if version != SNAPSHOT_VERSION:
            raise ValueError(f"incident state version {version!r}, expected {SNAPSHOT_VERSION}")
        try:
            detector = BurstDetector.from_state(snapshot["detector"], self.config.burst)
            opened = {slot: OpenIncident.from_state(state)
                      for slot, state in snapshot["open"].items()}
            recent = {slot: deque((Evidence.from_state(row).to_state() for row in rows),
                                  maxlen=self.config.burst.max_posts_per_key)
                      for slot, rows in snapshot["recent"].items()}
            now = snapshot["now"] and datetime.fromisoformat(snapshot["now"])
            desk = {slot: datetime.fromisoformat(cut)
                    for slot, cut in snapshot.get("desk", {}).items()}  # absent before issue 21
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise ValueError(f"malformed incident state: {error!r}") from error
        self.detector, self.open, self._recent, self.now = detector, opened, recent, now
        self._desk = desk


def _keyed(decision: Decision, incident: OpenIncident) -> Decision:
    """The decision as evidence of ``incident``."""
    reason = f"evidence for incident {incident.key}"
    return decision.model_copy(update={"incident_key": incident.key,
                                       "reasons": [*decision.reasons, reason]})

