"""Business-time arithmetic: opening hours in a time zone, minus holidays.

A :class:`BusinessCalendar` turns a policy's hours into *business intervals*, real (UTC)
stretches of time during which the SLA clock runs. Business time is elapsed real time inside
those intervals, so a day on which the clocks go forward (Europe/Amsterdam, last Sunday of
March) has an hour less of it and the day they go back an hour more, when the opening hours
span the change. Local times that do not exist (the skipped hour) map as ``zoneinfo`` maps
them (the offset before the change); intervals are clipped so they never overlap.

* :meth:`add` — the moment ``business`` of business time after ``start`` (a due time);
* :meth:`between` — business time from ``a`` to ``b`` (negative when ``b`` is before ``a``);
* :meth:`is_open` — whether the clock runs at a moment.

All arithmetic is on ``timedelta`` (microseconds), so ``between(s, add(s, d)) == d`` exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from schemas.errors import WebcareError
from webcare.desk.config import SlaPolicy, expand_days, parse_span

UTC = timezone.utc
MAX_DAYS = 3 * 366  # a search for open time gives up after this many days


class NoBusinessTime(WebcareError, ValueError):
    """A calendar without any open time in the next :data:`MAX_DAYS` days (all holidays)."""


class BusinessCalendar:
    def __init__(self, zone: str = "UTC", hours: dict[str, list[str]] | None = None,
                 country: str | None = None, subdivision: str | None = None,
                 dates: list[date] | None = None) -> None:
        self.zone = ZoneInfo(zone)
        self.week: list[list[tuple[time, time | None]]] = [[] for _ in range(7)]
        for key, spans in (hours or {"daily": ["00:00-24:00"]}).items():
            for day in expand_days(key):
                self.week[day].extend(parse_span(s) for s in spans)
        for spans in self.week:
            spans.sort(key=lambda s: s[0])
        if not any(self.week):
            raise NoBusinessTime("no opening hours in the week")
        self.closed = set(dates or ())
        self._country = None
        if country:
            import holidays

            self._country = holidays.country_holidays(country, subdiv=subdivision)
        self.always = (not self.closed and self._country is None and all(
            s == [(time(0), None)] for s in self.week))

    @classmethod
    def of(cls, policy: SlaPolicy) -> BusinessCalendar:
        return cls(policy.timezone, policy.hours, policy.holidays.country,
                   policy.holidays.subdivision, policy.holidays.dates)

    def is_holiday(self, day: date) -> bool:
        return day in self.closed or (self._country is not None and day in self._country)

    def _day(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of one local day in UTC (may be empty)."""
        if self.is_holiday(day):
            return []
        out = []
        for start, end in self.week[day.weekday()]:
            a = datetime.combine(day, start, self.zone)
            b = (datetime.combine(day + timedelta(days=1), time(0), self.zone) if end is None
                 else datetime.combine(day, end, self.zone))
            out.append((a.astimezone(UTC), b.astimezone(UTC)))
        return out

    def _intervals(self, since: datetime, backwards: bool = False
                   ) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals from ``since`` onwards (or backwards), disjoint and in order, the
        first/last clipped at ``since``."""
        if self.always:
            yield ((since, datetime.max.replace(tzinfo=UTC)) if not backwards
                   else (datetime.min.replace(tzinfo=UTC), since))
            return
        day = since.astimezone(self.zone).date() - timedelta(days=1 if not backwards else -1)
        step = timedelta(days=-1 if backwards else 1)
        edge = None  # the end (start, backwards) of the last interval given: no overlap
        for _ in range(MAX_DAYS):
            spans = self._day(day)
            for a, b in (reversed(spans) if backwards else spans):
                if not backwards:
                    a = max(a, since, edge or a)
                    if a < b:
                        edge = b
                        yield a, b
                else:
                    b = min(b, since, edge or b)
                    if a < b:
                        edge = a
                        yield a, b
            day += step
        raise NoBusinessTime(f"no open business time within {MAX_DAYS} days of {since}")

    def add(self, start: datetime, business: timedelta) -> datetime:
        """The moment ``business`` of business time after ``start`` (``start`` itself for
        zero; before it for a negative amount)."""
        start = start.astimezone(UTC)
        if business <= timedelta(0):
            if business == timedelta(0):
                return start
            left = -business
            for a, b in self._intervals(start, backwards=True):
                if b - a >= left:
                    return b - left
                left -= b - a
        left = business
        for a, b in self._intervals(start):
            if b - a >= left:
                return a + left
            left -= b - a
        raise NoBusinessTime("unreachable")  # pragma: no cover - _intervals raises first

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Business time from ``a`` to ``b`` (negative when ``b`` comes first)."""
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        if b < a:
            return -self.between(b, a)
        if self.always:
            return b - a
        total = timedelta(0)
        for start, end in self._intervals(a):
            if start >= b:
                break
            total += min(end, b) - start
            if end >= b:
                break
        return total

    def is_open(self, moment: datetime) -> bool:
        moment = moment.astimezone(UTC)
        if self.always:
            return True
        day = moment.astimezone(self.zone).date()
        return any(a <= moment < b for d in (day - timedelta(days=1), day, day +
                                             timedelta(days=1)) for a, b in self._day(d))

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` when open, else when the clock starts running again."""
        for a, _ in self._intervals(moment.astimezone(UTC)):
            return a
        raise NoBusinessTime("unreachable")  # pragma: no cover


@lru_cache(maxsize=64)
def _cached(policy_json: str) -> BusinessCalendar:
    return BusinessCalendar.of(SlaPolicy.model_validate_json(policy_json))


def calendar_of(policy: SlaPolicy) -> BusinessCalendar:
    """One calendar per distinct policy (holiday tables are built once)."""
    return _cached(policy.model_dump_json())
