"""The one SLA clock: which team and policy an item falls under, its due times and the
business time left. The queue and item pages, the JSON API, the dashboard figures, the
assignment pass and the alerts evaluator (``item.sla_breach``) all call :meth:`Desk.item_sla`
(or :meth:`Desk.first_response_due`), so they always agree.

Targets per urgency, in business minutes of the policy's calendar:

* ``first_response`` — from the post to the first agent reply; runs while the item is open,
  claimed, or escalated without a reply yet;
* ``next_response`` — from the latest reply to the next, while the item is escalated (the
  author is owed an update);
* ``resolution`` — from the post to the item's close (replied or dismissed), when configured.

Without a ``teams:`` section the policy is 24/7 UTC with ``app.sla_minutes``: the due time is
the post time plus those minutes, as before.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from schemas import QueueItem
from sinks.store.app_db import iso as _iso
from webcare.desk.clock import BusinessCalendar, calendar_of
from webcare.desk.config import SlaPolicy, Team, TeamsConfig

ACTIVE = ("open", "claimed", "escalated")
DEFAULT_POLICY = "default"


class Desk:
    """Teams, policies and calendars of one config (build once per process)."""

    def __init__(self, teams: TeamsConfig | None = None,
                 sla_minutes: dict[str, int] | None = None) -> None:
        self.config = teams or TeamsConfig()
        self.sla_minutes = dict(sla_minutes or {"critical": 15, "high": 60, "medium": 240,
                                                "low": 1440})
        self.teams = {t.name: t for t in self.config.teams}
        base = (self.config.policies[self.config.default_policy]
                if self.config.default_policy else SlaPolicy())
        self.default = base

    @classmethod
    def of(cls, config: Any) -> Desk:
        """The desk of a whole :class:`webcare.job.config.WebcareConfig`."""
        return cls(getattr(config, "teams", None), config.app.sla_minutes)

    # -- teams --------------------------------------------------------------------------
    def team_for(self, brand: str | None, topic: str, lang: str, platform: str) -> Team | None:
        """The first configured team whose ``match`` takes the item (None: no team)."""
        for team in self.config.teams:
            if team.match.matches(brand, topic, lang, platform):
                return team
        return None

    def team_of_item(self, item: QueueItem, brand: str | None,
                     team: str | None = None) -> Team | None:
        """The item's recorded team (the assignment pass's) or the first team matching it."""
        if team and team in self.teams:
            return self.teams[team]
        return self.team_for(brand, item.topic, item.lang, item.platform)

    def policy_name(self, team: Team | None) -> str:
        if team is not None and team.policy:
            return team.policy
        return self.config.default_policy or DEFAULT_POLICY

    def policy(self, team: Team | None) -> SlaPolicy:
        if team is not None and team.policy:
            return self.config.policies[team.policy]
        return self.default

    def calendar(self, team: Team | None) -> BusinessCalendar:
        return calendar_of(self.policy(team))

    def targets(self, team: Team | None, kind: str) -> dict[str, int] | None:
        policy = self.policy(team)
        first = policy.first_response or self.sla_minutes
        if kind == "first_response":
            return first
        if kind == "next_response":
            return policy.next_response or first
        return policy.resolution

    # -- the clock ----------------------------------------------------------------------
    def due(self, team: Team | None, kind: str, urgency: str, since: datetime
            ) -> tuple[datetime, int] | None:
        """(due time, target minutes) of one target from ``since`` (None: not configured)."""
        targets = self.targets(team, kind)
        if not targets or urgency not in targets:
            return None
        minutes = targets[urgency]
        return self.calendar(team).add(since, timedelta(minutes=minutes)), minutes

    def first_response_due(self, item: QueueItem, brand: str | None,
                           team: str | None = None) -> tuple[datetime, int]:
        """(due time, target minutes) of the item's first response (the alerts use this)."""
        found = self.team_of_item(item, brand, team)
        return self.due(found, "first_response", item.urgency, item.created_at)

    def left_for(self, item: QueueItem, brand: str | None, due: datetime,
                 at: datetime) -> timedelta:
        """Business time from ``at`` to the item's ``due`` on its team's calendar."""
        return self.calendar(self.team_of_item(item, brand)).between(at, due)

    def calendars(self) -> list[tuple[BusinessCalendar, int]]:
        """Every calendar in use with the longest first-response target on it (minutes)."""
        out = [(self.calendar(None), max((self.targets(None, "first_response") or {0: 0})
                                         .values()))]
        for team in self.config.teams:
            out.append((self.calendar(team),
                        max((self.targets(team, "first_response") or {0: 0}).values())))
        return out

    def earliest_due_from(self, moment: datetime) -> datetime:
        """The earliest creation time whose first response can be due at or after
        ``moment`` on any policy (items created before it were due before it)."""
        return min(calendar.add(moment, -timedelta(minutes=minutes))
                   for calendar, minutes in self.calendars())

    def left(self, team: Team | None, due: datetime, at: datetime) -> timedelta:
        """Business time from ``at`` to ``due`` (negative: that much past the due time)."""
        return self.calendar(team).between(at, due)

    def item_sla(self, item: QueueItem, at: datetime, brand: str | None = None,
                 team: str | None = None, first_reply_at: datetime | None = None,
                 last_reply_at: datetime | None = None,
                 closed_at: datetime | None = None) -> dict[str, Any]:
        """Everything the pages, the API and the figures show about one item's SLA at ``at``.

        ``deadline`` / ``seconds_left`` / ``breached`` are those of the target that runs now
        (``target``: first_response or next_response; for a closed item the first response,
        measured at the first reply). ``seconds_left`` is business time; ``paused`` says the
        clock stands still now (outside the policy's hours); ``live`` says the time left runs
        like the wall clock until the due time (a page may count it down)."""
        found = self.team_of_item(item, brand, team)
        calendar = self.calendar(found)
        status = item.status
        kind, since = "first_response", item.created_at
        if status == "escalated" and last_reply_at is not None:
            kind, since = "next_response", last_reply_at
        due, minutes = self.due(found, kind, item.urgency, since)
        active = status in ACTIVE and not (kind == "first_response" and first_reply_at)
        stop = at if active else (first_reply_at if kind == "first_response" else None) or at
        left = calendar.between(stop, due)
        out: dict[str, Any] = {
            "target": kind, "target_minutes": minutes, "deadline": _iso(due),
            "seconds_left": int(left.total_seconds()),
            "breached": (stop >= due) if (active or first_reply_at) else False,
            "met": (not active and first_reply_at is not None and first_reply_at < due),
            "active": active, "paused": active and not calendar.is_open(at),
            "live": active and (due - at) == left,
            "waiting_seconds": int((at - item.created_at).total_seconds()),
            "business_waiting_seconds": int(calendar.between(item.created_at, stop)
                                            .total_seconds()),
            "team": found.name if found else None, "policy": self.policy_name(found),
            "timezone": self.policy(found).timezone}
        resolution = self.due(found, "resolution", item.urgency, item.created_at)
        if resolution is not None:
            rdue, rminutes = resolution
            open_now = status in ACTIVE
            rstop = at if open_now else (closed_at or at)
            out["resolution"] = {
                "deadline": _iso(rdue), "target_minutes": rminutes,
                "seconds_left": int(calendar.between(rstop, rdue).total_seconds()),
                "breached": rstop >= rdue, "active": open_now}
        return out
