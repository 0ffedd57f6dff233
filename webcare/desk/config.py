"""``teams:`` section of the config: teams, assignment, SLA policies, per-brand replies.

Read by the app (queue filters, the team-load page, countdowns, canned replies), the
assignment pass (``webcare run``, ``webcare assign run``), the alerts evaluator and the
dashboard, through :class:`webcare.desk.sla.Desk`. A bad key fails at config load with its
name. Without this section the desk behaves as before: one 24/7 policy in UTC whose first
response targets are ``app.sla_minutes``, no automatic assignment.

.. code-block:: yaml

    teams:
      policies:
        nl-office:
          timezone: Europe/Amsterdam
          hours: {mon-fri: ["08:30-17:30"], sat: ["10:00-14:00"]}
          holidays: {country: NL, dates: [2026-12-24]}
          first_response: {critical: 15, high: 60, medium: 240, low: 480}
          next_response: {critical: 30, high: 120, medium: 480, low: 960}
          resolution: {critical: 240, high: 480, medium: 960, low: 2400}
      teams:
        - name: nl-care
          members: [ann, bob]
          match: {brand: [Lumen Telecom], lang: [nl]}
          policy: nl-office
          capacity: 5
      assignment: {enabled: true, strategy: least_loaded, reassign_after_minutes: 30}
      brands:
        Lumen Telecom: {signature: "^{agent}, Lumen", canned: {nl: {bedankt: "Dank je, {author}!"}}}
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

URGENCIES = ("critical", "high", "medium", "low")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")

Targets = dict[Literal["critical", "high", "medium", "low"], int]


def parse_span(text: str) -> tuple[time, time | None]:
    """``"09:00-17:30"`` → (09:00, 17:30); an end of ``24:00`` is None (midnight after)."""
    found = _SPAN.match(text.strip())
    if not found:
        raise ValueError(f"{text!r}: opening hours are written 'HH:MM-HH:MM'")
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise ValueError(f"{text!r}: not a time of day")
    start, end = time(h1, m1), (None if h2 == 24 else time(h2, m2))
    if end is not None and end <= start:
        raise ValueError(f"{text!r}: the end must come after the start (use 24:00 for midnight)")
    return start, end


def expand_days(key: str) -> list[int]:
    """``mon-fri`` → [0..4]; ``sat`` → [5]; ``mon,wed`` → [0, 2]; ``daily`` → all."""
    key = key.strip().lower()
    if key in ("daily", "all", "mon-sun"):
        return list(range(7))
    days: list[int] = []
    for part in key.split(","):
        first, _, last = part.strip().partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"{key!r}: days are mon..sun, ranges like mon-fri, or daily")
        a, b = DAYS.index(first), DAYS.index(last or first)
        if b < a:
            raise ValueError(f"{key!r}: a day range runs forwards (mon-fri)")
        days += range(a, b + 1)
    return days


class Holidays(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: str | None = Field(default=None, description="ISO country code for the built-in "
                                "public holidays of the `holidays` package (NL, FI, DE, ...)")
    subdivision: str | None = Field(default=None, description="a country's region, if any")
    dates: list[date] = Field(default_factory=list, description="extra closed days")

    @model_validator(mode="after")
    def _known_country(self) -> "Holidays":
        if self.country:
            import holidays

            try:
                holidays.country_holidays(self.country, subdiv=self.subdivision, years=2026)
            except (NotImplementedError, KeyError) as error:
                raise ValueError(f"unknown holiday country/subdivision: {error}") from error
        return self


class SlaPolicy(BaseModel):
    """Business hours in one time zone, closed days, and targets in business minutes."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(default="UTC", description="IANA zone, e.g. Europe/Amsterdam")
    hours: dict[str, list[str]] = Field(
        default_factory=lambda: {"daily": ["00:00-24:00"]},
        description="day (mon..sun, mon-fri, daily) → opening spans 'HH:MM-HH:MM'")
    holidays: Holidays = Field(default_factory=Holidays)
    first_response: Targets | None = Field(
        default=None, description="business minutes to the first reply per urgency "
        "(default: app.sla_minutes)")
    next_response: Targets | None = Field(
        default=None, description="business minutes from an agent's reply to the next one "
        "while the item is escalated (default: the first-response targets)")
    resolution: Targets | None = Field(
        default=None, description="business minutes from the post to the item's close "
        "(replied or dismissed); none: not measured")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        per_day: dict[int, list[tuple]] = {}
        for key, spans in value.items():
            for day in expand_days(key):
                per_day.setdefault(day, []).extend(parse_span(s) for s in spans)
        if not any(per_day.values()):
            raise ValueError("a policy needs at least one opening span in the week")
        for day, spans in per_day.items():
            spans.sort(key=lambda s: s[0])
            for (_, end), (start, _) in zip(spans, spans[1:]):
                if end is None or end > start:
                    raise ValueError(f"{DAYS[day]}: opening spans overlap")
        return value

    @field_validator("first_response", "next_response", "resolution")
    @classmethod
    def _positive(cls, value: Targets | None) -> Targets | None:
        if value is not None and any(m < 0 for m in value.values()):
            raise ValueError("targets are minutes >= 0")
        return value


class TeamMatch(BaseModel):
    """Which queue items a team takes: every key given must match (lists: any of them)."""

    model_config = ConfigDict(extra="forbid")

    brand: list[str] = Field(default_factory=list)
    topic: list[str] = Field(default_factory=list)
    lang: list[str] = Field(default_factory=list)
    platform: list[str] = Field(default_factory=list)

    def matches(self, brand: str | None, topic: str, lang: str, platform: str) -> bool:
        return all(not allowed or value in allowed for allowed, value in (
            (self.brand, brand), (self.topic, topic), (self.lang, lang),
            (self.platform, platform)))


class Team(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.-]+$")
    members: list[str] = Field(default_factory=list, description="app user names (agents)")
    leads: list[str] = Field(default_factory=list, description="app user names (see the load)")
    match: TeamMatch = Field(default_factory=TeamMatch)
    policy: str | None = Field(default=None, description="a name under teams.policies; the "
                               "team's working hours are its business hours")
    capacity: int | None = Field(default=None, ge=1, le=1000,
                                 description="max open assigned items per agent")
    strategy: Literal["round_robin", "least_loaded"] | None = None
    reassign_after_minutes: float | None = Field(default=None, ge=0)


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=False, description="assign new items to available agents")
    strategy: Literal["round_robin", "least_loaded"] = "least_loaded"
    capacity: int = Field(default=10, ge=1, le=1000, description="max open assigned items per "
                          "agent (a team may set its own)")
    reassign_after_minutes: float = Field(
        default=30, ge=0, description="reassign an item with no first reply after this long "
        "(wall minutes since assignment; 0: never)")
    interval_s: float = Field(default=30, gt=0, le=3600, description="seconds between passes")
    lookback_hours: float = Field(default=24, gt=0, description="only items this recent are "
                                  "assigned automatically")


class BrandReplies(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signature: str | None = Field(default=None, max_length=200, description="appended to a "
                                  "canned reply ({agent}, {brand} variables)")
    canned: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="language → name → template; over app.canned")


class TeamsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policies: dict[str, SlaPolicy] = Field(default_factory=dict)
    default_policy: str | None = Field(default=None, description="policy for items no team "
                                       "matches (default: 24/7 UTC with app.sla_minutes)")
    teams: list[Team] = Field(default_factory=list, description="first matching team wins")
    assignment: Assignment = Field(default_factory=Assignment)
    brands: dict[str, BrandReplies] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> "TeamsConfig":
        names = [t.name for t in self.teams]
        if len(names) != len(set(names)):
            raise ValueError("team names must be unique")
        for ref in [t.policy for t in self.teams] + [self.default_policy]:
            if ref is not None and ref not in self.policies:
                raise ValueError(f"unknown policy {ref!r} (teams.policies has "
                                 f"{sorted(self.policies) or 'none'})")
        return self
