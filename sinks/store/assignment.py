"""Teams and assignment in the store (migration 9, ``desk_schema.sql``): agents' availability,
each item's team and assigned agent, the pass lease, the round-robin position, team load and
the facts the SLA clock needs (first/last reply, close time).

Called by :mod:`webcare.desk.assign` (the periodic pass, ``webcare assign``), the app's team
pages and API, and the queue views. An assignment *is* a claim: the agent becomes the item's
owner in ``claims`` through the same conditional ``UPDATE ... WHERE owner IS NULL`` an agent's
own claim uses, so an automatic assignment never takes an item somebody already claimed.
Reassignment is a compare-and-set on the owner and the assignment's ``version``: of several
processes running the pass at once, exactly one moves an item, and a repeated pass (after a
restart) finds nothing left to do. Every change is audited in the same transaction (actor
``system:assignment`` for the pass, the lead's name for a manual assignment).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sinks.store.app_db import AppDb, iso
from sinks.store.app_store import AppStore

STATUSES = ("online", "away")
CHUNK = 500


# -- availability ---------------------------------------------------------------------------
def set_status(app: AppStore, name: str, status: str, at: datetime, actor: str) -> str | None:
    """Set an agent's availability (online/away); audited; returns the status before."""
    if status not in STATUSES:
        raise ValueError(f"availability is one of {', '.join(STATUSES)}")
    with app.db.tx():
        row = app.db.one("SELECT status FROM agent_status WHERE name = ?", (name,))
        before = row["status"] if row else None
        app.db.run("INSERT INTO agent_status (name, status, updated_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (name) DO UPDATE SET status = excluded.status, "
                   "updated_at = excluded.updated_at", (name, status, iso(at)))
        if before != status:
            app.audit(actor, "agent.status", None, {"name": name, "status": before},
                      {"name": name, "status": status})
    return before


def statuses(db: AppDb) -> dict[str, str]:
    """Agent → online/away (agents never toggled are missing: away)."""
    return {r["name"]: r["status"] for r in db.rows("SELECT name, status FROM agent_status")}


# -- the pass lease ---------------------------------------------------------------------------
def acquire_lease(db: AppDb, name: str, holder: str, now_ts: float, seconds: float) -> bool:
    """Hold the lease ``name`` for ``seconds`` (renewed when ``holder`` has it already);
    False while another holder's lease runs. One conditional UPDATE decides."""
    with db.tx():
        db.run("INSERT INTO desk_leases (name, holder, until_ts) VALUES (?, NULL, 0) "
               "ON CONFLICT (name) DO NOTHING", (name,))
        won = db.run("UPDATE desk_leases SET holder = ?, until_ts = ? WHERE name = ? AND "
                     "(until_ts < ? OR holder = ? OR holder IS NULL)",
                     (holder, now_ts + seconds, name, now_ts, holder))
    return won == 1


def release_lease(db: AppDb, name: str, holder: str) -> None:
    with db.tx():
        db.run("UPDATE desk_leases SET holder = NULL, until_ts = 0 WHERE name = ? AND "
               "holder = ?", (name, holder))


# -- reads of the pass ------------------------------------------------------------------------
_ITEM = ("SELECT q.post_id, q.item_json, q.status, q.created_at, p.brand, a.team, a.agent, "
         "a.assigned_at, a.version, c.owner FROM queue_items q JOIN posts p "
         "ON p.post_id = q.post_id LEFT JOIN claims c ON c.post_id = q.post_id "
         "LEFT JOIN assignments a ON a.post_id = q.post_id ")


def unassigned(db: AppDb, since: datetime, limit: int = 500) -> list[dict[str, Any]]:
    """Open items without an owner created at or after ``since``, highest priority first."""
    return db.rows(_ITEM + "WHERE q.status = 'open' AND c.owner IS NULL AND q.created_at >= ? "
                   "ORDER BY q.priority DESC, q.created_at, q.post_id LIMIT ?",
                   (iso(since), limit))


def without_team(db: AppDb, limit: int = 2000) -> list[dict[str, Any]]:
    """Open or claimed items not yet given a team (no assignment row)."""
    return db.rows(_ITEM + "WHERE q.status IN ('open', 'claimed') AND a.post_id IS NULL "
                   "ORDER BY q.created_at, q.post_id LIMIT ?", (limit,))


def overdue(db: AppDb, assigned_before: datetime, limit: int = 500) -> list[dict[str, Any]]:
    """Items the pass assigned at or before ``assigned_before`` that are still claimed by that
    agent without any reply (candidates for reassignment), oldest assignment first."""
    return db.rows(_ITEM + "WHERE q.status = 'claimed' AND a.agent IS NOT NULL AND "
                   "c.owner = a.agent AND a.assigned_at <= ? AND NOT EXISTS (SELECT 1 FROM "
                   "replies r WHERE r.post_id = q.post_id) ORDER BY a.assigned_at, q.post_id "
                   "LIMIT ?", (iso(assigned_before), limit))


def loads(db: AppDb) -> dict[str, int]:
    """Open assigned items (claimed, not yet answered or closed) per owner."""
    return {r["owner"]: r["n"] for r in db.rows(
        "SELECT c.owner AS owner, COUNT(*) AS n FROM claims c JOIN queue_items q "
        "ON q.post_id = c.post_id WHERE c.owner IS NOT NULL AND q.status = 'claimed' "
        "GROUP BY c.owner")}


def open_items(db: AppDb, limit: int = 5000) -> list[dict[str, Any]]:
    """Every open or claimed item with its brand, team, owner and assignment (team load)."""
    return db.rows(_ITEM + "WHERE q.status IN ('open', 'claimed') ORDER BY q.created_at, "
                   "q.post_id LIMIT ?", (limit,))


def last_agent(db: AppDb, team: str) -> str | None:
    row = db.one("SELECT last_agent FROM desk_rotation WHERE team = ?", (team,))
    return row["last_agent"] if row else None


# -- writes ----------------------------------------------------------------------------------
def set_team(app: AppStore, post_id: str, team: str | None, at: datetime) -> bool:
    """Record the item's team (no agent) when it has no assignment row yet."""
    with app.db.tx():
        return app.db.run("INSERT INTO assignments (post_id, team, agent, assigned_at, "
                          "updated_at) VALUES (?, ?, NULL, NULL, ?) ON CONFLICT (post_id) "
                          "DO NOTHING", (post_id, team, iso(at))) == 1


def assign(app: AppStore, post_id: str, team: str | None, agent: str, at: datetime,
           actor: str, expect_owner: str | None = None, reason: str = "new",
           expect_version: int | None = None) -> bool:
    """Make ``agent`` the item's owner if the owner is still ``expect_owner`` (None: nobody)
    and, when given, the assignment still at ``expect_version``; record team and agent, move
    an open item to claimed and audit it, all in one transaction. False: somebody else got
    there first (nothing changed)."""
    stamp = iso(at)
    with app.db.tx():
        app.db.run("INSERT INTO claims (post_id, owner, claimed_at) VALUES (?, NULL, NULL) "
                   "ON CONFLICT (post_id) DO NOTHING", (post_id,))
        app.db.run("INSERT INTO assignments (post_id, team, agent, assigned_at, updated_at) "
                   "VALUES (?, ?, NULL, NULL, ?) ON CONFLICT (post_id) DO NOTHING",
                   (post_id, team, stamp))
        row = app.db.one("SELECT version FROM assignments WHERE post_id = ?", (post_id,))
        version = row["version"]
        if expect_version is not None and version != expect_version:
            return False
        if expect_owner is None:
            won = app.db.run("UPDATE claims SET owner = ?, claimed_at = ? WHERE post_id = ? "
                             "AND owner IS NULL", (agent, stamp, post_id))
        else:
            won = app.db.run("UPDATE claims SET owner = ?, claimed_at = ? WHERE post_id = ? "
                             "AND owner = ?", (agent, stamp, post_id, expect_owner))
        if won != 1:
            return False
        moved = app.db.run("UPDATE assignments SET team = ?, agent = ?, assigned_at = ?, "
                           "version = version + 1, reassignments = reassignments + ?, "
                           "updated_at = ? WHERE post_id = ? AND version = ?",
                           (team, agent, stamp, int(expect_owner is not None), stamp, post_id,
                            version))
        if moved != 1:
            raise RuntimeError("assignment changed inside its transaction")  # cannot happen
        status = app.db.one("SELECT status FROM queue_items WHERE post_id = ?", (post_id,))
        app.db.run("UPDATE queue_items SET status = 'claimed' WHERE post_id = ? AND "
                   "status = 'open'", (post_id,))
        if team:
            app.db.run("INSERT INTO desk_rotation (team, last_agent, updated_at) VALUES "
                       "(?, ?, ?) ON CONFLICT (team) DO UPDATE SET last_agent = "
                       "excluded.last_agent, updated_at = excluded.updated_at",
                       (team, agent, stamp))
        app.audit(actor, "assign" if expect_owner is None else "reassign", post_id,
                  {"owner": expect_owner, "status": status["status"] if status else None},
                  {"owner": agent, "team": team, "status": "claimed" if status and
                   status["status"] == "open" else (status or {}).get("status")},
                  {"reason": reason})
    return True


# -- facts for the SLA clock ------------------------------------------------------------------
def sla_facts(db: AppDb, post_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Per post id: ``brand``, ``team`` (the assignment's), ``first_reply_at`` /
    ``last_reply_at`` (ISO text or None) and ``closed_at`` (the latest reply or dismissal)."""
    ids = list(dict.fromkeys(post_ids))
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk: Sequence[str] = ids[start:start + CHUNK]
        marks = ",".join("?" * len(chunk))
        for row in db.rows(
                "SELECT p.post_id, p.brand, a.team, (SELECT MIN(r.at) FROM replies r WHERE "
                "r.post_id = p.post_id) AS first_reply_at, (SELECT MAX(r.at) FROM replies r "
                "WHERE r.post_id = p.post_id) AS last_reply_at, (SELECT MAX(u.at) FROM audit u "
                "WHERE u.post_id = p.post_id AND u.action IN ('reply', 'dismiss')) AS closed_at "
                f"FROM posts p LEFT JOIN assignments a ON a.post_id = p.post_id "
                f"WHERE p.post_id IN ({marks})", chunk):
            out[row.pop("post_id")] = row
    return out
