"""The assignment pass: new queue items to available agents, stale ones to somebody else.

One pass (:func:`run_pass`), run every ``teams.assignment.interval_s`` seconds by
``webcare run`` (a thread beside the pipeline) or by ``webcare assign run`` (cron, a side
process), on SQLite or PostgreSQL:

1. takes the store's ``assignment`` lease (several processes: one runs the pass at a time;
   the others skip it);
2. records the team of every open item not yet given one (the queue's team filter);
3. when ``assignment.enabled``: assigns each unowned open item of a team to an *available*
   member — online in the app, within the team's working hours (its policy's business hours)
   and under the capacity (open assigned items) — round-robin after the last agent given one,
   or the least loaded (ties: round-robin order);
4. reassigns items whose agent has not replied within ``reassign_after_minutes`` *business*
   minutes of the assignment (the team's policy calendar, :func:`reassign_due`: an item
   assigned at 16:55 on a Friday with 30 minutes, hours 09-17, is due 09:25 on Monday) to
   another available member (the same agent keeps it when nobody else is).

Each assignment is a conditional write (:func:`sinks.store.assignment.assign`) audited in its
transaction, so a repeated or concurrent pass changes nothing twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any

from schemas import QueueItem
from sinks.store import assignment as rows
from sinks.store.app_db import parse_iso
from sinks.store.app_store import AppStore
from webcare.desk.clock import NoBusinessTime
from webcare.desk.config import Team
from webcare.desk.sla import Desk

log = logging.getLogger("webcare.desk")
ACTOR = "system:assignment"
LEASE = "assignment"


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def settings(desk: Desk, team: Team) -> tuple[str, int, float]:
    """(strategy, capacity, reassign minutes) of a team, its own or the defaults."""
    base = desk.config.assignment
    return (team.strategy or base.strategy, team.capacity or base.capacity,
            base.reassign_after_minutes if team.reassign_after_minutes is None
            else team.reassign_after_minutes)


def available(desk: Desk, team: Team, status: dict[str, str], load: dict[str, int],
              at: datetime, exclude: str | None = None) -> list[str]:
    """Members who are online, in their team's working hours, under capacity."""
    if not desk.calendar(team).is_open(at):
        return []
    _, capacity, _ = settings(desk, team)
    return [m for m in team.members if m != exclude and status.get(m) == "online"
            and load.get(m, 0) < capacity]


def pick(strategy: str, members: list[str], candidates: list[str], load: dict[str, int],
         last: str | None) -> str | None:
    """Round-robin: the first candidate after ``last`` in member order; least loaded: the
    smallest load, ties broken in that same round-robin order."""
    if not candidates:
        return None
    start = members.index(last) + 1 if last in members else 0
    order = members[start:] + members[:start]
    ranked = [m for m in order if m in candidates]
    if strategy == "least_loaded":
        return min(ranked, key=lambda m: load.get(m, 0))
    return ranked[0]


def run_pass(app: AppStore, desk: Desk, at: datetime, holder: str | None = None,
             lease_s: float | None = None) -> dict[str, Any]:
    """One pass; returns counts (``skipped`` when another process holds the lease)."""
    holder = holder or holder_id()
    lease_s = lease_s or max(60.0, desk.config.assignment.interval_s * 2)
    counts = {"teamed": 0, "assigned": 0, "reassigned": 0, "waiting": 0, "skipped": False}
    if not desk.config.teams:
        return counts
    if not rows.acquire_lease(app.db, LEASE, holder, at.timestamp(), lease_s):
        counts["skipped"] = True
        return counts
    try:
        for row in rows.without_team(app.db):
            team = _team(desk, row)
            counts["teamed"] += rows.set_team(app, row["post_id"], team.name if team else None,
                                              at)
        if desk.config.assignment.enabled:
            _assign_new(app, desk, at, counts)
            _reassign(app, desk, at, counts)
    finally:
        rows.release_lease(app.db, LEASE, holder)
    return counts


def _team(desk: Desk, row: dict) -> Team | None:
    item = QueueItem.model_validate_json(row["item_json"])
    return desk.team_of_item(item, row["brand"], row.get("team"))


def _assign_new(app: AppStore, desk: Desk, at: datetime, counts: dict) -> None:
    since = at - timedelta(hours=desk.config.assignment.lookback_hours)
    status, load = rows.statuses(app.db), rows.loads(app.db)
    for row in rows.unassigned(app.db, since):
        team = _team(desk, row)
        if team is None:
            continue
        strategy, _, _ = settings(desk, team)
        agent = pick(strategy, team.members, available(desk, team, status, load, at), load,
                     rows.last_agent(app.db, team.name))
        if agent is None:
            counts["waiting"] += 1
            continue
        if rows.assign(app, row["post_id"], team.name, agent, at, ACTOR, reason="new"):
            load[agent] = load.get(agent, 0) + 1
            counts["assigned"] += 1


def _reassign(app: AppStore, desk: Desk, at: datetime, counts: dict) -> None:
    minutes = [settings(desk, t)[2] for t in desk.config.teams]
    positive = [m for m in minutes if m > 0]
    if not positive:
        return
    status, load = rows.statuses(app.db), rows.loads(app.db)
    for row in rows.overdue(app.db, at - timedelta(minutes=min(positive))):
        team = desk.teams.get(row["team"] or "") or _team(desk, row)
        if team is None:
            continue
        strategy, _, after = settings(desk, team)
        if after <= 0 or reassign_due(desk, team, parse_iso(row["assigned_at"]), after) > at:
            continue
        old = row["agent"]
        agent = pick(strategy, team.members, available(desk, team, status, load, at, old),
                     load, rows.last_agent(app.db, team.name))
        if agent is None:
            continue
        if rows.assign(app, row["post_id"], team.name, agent, at, ACTOR, expect_owner=old,
                       expect_version=row["version"],
                       reason=f"no first reply within {after:g} min"):
            load[agent] = load.get(agent, 0) + 1
            load[old] = max(0, load.get(old, 0) - 1)
            counts["reassigned"] += 1


def reassign_due(desk: Desk, team: Team | None, assigned_at: datetime,
                 minutes: float) -> datetime:
    """When an item assigned at ``assigned_at`` without a first reply goes to somebody else:
    ``minutes`` business minutes of the team's calendar later (the wall clock is only a lower
    bound, used by the store's prefilter). A calendar without open time never reassigns."""
    try:
        return desk.calendar(team).add(assigned_at, timedelta(minutes=minutes))
    except NoBusinessTime:
        return datetime.max.replace(tzinfo=assigned_at.tzinfo)


class AssignmentLoop:
    """A daemon thread running :func:`run_pass` every ``interval_s`` on its own store
    connection (``webcare run``). A failing pass is logged; the next one tries again."""

    def __init__(self, store_config: Any, desk: Desk) -> None:
        self.store_config, self.desk = store_config, desk
        self.holder = holder_id()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="webcare-assignment",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from sinks.store.app_db import now
        from sinks.store.registry import open_store

        store = None
        while not self._stop.is_set():
            try:
                store = store or open_store(self.store_config)
                run_pass(AppStore(store), self.desk, now(), self.holder)
            except Exception as error:  # noqa: BLE001 - a pass fails, the next one retries
                log.warning("assignment pass failed: %s", error)
                if store is not None:
                    try:
                        store.close()
                    except Exception:  # noqa: BLE001
                        pass
                    store = None
            self._stop.wait(self.desk.config.assignment.interval_s)
        if store is not None:
            store.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
