"""Burst detection: is (brand, topic) getting far more actionable posts than usual right now?

Called by the incident correlator (:mod:`route.incidents`) once per eligible post, in event
time. For every configured window (short ones catch a sudden outage within minutes, the long
one a slow-building outage) the number of posts in ``(t - window, t]`` is compared with the
seasonal expectation (:mod:`route.baseline`): a level is reached when the count is at least the
minimum count, from enough distinct authors, spread over a minimum duration, and above
``expected + z·sqrt(expected)`` (a Poisson tail). Levels follow Downdetector: none / moderate /
strong. Every :class:`Detection` explains itself (window, count, baseline, threshold).

Pure and deterministic; memory is bounded (``max_keys`` keys, ``max_posts_per_key`` timestamps
each, :meth:`BurstDetector.prune` drops what left every window); :meth:`BurstDetector.to_state`
/ ``from_state`` give a JSON-safe snapshot that the incident sink persists.
"""

from __future__ import annotations

import bisect
import math
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from route.baseline import BaselineConfig, SeasonalBaseline

Level = Literal["none", "moderate", "strong"]
SEP = "\x1f"


class Window(BaseModel):
    """One sliding window and the fewest posts in it that can be a burst ('moderate')."""

    model_config = ConfigDict(extra="forbid")

    minutes: int = Field(ge=1, le=24 * 60)
    min_count: int = Field(ge=2)


class BurstConfig(BaseModel):
    """``incidents.burst`` in the config file."""

    model_config = ConfigDict(extra="forbid")

    windows: list[Window] = Field(default=[Window(minutes=10, min_count=6),
                                           Window(minutes=30, min_count=12),
                                           Window(minutes=60, min_count=20)], min_length=1)
    strong_factor: float = Field(default=2.5, ge=1, description="min_count × this → 'strong'")
    min_authors: int = Field(default=4, ge=1, description="distinct authors in the window")
    min_duration_minutes: float = Field(default=1.0, ge=0, description="first→last post span")
    z_moderate: float = Field(default=4.0, gt=0)
    z_strong: float = Field(default=8.0, gt=0)
    max_keys: int = Field(default=5000, ge=1)
    max_posts_per_key: int = Field(default=5000, ge=10)
    baseline: BaselineConfig = Field(default_factory=BaselineConfig)


@dataclass(frozen=True)
class Detection:
    """A window whose count crossed a threshold; ``post_ids`` are the posts in that window."""

    brand: str
    topic: str
    level: Level
    window_minutes: int
    window_start: datetime
    window_end: datetime
    count: int
    authors: int
    expected: float
    threshold: int
    first_post_at: datetime
    post_ids: tuple[str, ...]

    def explain(self) -> str:
        return (f"burst {self.level}: {self.count} actionable posts on {self.brand}/{self.topic} "
                f"from {self.authors} authors in {self.window_minutes} min "
                f"({_hm(self.window_start)}–{_hm(self.window_end)} UTC), baseline "
                f"{self.expected:.2f}, threshold {self.threshold}")


@dataclass
class _KeyState:
    times: list[float] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    hour: float | None = None  # start of the open event-time hour (epoch seconds)
    hour_count: int = 0
    hour_in_incident: bool = False


class BurstDetector:
    """Keeps recent post times per (brand, topic) and tells when a window is a burst."""

    def __init__(self, config: BurstConfig | None = None,
                 baseline: SeasonalBaseline | None = None) -> None:
        self.config = config or BurstConfig()
        self.baseline = baseline or SeasonalBaseline(self.config.baseline)
        self._keys: OrderedDict[str, _KeyState] = OrderedDict()
        self._horizon = max(w.minutes for w in self.config.windows) * 60.0

    def observe(self, brand: str, topic: str, post_id: str, author: str, at: datetime,
                in_incident: bool = False) -> Detection | None:
        """Count one eligible post; the strongest detection it completes, or ``None``."""
        key = brand + SEP + topic
        state = self._state(key)
        ts = at.timestamp()
        self._roll_hours(key, state, ts, in_incident)
        self._insert(state, ts, post_id, author)
        end = max(ts, state.times[-1])
        best: Detection | None = None
        for window in self.config.windows:
            found = self._evaluate(brand, topic, state, end, window)
            if found and (best is None or _rank(found.level) > _rank(best.level)):
                best = found
        return best

    def holds(self, brand: str, topic: str, post_id: str, at: datetime) -> bool:
        """Whether this post is already counted (a redelivery after a crash or a retried
        batch); called by the correlator before :meth:`observe`."""
        state = self._keys.get(brand + SEP + topic)
        if state is None:
            return False
        ts = at.timestamp()
        lo, hi = bisect.bisect_left(state.times, ts), bisect.bisect_right(state.times, ts)
        return post_id in state.ids[lo:hi]

    def prune(self, now: datetime) -> None:
        """Drop posts that left every window before ``now`` (event time), so keys that went
        quiet hold nothing but their baseline; called by the correlator as time advances."""
        cutoff = now.timestamp() - self._horizon
        for state in self._keys.values():
            drop = bisect.bisect_right(state.times, cutoff)
            if drop:
                del state.times[:drop], state.ids[:drop], state.authors[:drop]

    def _state(self, key: str) -> _KeyState:
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = _KeyState()
            while len(self._keys) > self.config.max_keys:
                evicted, _ = self._keys.popitem(last=False)
                self.baseline.forget(evicted)
        self._keys.move_to_end(key)
        return state

    def _roll_hours(self, key: str, state: _KeyState, ts: float, in_incident: bool) -> None:
        """Close finished event-time hours into the baseline (quiet hours count as zero)."""
        hour = ts - ts % 3600
        if state.hour is None:
            state.hour = hour
        elif hour > state.hour:
            closed = [(state.hour, state.hour_count, state.hour_in_incident)]
            gap = int((hour - state.hour) // 3600) - 1
            closed += [(state.hour + 3600 * (i + 1), 0, False) for i in range(min(gap, 168))]
            for start, count, flagged in closed:
                self.baseline.observe_hour(key, _dt(start), count, flagged)
            state.hour, state.hour_count, state.hour_in_incident = hour, 0, False
        if hour == state.hour:
            state.hour_count += 1
            state.hour_in_incident |= in_incident

    def _insert(self, state: _KeyState, ts: float, post_id: str, author: str) -> None:
        at = bisect.bisect_right(state.times, ts)
        state.times.insert(at, ts)
        state.ids.insert(at, post_id)
        state.authors.insert(at, author)
        cutoff = state.times[-1] - self._horizon
        drop = max(bisect.bisect_right(state.times, cutoff),
                   len(state.times) - self.config.max_posts_per_key)
        if drop > 0:
            del state.times[:drop], state.ids[:drop], state.authors[:drop]

    def _evaluate(self, brand: str, topic: str, state: _KeyState, end: float,
                  window: Window) -> Detection | None:
        cfg, minutes = self.config, window.minutes
        lo = bisect.bisect_right(state.times, end - minutes * 60)
        hi = bisect.bisect_right(state.times, end)
        count = hi - lo
        if count < window.min_count:
            return None
        if state.times[hi - 1] - state.times[lo] < cfg.min_duration_minutes * 60:
            return None
        authors = len(set(state.authors[lo:hi]))
        if authors < cfg.min_authors:
            return None
        expected = self.baseline.expected_per_hour(brand + SEP + topic, _dt(end)) * minutes / 60
        moderate = max(window.min_count, math.ceil(expected + cfg.z_moderate * math.sqrt(expected)))
        strong = max(math.ceil(window.min_count * cfg.strong_factor), moderate,
                     math.ceil(expected + cfg.z_strong * math.sqrt(expected)))
        if count < moderate:
            return None
        level: Level = "strong" if count >= strong else "moderate"
        return Detection(brand, topic, level, minutes, _dt(end - minutes * 60), _dt(end), count,
                         authors, expected, strong if level == "strong" else moderate,
                         _dt(state.times[lo]), tuple(state.ids[lo:hi]))

    def to_state(self) -> dict:
        """JSON-safe snapshot of windows and baseline (inverse of :meth:`from_state`)."""
        keys = {key: {"times": s.times, "ids": s.ids, "authors": s.authors, "hour": s.hour,
                      "hour_count": s.hour_count, "hour_in_incident": s.hour_in_incident}
                for key, s in self._keys.items()}
        return {"keys": keys, "baseline": self.baseline.to_state()}

    @classmethod
    def from_state(cls, state: dict, config: BurstConfig | None = None) -> "BurstDetector":
        """Rebuild a detector; raises ValueError when the snapshot is malformed."""
        config = config or BurstConfig()
        try:
            detector = cls(config, SeasonalBaseline.from_state(state["baseline"], config.baseline))
            for key, s in state["keys"].items():
                detector._keys[key] = _KeyState(
                    [float(t) for t in s["times"]], [str(i) for i in s["ids"]],
                    [str(a) for a in s["authors"]], s["hour"], int(s["hour_count"]),
                    bool(s["hour_in_incident"]))
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"malformed burst detector state: {error!r}") from error
        return detector


def _rank(level: Level) -> int:
    return ("none", "moderate", "strong").index(level)


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def _hm(moment: datetime) -> str:
    return moment.strftime("%H:%M")

