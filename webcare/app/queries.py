"""Read side of the app: the filtered queue with SLA deadlines, one item with its context.

Filters are bound parameters on fixed SQL fragments; the order is priority, then waiting time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from schemas import Decision, QueueItem
from sinks.store.app_db import iso, like_escape, now, parse_iso
from sinks.store.app_store import AppStore
from webcare.app.config import AppConfig

FILTERS = ("topic", "platform", "lang", "urgency")
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

    def active(self) -> dict[str, str]:
        return {k: v for k in (*FILTERS, "status") if (v := getattr(self, k))}


def clock(app: AppStore, config: AppConfig) -> tuple[datetime, bool]:
    """(now, replayed): the SLA clock; a store holding only old posts runs on replay time."""
    wall = now()
    if config.clock == "wall":
        return wall, False
    row = app.db.one("SELECT MAX(created_at) AS latest FROM posts")
    latest = parse_iso(row["latest"]) if row and row["latest"] else None
    if latest is None or (config.clock == "auto" and latest > wall - timedelta(days=1)):
        return wall, False
    return latest, True


def sla(item: QueueItem, config: AppConfig, at: datetime) -> dict[str, Any]:
    deadline = item.created_at + timedelta(minutes=config.sla_minutes[item.urgency])
    left = (deadline - at).total_seconds()
    return {"deadline": iso(deadline), "seconds_left": int(left), "breached": left < 0,
            "waiting_seconds": int((at - item.created_at).total_seconds())}


def _row(row: dict[str, Any], config: AppConfig, at: datetime) -> dict[str, Any]:
    item = QueueItem.model_validate_json(row["item_json"])
    item = item.model_copy(update={"status": row["status"]})
    return {"item": item, "owner": row.get("owner"), "claimed_at": row.get("claimed_at"),
            "sla": sla(item, config, at)}


def queue(app: AppStore, config: AppConfig, flt: QueueFilter, user: str, at: datetime,
          limit: int | None = None) -> list[dict[str, Any]]:
    sql = ("SELECT q.item_json, q.status, c.owner, c.claimed_at FROM queue_items q "
           "JOIN posts p ON p.post_id = q.post_id LEFT JOIN claims c ON c.post_id = q.post_id "
           "WHERE ")
    params: list[Any] = []
    if flt.status:
        sql += "q.status = ?"
        params.append(flt.status)
    else:
        sql += "q.status IN (?, ?)"
        params.extend(OPEN_STATUSES)
    for column in FILTERS:  # column names come from this fixed tuple, values are parameters
        if value := getattr(flt, column):
            sql += f" AND p.{column} = ?"
            params.append(value)
    if flt.mine:
        sql += " AND c.owner = ?"
        params.append(user)
    sql += " ORDER BY q.priority DESC, q.created_at ASC LIMIT ?"
    params.append(limit or config.queue_limit)
    return [_row(row, config, at) for row in app.db.rows(sql, params)]


def facets(app: AppStore) -> dict[str, list[str]]:
    """Values present in the queue, for the filter menus."""
    return {column: [r["v"] for r in app.db.rows(
        f"SELECT DISTINCT p.{column} AS v FROM queue_items q JOIN posts p "
        f"ON p.post_id = q.post_id ORDER BY 1")] for column in FILTERS}


def queue_version(app: AppStore) -> str:
    """Changes whenever an item arrives or an action is audited (for server-sent events)."""
    a = app.db.one("SELECT COUNT(*) AS n, MAX(created_at) AS latest FROM queue_items")
    b = app.db.one("SELECT COUNT(*) AS n, MAX(at) AS latest FROM audit "
                   "WHERE post_id IS NOT NULL")
    return f"{a['n']}:{a['latest']}:{b['n']}:{b['latest']}"


def item(app: AppStore, config: AppConfig, post_id: str, at: datetime) -> dict[str, Any] | None:
    row = app.db.one(
        "SELECT q.item_json, q.status, q.incident_key, c.owner, c.claimed_at, p.decision_json "
        "FROM queue_items q JOIN posts p ON p.post_id = q.post_id "
        "LEFT JOIN claims c ON c.post_id = q.post_id WHERE q.post_id = ?", (post_id,))
    if row is None:
        return None
    view = _row(row, config, at)
    decision = Decision.model_validate_json(row["decision_json"])
    view["item"] = view["item"].model_copy(update={"incident_key": row["incident_key"]})
    view.update(decision=decision, thread=thread(app, decision),
                author_posts=author_posts(app, decision, config, at))
    key = row["incident_key"]
    incident = app.db.one("SELECT incident_key, status, urgency, post_count FROM incidents "
                          "WHERE incident_key = ?", (key,)) if key else None
    view["incident"] = incident
    return view


def thread(app: AppStore, decision: Decision, limit: int = 20) -> list[Decision]:
    """Other posts of the same conversation (by ``conversation_id`` / ``reply_to_id``)."""
    post = decision.post
    root = post.conversation_id or post.reply_to_id or post.id
    pattern = "%" + like_escape(f'"conversation_id":"{root}"') + "%"
    rows = app.db.rows(
        "SELECT decision_json FROM posts WHERE post_id <> ? AND (post_id = ? OR "
        "decision_json LIKE ? ESCAPE '!') ORDER BY created_at LIMIT ?",
        (post.id, root, pattern, limit))
    return [Decision.model_validate_json(r["decision_json"]) for r in rows]


def author_posts(app: AppStore, decision: Decision, config: AppConfig,
                 at: datetime, limit: int = 20) -> list[dict[str, Any]]:
    """Earlier queue items of the same author (any status)."""
    rows = app.db.rows(
        "SELECT q.item_json, q.status, c.owner, c.claimed_at FROM queue_items q "
        "JOIN posts p ON p.post_id = q.post_id LEFT JOIN claims c ON c.post_id = q.post_id "
        "WHERE p.author_handle = ? AND p.platform = ? AND q.post_id <> ? "
        "ORDER BY q.created_at DESC LIMIT ?",
        (decision.post.author.handle, decision.post.platform, decision.post.id, limit))
    return [_row(r, config, at) for r in rows]
