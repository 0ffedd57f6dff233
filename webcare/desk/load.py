"""What a lead sees: per team and agent the open assigned items, capacity, availability, the
oldest waiting item and the items whose SLA is at risk (on the one clock of
:class:`webcare.desk.sla.Desk`). Used by the ``/teams`` page, ``GET /api/v1/teams/load`` and
``webcare teams load``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas import QueueItem
from sinks.store import assignment as rows
from sinks.store.app_db import parse_iso
from sinks.store.app_store import AppStore
from webcare.desk.assign import available, settings
from webcare.desk.sla import Desk

AT_RISK = 0.25  # an item is at risk when less than this share of its target is left


def at_risk(sla: dict[str, Any]) -> bool:
    """Breached, or less than :data:`AT_RISK` of the target left (active items only)."""
    if not sla["active"]:
        return False
    return sla["breached"] or sla["seconds_left"] < sla["target_minutes"] * 60 * AT_RISK


def team_load(app: AppStore, desk: Desk, at: datetime) -> list[dict[str, Any]]:
    status, load = rows.statuses(app.db), rows.loads(app.db)
    items = rows.open_items(app.db)
    facts = rows.sla_facts(app.db, [r["post_id"] for r in items])
    per_team: dict[str | None, list[dict]] = {}
    for row in items:
        item = QueueItem.model_validate_json(row["item_json"]).model_copy(
            update={"status": row["status"]})
        fact = facts.get(row["post_id"], {})
        sla = desk.item_sla(item, at, row["brand"], row["team"],
                            _when(fact.get("first_reply_at")), _when(fact.get("last_reply_at")))
        per_team.setdefault(sla["team"], []).append({"item": item, "owner": row["owner"],
                                                    "sla": sla})
    out = []
    for team in desk.config.teams:
        mine = per_team.get(team.name, [])
        strategy, capacity, reassign = settings(desk, team)
        free = set(available(desk, team, status, load, at))
        agents = []
        for member in team.members:
            owned = [x for x in mine if x["owner"] == member]
            agents.append({
                "agent": member, "status": status.get(member, "away"),
                "available": member in free, "open_assigned": load.get(member, 0),
                "open_in_team": len(owned), "capacity": capacity,
                "oldest_waiting": _oldest(owned),
                "sla_at_risk": sum(at_risk(x["sla"]) for x in owned),
                "sla_breached": sum(x["sla"]["breached"] and x["sla"]["active"]
                                    for x in owned)})
        waiting = [x for x in mine if x["owner"] is None]
        out.append({
            "team": team.name, "policy": desk.policy_name(team),
            "timezone": desk.policy(team).timezone, "in_hours": desk.calendar(team).is_open(at),
            "strategy": strategy, "capacity": capacity, "reassign_after_minutes": reassign,
            "open": len(mine), "unassigned": len(waiting), "oldest_waiting": _oldest(mine),
            "sla_at_risk": sum(at_risk(x["sla"]) for x in mine),
            "sla_breached": sum(x["sla"]["breached"] for x in mine if x["sla"]["active"]),
            "agents": agents})
    return out


def _oldest(entries: list[dict]) -> dict[str, Any] | None:
    if not entries:
        return None
    first = min(entries, key=lambda x: x["item"].created_at)
    return {"post_id": first["item"].post_id, "created_at": first["item"].created_at.isoformat(),
            "waiting_seconds": first["sla"]["waiting_seconds"]}


def _when(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None
