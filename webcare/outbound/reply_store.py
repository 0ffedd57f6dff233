"""Personal replies in the store (``outbound_replies``, migration 3), once per author.

:meth:`ReplyStore.plan` inserts with ``ON CONFLICT DO NOTHING`` on ``UNIQUE (incident_key,
author_platform, author_key, kind)``: however many posts an author wrote and however many
workers plan at once, an author gets one ``status`` reply and one ``resolved`` follow-up per
incident. :meth:`claim` moves one pending reply to ``sending`` only while the channel has sent
fewer than its ``replies_per_minute`` in the last 60 s of the delivery clock; on SQLite the
claim runs under ``BEGIN IMMEDIATE`` and on PostgreSQL under a per-channel advisory lock, so
the count holds with several workers too.
"""

from __future__ import annotations

from typing import Any

from sinks.store.app_db import iso, new_id
from sinks.store.app_store import AppStore
from webcare.outbound.store import counts_by_channel

WINDOW_SECONDS = 60.0
_COLUMNS = ("reply_id, incident_key, kind, author_platform, author_handle, post_id, post_at, "
            "channel, lang, body, state, reason, created_at, attempts, platform_ref, sent_at, "
            "http_status, error")


def author_key(handle: str) -> str:
    """One author however the handle is written (``@Ann``, ``ann``)."""
    return handle.strip().lstrip("@").casefold()


class ReplyStore:
    def __init__(self, app: AppStore) -> None:
        self.db = app.db

    def plan(self, row: dict[str, Any], now) -> bool:
        """Add a reply (``state`` pending or skipped with ``reason``); False if the author
        already has this kind of reply for the incident."""
        with self.db.tx():
            return self.db.run(
                "INSERT INTO outbound_replies (reply_id, incident_key, kind, author_platform, "
                "author_key, author_handle, post_id, post_at, channel, lang, body, state, "
                "reason, created_at, next_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) "
                "ON CONFLICT (incident_key, author_platform, author_key, kind) DO NOTHING",
                (new_id(), row["incident_key"], row["kind"], row["platform"],
                 author_key(row["handle"]), row["handle"], row["post_id"], row["post_at"],
                 row.get("channel"), row["lang"], row["body"], row["state"], row.get("reason"),
                 iso(now))) == 1

    def of(self, incident_key: str, kind: str | None = None,
           states: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        sql, params = f"SELECT {_COLUMNS} FROM outbound_replies WHERE incident_key = ?", [
            incident_key]
        if kind:
            sql, params = sql + " AND kind = ?", params + [kind]
        if states:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            params += states
        return self.db.rows(sql + " ORDER BY created_at, author_key", params)

    def get(self, reply_id: str) -> dict[str, Any] | None:
        return self.db.one(f"SELECT {_COLUMNS} FROM outbound_replies WHERE reply_id = ?",
                           (reply_id,))

    def counts(self) -> dict[str, dict[str, int]]:
        return counts_by_channel(self.db, "outbound_replies")

    def due(self, now_ts: float, limit: int = 200) -> list[dict[str, Any]]:
        return self.db.rows(
            "SELECT reply_id, channel FROM outbound_replies WHERE (state = 'pending' AND "
            "next_ts <= ?) OR (state = 'sending' AND lease_ts < ?) ORDER BY created_at, "
            "reply_id LIMIT ?", (now_ts, now_ts, limit))

    def claim(self, reply_id: str, channel: str, per_minute: int, now_ts: float,
              lease: float) -> bool:
        """pending (due) → sending, within the channel's rate; False otherwise."""
        with self.db.tx():
            if not self.db.is_sqlite:
                self.db.one("SELECT pg_advisory_xact_lock(hashtext(?)) AS locked",
                            ("outbound-rate:" + channel,))
            used = self.db.one("SELECT COUNT(*) AS n FROM outbound_replies WHERE channel = ? "
                               "AND attempt_ts > ?", (channel, now_ts - WINDOW_SECONDS))["n"]
            if used >= per_minute:
                return False
            return self.db.run(
                "UPDATE outbound_replies SET state = 'sending', lease_ts = ?, attempt_ts = ? "
                "WHERE reply_id = ? AND ((state = 'pending' AND next_ts <= ?) OR "
                "(state = 'sending' AND lease_ts < ?))",
                (now_ts + lease, now_ts, reply_id, now_ts, now_ts)) == 1

    def finish(self, reply_id: str, state: str, now, ref: str | None = None,
               error: str | None = None, status: int | None = None,
               next_ts: float | None = None, reason: str | None = None) -> None:
        """published (with ``ref``), pending again (``next_ts``), failed or skipped."""
        with self.db.tx():
            self.db.run(
                "UPDATE outbound_replies SET state = ?, platform_ref = COALESCE(?, platform_ref), "
                "sent_at = CASE WHEN ? = 'published' THEN ? ELSE sent_at END, error = ?, "
                "http_status = ?, next_ts = COALESCE(?, next_ts), reason = COALESCE(?, reason), "
                "attempts = attempts + 1, lease_ts = NULL WHERE reply_id = ?",
                (state, ref, state, iso(now), error and error[:1000], status, next_ts, reason,
                 reply_id))

    def skip_pending(self, incident_key: str, kind: str, reason: str) -> int:
        with self.db.tx():
            return self.db.run("UPDATE outbound_replies SET state = 'skipped', reason = ? "
                               "WHERE incident_key = ? AND kind = ? AND state = 'pending'",
                               (reason, incident_key, kind))
