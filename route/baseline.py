"""Seasonal baseline of actionable-post volume per (brand, topic): hour of day × day of week.

The burst detector (:mod:`route.burst`) calls :meth:`SeasonalBaseline.observe_hour` once per
closed event-time hour of a key (zero-count hours included) and :meth:`expected_per_hour`
whenever it evaluates a window. A slot (one of 168 hour-of-week cells) starts at a prior and
moves towards what is observed with an exponentially weighted mean; until a slot has been seen
a few times it borrows from the key's hour-of-day profile (learned 7× faster), which in turn
borrows from the key's all-hours mean shaped by a generic diurnal curve (``prior_shape``, UTC),
so a cold start is neither blind nor trigger-happy. Hours during an open outage are clamped before learning, so an outage does not
teach the baseline that outages are normal. Pure: no I/O; :meth:`to_state` /
:meth:`from_state` give a JSON-safe dict a store can persist. Bad state raises ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

SLOTS = 168  # 24 hours × 7 days
# Relative social-media volume per UTC hour for European audiences (normalised to mean 1).
DIURNAL = [0.3, 0.2, 0.15, 0.15, 0.2, 0.35, 0.6, 0.9, 1.1, 1.2, 1.3, 1.3,
           1.3, 1.3, 1.3, 1.3, 1.3, 1.4, 1.5, 1.5, 1.4, 1.2, 0.9, 0.6]


class BaselineConfig(BaseModel):
    """``incidents.baseline`` in the config file."""

    model_config = ConfigDict(extra="forbid")

    prior_per_hour: float = Field(default=6.0, gt=0, description="cold-start expected posts/hour")
    prior_weight: float = Field(default=12.0, ge=0, description="pseudo-hours of the prior")
    prior_shape: list[float] = Field(default=DIURNAL, min_length=24, max_length=24,
                                     description="relative volume per UTC hour (cold start)")
    alpha: float = Field(default=0.2, gt=0, le=1, description="EWMA weight of a new hour")
    slot_confidence: int = Field(default=4, ge=1, description="observations before a slot "
                                 "is trusted on its own")
    learn_cap: float = Field(default=3.0, ge=1, description="an hour counts at most this many "
                             "times the expectation while an incident is open")


def slot_of(moment: datetime) -> int:
    """Hour-of-week cell (Monday 00h = 0) of a UTC event time."""
    return moment.weekday() * 24 + moment.hour


def _ewma(old: float | None, value: float, alpha: float) -> float:
    return value if old is None else (1 - alpha) * old + alpha * value


@dataclass
class _KeyBaseline:
    slot_mean: list[float | None] = field(default_factory=lambda: [None] * SLOTS)
    slot_seen: list[int] = field(default_factory=lambda: [0] * SLOTS)
    hod_mean: list[float | None] = field(default_factory=lambda: [None] * 24)
    hod_seen: list[int] = field(default_factory=lambda: [0] * 24)
    overall: float | None = None
    hours: int = 0


class SeasonalBaseline:
    """Expected actionable posts per hour for each key and hour-of-week slot."""

    def __init__(self, config: BaselineConfig | None = None) -> None:
        self.config = config or BaselineConfig()
        self._keys: dict[str, _KeyBaseline] = {}

    def expected_per_hour(self, key: str, moment: datetime) -> float:
        """The baseline rate for ``key`` at ``moment`` (prior-blended while data is thin)."""
        cfg, state = self.config, self._keys.get(key)
        shape = cfg.prior_shape[moment.hour] * 24 / sum(cfg.prior_shape)
        if state is None:
            return cfg.prior_per_hour * shape
        level = _blend(cfg.prior_per_hour, cfg.prior_weight, state.overall, state.hours)
        daily = self._shrink(state.hod_mean[moment.hour], state.hod_seen[moment.hour],
                             level * shape)
        slot = slot_of(moment)
        return self._shrink(state.slot_mean[slot], state.slot_seen[slot], daily)

    def _shrink(self, mean: float | None, seen: int, fallback: float) -> float:
        """A slot's own mean once seen ``slot_confidence`` times, the fallback before."""
        if mean is None:
            return fallback
        weight = min(seen, self.config.slot_confidence) / self.config.slot_confidence
        return weight * mean + (1 - weight) * fallback

    def observe_hour(self, key: str, hour_start: datetime, count: float,
                     in_incident: bool = False) -> None:
        """Learn one closed hour of ``key``; called by the detector in event-time order."""
        if in_incident:
            count = min(count, self.config.learn_cap * self.expected_per_hour(key, hour_start))
        state = self._keys.setdefault(key, _KeyBaseline())
        slot, alpha = slot_of(hour_start), self.config.alpha
        state.slot_mean[slot] = _ewma(state.slot_mean[slot], count, alpha)
        state.slot_seen[slot] += 1
        hour = hour_start.hour
        state.hod_mean[hour] = _ewma(state.hod_mean[hour], count, alpha)
        state.hod_seen[hour] += 1
        state.overall = _ewma(state.overall, count, max(alpha / 4, 1 / (state.hours + 1)))
        state.hours += 1

    def forget(self, key: str) -> None:
        """Drop a key (called when the detector evicts it to bound memory)."""
        self._keys.pop(key, None)

    def keys(self) -> list[str]:
        return list(self._keys)

    def to_state(self) -> dict:
        """JSON-safe snapshot, the inverse of :meth:`from_state`."""
        return {key: {"slot_mean": s.slot_mean, "slot_seen": s.slot_seen, "hod_mean": s.hod_mean,
                      "hod_seen": s.hod_seen, "overall": s.overall, "hours": s.hours}
                for key, s in self._keys.items()}

    @classmethod
    def from_state(cls, state: dict, config: BaselineConfig | None = None) -> "SeasonalBaseline":
        """Rebuild from :meth:`to_state` output; raises ValueError when it is malformed."""
        baseline = cls(config)
        try:
            for key, s in state.items():
                baseline._keys[str(key)] = _KeyBaseline(
                    _floats(s["slot_mean"], SLOTS), _ints(s["slot_seen"], SLOTS),
                    _floats(s["hod_mean"], 24), _ints(s["hod_seen"], 24),
                    None if s["overall"] is None else float(s["overall"]), int(s["hours"]))
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"malformed baseline state: {error!r}") from error
        return baseline


def _floats(values: list, size: int) -> list[float | None]:
    if len(values) != size:
        raise ValueError(f"baseline state: expected {size} slots, got {len(values)}")
    return [None if v is None else float(v) for v in values]


def _ints(values: list, size: int) -> list[int]:
    if len(values) != size:
        raise ValueError(f"baseline state: expected {size} slots, got {len(values)}")
    return [int(v) for v in values]


def _blend(prior: float, prior_weight: float, mean: float | None, n: int) -> float:
    """Shrink an observed mean towards the prior while few hours have been seen."""
    if mean is None or n == 0:
        return prior
    return (prior * prior_weight + mean * n) / (prior_weight + n)
