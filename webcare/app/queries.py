"""Read side of the app: the filtered queue with SLA deadlines, one item with its context.

The SQL is in :mod:`sinks.store.queue` (filters are bound parameters on fixed SQL fragments;
the order is priority, then waiting time); here the rows become :class:`QueueItem` views with
their SLA deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from schemas import Decision, QueueItem
from sinks.store import assignment as desk_rows
from sinks.store import posts as post_rows
from sinks.store import queue as queue_rows
from sinks.store.app_db import now, parse_iso
from sinks.store.app_store import AppStore
from sinks.store.post_facts import conversation_root_key
from webcare.app.config import AppConfig
from webcare.desk.sla import Desk

FILTERS = queue_rows.FILTER_COLUMNS
OPEN_STATUSES = ("open", "claimed")
STATUSES = ("open", "claimed", "replied", "escalated", "dismissed")


@dataclass
class QueueFilter:
    topic: str | None = None
    platform: str | None = None
    lang: str | None = None
    urgency: str | None = None
    mine: bool = False
    status: str | None = None  # one status, or None for open + claimed
    brand: str | None = None
    team: str | None = None  # the team the assignment pass gave the item
    text: str | None = None  # full-text search (sinks.store.search; BadSearch when unreadable)

    def active(self) -> dict[str, str]:
        return {k: v for k in (*FILTERS, "status", "brand", "team") if (v := getattr(self, k))}


def desk_of(st: Any) -> Desk:
    """The app state's :class:`Desk` (teams, SLA policies, calendars), built once."""
    found = getattr(st, "_desk", None)
    if found is None:
        found = st._desk = Desk.of(st.config)
    return found


def clock(app: AppStore, config: AppConfig) -> tuple[datetime, bool]:
    """(now, replayed): the SLA clock; a store holding only old posts runs on replay time."""
    wall = now()
    if config.clock == "wall":
        return wall, False
    text = post_rows.latest_post_at(app.db)
    latest = parse_iso(text) if text else None
    if latest is None or (config.clock == "auto" and latest > wall - timedelta(days=1)):
        return wall, False
    return latest, True


def sla(item: QueueItem, config: AppConfig, at: datetime, desk: Desk | None = None,
        facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """The item's SLA on the desk's one clock (:meth:`webcare.desk.sla.Desk.item_sla`):
    due time, business time left, paused, team and policy. ``facts``: brand, team, first and
    last reply, close time (:func:`sinks.store.assignment.sla_facts`)."""
    desk = desk or Desk(None, config.sla_minutes)
    facts = facts or {}
    when = (lambda key: parse_iso(facts[key]) if facts.get(key) else None)  # noqa: E731
    return desk.item_sla(item, at, facts.get("brand"), facts.get("team"),
                         when("first_reply_at"), when("last_reply_at"), when("closed_at"))


def _row(row: dict[str, Any], config: AppConfig, at: datetime, desk: Desk | None = None,
         facts: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    item = QueueItem.model_validate_json(row["item_json"])
    item = item.model_copy(update={"status": row["status"]})
    fact = (facts or {}).get(item.post_id, {})
    return {"item": item, "owner": row.get("owner"), "claimed_at": row.get("claimed_at"),
            "brand": fact.get("brand"), "sla": sla(item, config, at, desk, fact)}


def _rows(app: AppStore, rows: list[dict[str, Any]], config: AppConfig, at: datetime,
          desk: Desk | None) -> list[dict[str, Any]]:
    ids = [QueueItem.model_validate_json(r["item_json"]).post_id for r in rows]
    facts = desk_rows.sla_facts(app.db, ids)
    return [_row(row, config, at, desk, facts) for row in rows]


def queue(app: AppStore, config: AppConfig, flt: QueueFilter, user: str, at: datetime,
          limit: int | None = None, desk: Desk | None = None,
          offset: int = 0) -> list[dict[str, Any]]:
    statuses = (flt.status,) if flt.status else OPEN_STATUSES
    filters = {column: value for column in FILTERS if (value := getattr(flt, column))}
    rows = queue_rows.queue_rows(app.db, statuses, filters, user if flt.mine else None,
                                 limit or config.queue_limit, brand=flt.brand or None,
                                 team=flt.team or None, text=flt.text or None, offset=offset)
    return _rows(app, rows, config, at, desk)


def facets(app: AppStore) -> dict[str, list[str]]:
    """Values present in the queue, for the filter menus (brands included)."""
    return {**queue_rows.facet_values(app.db), "brand": queue_rows.brand_values(app.db)}


def queue_version(app: AppStore) -> str:
    """Changes whenever an item arrives or an action is audited (for server-sent events)."""
    return queue_rows.version(app.db)


def item(app: AppStore, config: AppConfig, post_id: str, at: datetime,
         desk: Desk | None = None) -> dict[str, Any] | None:
    row = queue_rows.item_row(app.db, post_id)
    if row is None:
        return None
    view = _rows(app, [row], config, at, desk)[0]
    decision = Decision.model_validate_json(row["decision_json"])
    view["item"] = view["item"].model_copy(update={"incident_key": row["incident_key"]})
    view.update(decision=decision, thread=thread(app, decision),
                author_posts=author_posts(app, decision, config, at, desk=desk))
    key = row["incident_key"]
    view["incident"] = queue_rows.incident_summary(app.db, key) if key else None
    return view


def thread(app: AppStore, decision: Decision, limit: int = 20) -> list[Decision]:
    """Other posts of the same conversation (by ``conversation_id`` / ``reply_to_id``)."""
    post = decision.post
    rows = queue_rows.thread_rows(app.db, post.id, conversation_root_key(post), limit)
    return [Decision.model_validate_json(r["decision_json"]) for r in rows]


def author_posts(app: AppStore, decision: Decision, config: AppConfig,
                 at: datetime, limit: int = 20, desk: Desk | None = None) -> list[dict[str, Any]]:
    """Earlier queue items of the same author (any status)."""
    rows = queue_rows.author_rows(app.db, decision.post.author.handle, decision.post.platform,
                                  decision.post.id, limit)
    return _rows(app, rows, config, at, desk)
