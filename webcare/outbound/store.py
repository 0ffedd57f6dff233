"""Status posts in the store (``outbound_posts``, migration 3): drafts, decisions, delivery marks.

Used by the drafting listener (pipeline thread, the pipeline's connection), by the delivery loop
(its own connection), by the app and by ``webcare outbound``. Works on SQLite and PostgreSQL
through :class:`sinks.store.app_store.AppStore`; every approval, edit and rejection writes its audit
entry in the same transaction. Sending is claimed with one conditional ``UPDATE`` (approved →
sending, with a lease), so two workers never publish the same post; a lease that runs out (a
worker died mid-send) makes the post due again.
"""

from __future__ import annotations

from typing import Any

from sinks.store.app_db import iso, new_id
from sinks.store.app_store import AppStore

OPEN_STATES = ("draft", "approved", "sending")
_COLUMNS = ("outbound_id, incident_key, event_id, kind, channel, channel_type, lang, body, state, "
            "reason, event_at, created_at, decided_by, decided_at, attempts, next_ts, "
            "platform_post_id, platform_url, published_at, http_status, error, response_body")


def counts_by_channel(db, table: str) -> dict[str, dict[str, int]]:
    """Rows per channel and state of ``outbound_posts`` or ``outbound_replies``."""
    found: dict[str, dict[str, int]] = {}
    for row in db.rows(f"SELECT COALESCE(channel, '-') AS channel, state, COUNT(*) AS n "
                       f"FROM {table} GROUP BY channel, state ORDER BY 1, 2"):
        found.setdefault(row["channel"], {})[row["state"]] = row["n"]
    return found


class Conflict(ValueError):
    """The post is no longer in the state the action needs (someone else acted first)."""


class PostStore:
    def __init__(self, app: AppStore) -> None:
        self.app, self.db = app, app.db

    # -- drafting ----------------------------------------------------------------------------
    def add(self, row: dict[str, Any], approved_by: str | None, now) -> bool:
        """Insert one draft (``approved_by``: published without approval); False when this
        event already has its post on that channel (replay). Older drafts of the same incident
        and channel are skipped as superseded."""
        stamp = iso(now)
        with self.db.tx():
            outbound_id = new_id()
            state = "approved" if approved_by else "draft"
            fresh = self.db.run(
                "INSERT INTO outbound_posts (outbound_id, incident_key, event_id, kind, channel, "
                "channel_type, lang, body, state, event_at, created_at, decided_by, decided_at, "
                "approved_ts, next_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (channel, event_id, lang) DO NOTHING",
                (outbound_id, row["incident_key"], row["event_id"], row["kind"], row["channel"],
                 row["channel_type"], row["lang"], row["body"], state, row["event_at"], stamp,
                 approved_by, stamp if approved_by else None,
                 now.timestamp() if approved_by else None, 0.0)) == 1
            if not fresh:
                return False
            self.db.run("UPDATE outbound_posts SET state = 'skipped', reason = ? "
                        "WHERE incident_key = ? AND channel = ? AND lang = ? AND state = 'draft' "
                        "AND outbound_id <> ?", (f"superseded by the {row['kind']} draft",
                                                 row["incident_key"], row["channel"],
                                                 row["lang"], outbound_id))
            if approved_by:
                self._audit(approved_by, "outbound.auto_approve", outbound_id, None,
                            {"state": "approved", "body": row["body"]})
        return True

    def last_status(self, incident_key: str, channel: str) -> dict[str, Any] | None:
        """``event_at`` and ``state`` of the latest opened/updated post of this incident and
        channel (None before the first)."""
        return self.db.one("SELECT event_at, state FROM outbound_posts WHERE incident_key = ? "
                           "AND channel = ? AND kind IN ('opened', 'updated') ORDER BY event_at "
                           "DESC, created_at DESC LIMIT 1", (incident_key, channel))

    # -- reading -------------------------------------------------------------------------------
    def get(self, outbound_id: str) -> dict[str, Any] | None:
        return self.db.one(f"SELECT {_COLUMNS} FROM outbound_posts WHERE outbound_id = ?",
                           (outbound_id,))

    def list(self, states: tuple[str, ...] | None = None, incident_key: str | None = None,
             limit: int = 200) -> list[dict[str, Any]]:
        where, params = [], []
        if states:
            where.append(f"state IN ({','.join('?' * len(states))})")
            params += states
        if incident_key:
            where.append("incident_key = ?")
            params.append(incident_key)
        sql = f"SELECT {_COLUMNS} FROM outbound_posts"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self.db.rows(sql + " ORDER BY created_at DESC, outbound_id LIMIT ?",
                            (*params, limit))

    def counts(self) -> dict[str, dict[str, int]]:
        return counts_by_channel(self.db, "outbound_posts")

    # -- decisions (audited in the same transaction) -------------------------------------------
    def decide(self, outbound_id: str, actor: str, action: str, now, body: str | None = None,
               reason: str | None = None) -> dict[str, Any]:
        """``edit`` / ``approve`` / ``reject`` a draft; raises Conflict when it is not one."""
        target = {"edit": "draft", "approve": "approved", "reject": "rejected"}[action]
        with self.db.tx():
            before = self.get(outbound_id)
            if before is None:
                raise LookupError(f"no outbound post {outbound_id!r}")
            text = before["body"] if body is None else body
            changed = self.db.run(
                "UPDATE outbound_posts SET state = ?, body = ?, reason = COALESCE(?, reason), "
                "decided_by = CASE WHEN ? = 'draft' THEN decided_by ELSE ? END, "
                "decided_at = CASE WHEN ? = 'draft' THEN decided_at ELSE ? END, approved_ts = ? "
                "WHERE outbound_id = ? AND state = 'draft'",
                (target, text, reason, target, actor, target, iso(now),
                 now.timestamp() if target == "approved" else None, outbound_id))
            if changed != 1:
                raise Conflict(f"outbound post is {before['state']}, not a draft")
            self._audit(actor, f"outbound.{action}", outbound_id,
                        {"state": before["state"], "body": before["body"]},
                        {"state": target, "body": text, **({"reason": reason} if reason else {})},
                        before)
        return self.get(outbound_id)

    def _audit(self, actor: str, action: str, outbound_id: str, before: Any, after: Any,
               row: dict | None = None) -> None:
        row = row or self.get(outbound_id)
        self.app.audit(actor, action, None, before, after,
                       {"outbound_id": outbound_id, "incident_key": row["incident_key"],
                        "channel": row["channel"], "kind": row["kind"], "lang": row["lang"]})

    # -- delivery ------------------------------------------------------------------------------
    def due(self, now_ts: float, limit: int = 50) -> list[str]:
        rows = self.db.rows("SELECT outbound_id FROM outbound_posts WHERE (state = 'approved' "
                            "AND next_ts <= ?) OR (state = 'sending' AND lease_ts < ?) "
                            "ORDER BY created_at, outbound_id LIMIT ?", (now_ts, now_ts, limit))
        return [row["outbound_id"] for row in rows]

    def claim(self, outbound_id: str, now_ts: float, lease: float) -> bool:
        """approved (due) → sending; False when another worker has it or it is not due."""
        with self.db.tx():
            return self.db.run(
                "UPDATE outbound_posts SET state = 'sending', lease_ts = ? WHERE outbound_id = ? "
                "AND ((state = 'approved' AND next_ts <= ?) OR (state = 'sending' AND "
                "lease_ts < ?))", (now_ts + lease, outbound_id, now_ts, now_ts)) == 1

    def published(self, outbound_id: str, post_id: str, url: str, now) -> None:
        with self.db.tx():
            self.db.run("UPDATE outbound_posts SET state = 'published', platform_post_id = ?, "
                        "platform_url = ?, published_at = ?, attempts = attempts + 1, "
                        "error = NULL, lease_ts = NULL WHERE outbound_id = ?",
                        (post_id, url, iso(now), outbound_id))

    def retry(self, outbound_id: str, next_ts: float, error: str, status: int | None) -> None:
        with self.db.tx():
            self.db.run("UPDATE outbound_posts SET state = 'approved', next_ts = ?, error = ?, "
                        "http_status = ?, attempts = attempts + 1, lease_ts = NULL "
                        "WHERE outbound_id = ?", (next_ts, error[:1000], status, outbound_id))

    def failed(self, outbound_id: str, error: str, status: int | None, body: str | None) -> None:
        with self.db.tx():
            self.db.run("UPDATE outbound_posts SET state = 'failed', error = ?, http_status = ?, "
                        "response_body = ?, attempts = attempts + 1, lease_ts = NULL "
                        "WHERE outbound_id = ?", (error[:1000], status, body, outbound_id))

    def approved_ts(self, outbound_id: str) -> float:
        row = self.db.one("SELECT approved_ts FROM outbound_posts WHERE outbound_id = ?",
                          (outbound_id,))
        return row["approved_ts"] or 0.0
