"""Outbound rows in the store (migration 3): status posts (``outbound_posts``) and personal
replies (``outbound_replies``), on SQLite and PostgreSQL alike.

Used by the outbound drafting listener (the pipeline's connection), the delivery loop (its own
connection), the app and ``webcare outbound`` (:mod:`webcare.outbound`). Sending is claimed
with one conditional ``UPDATE`` (approved/pending → sending, with a lease), so two workers
never publish the same post or reply; a lease that runs out (a worker died mid-send) makes it
due again. Replies are planned with ``ON CONFLICT DO NOTHING`` on ``UNIQUE (incident_key,
author_platform, author_key, kind)``: one ``status`` reply and one ``resolved`` follow-up per
author and incident, however many workers plan at once; a reply's claim counts the channel's
sends of the last minute under ``BEGIN IMMEDIATE`` (SQLite) or a per-channel advisory lock
(PostgreSQL). A database error propagates to the caller: nothing is marked sent that was not.
"""

from __future__ import annotations

from typing import Any

from sinks.store.app_db import AppDb, iso, new_id
from sinks.store.app_store import AppStore

WINDOW_SECONDS = 60.0
TABLES = ("outbound_posts", "outbound_replies")
_POST_COLUMNS = (
    "outbound_id, incident_key, event_id, kind, channel, channel_type, lang, body, state, "
    "reason, event_at, created_at, decided_by, decided_at, attempts, next_ts, "
    "platform_post_id, platform_url, published_at, http_status, error, response_body")
_REPLY_COLUMNS = (
    "reply_id, incident_key, kind, author_platform, author_handle, post_id, post_at, "
    "channel, lang, body, state, reason, created_at, attempts, platform_ref, sent_at, "
    "http_status, error")


def counts_by_channel(db: AppDb, table: str) -> dict[str, dict[str, int]]:
    """Rows per channel and state of ``outbound_posts`` or ``outbound_replies`` (the status
    page of ``webcare outbound`` and the app)."""
    if table not in TABLES:
        raise ValueError(f"not an outbound table: {table!r}")
    found: dict[str, dict[str, int]] = {}
    for row in db.rows(f"SELECT COALESCE(channel, '-') AS channel, state, COUNT(*) AS n "
                       f"FROM {table} GROUP BY channel, state ORDER BY 1, 2"):
        found.setdefault(row["channel"], {})[row["state"]] = row["n"]
    return found


def author_key(handle: str) -> str:
    """One author however the handle is written (``@Ann``, ``ann``)."""
    return handle.strip().lstrip("@").casefold()


class OutboundPosts:
    """The SQL of status posts; :class:`webcare.outbound.store.PostStore` adds drafting and
    decisions (with their audit entries) on top."""

    def __init__(self, app: AppStore) -> None:
        self.app, self.db = app, app.db

    # -- drafting ----------------------------------------------------------------------------
    def insert_draft(self, row: dict[str, Any], outbound_id: str, state: str, stamp: str,
                     approved_by: str | None, approved_ts: float | None) -> bool:
        """Insert one post; False when this event already has its post on that channel and
        language (a replay). Joins the caller's transaction."""
        return self.db.run(
            "INSERT INTO outbound_posts (outbound_id, incident_key, event_id, kind, channel, "
            "channel_type, lang, body, state, event_at, created_at, decided_by, decided_at, "
            "approved_ts, next_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (channel, event_id, lang) DO NOTHING",
            (outbound_id, row["incident_key"], row["event_id"], row["kind"], row["channel"],
             row["channel_type"], row["lang"], row["body"], state, row["event_at"], stamp,
             approved_by, stamp if approved_by else None, approved_ts, 0.0)) == 1

    def supersede_drafts(self, incident_key: str, channel: str, lang: str, keep: str,
                         reason: str) -> int:
        """Skip (with ``reason``) the other waiting drafts of the incident, channel and
        language than ``keep``; returns how many."""
        return self.db.run(
            "UPDATE outbound_posts SET state = 'skipped', reason = ? WHERE incident_key = ? "
            "AND channel = ? AND lang = ? AND state = 'draft' AND outbound_id <> ?",
            (reason, incident_key, channel, lang, keep))

    def last_status(self, incident_key: str, channel: str) -> dict[str, Any] | None:
        """``event_at`` and ``state`` of the latest opened/updated post of this incident and
        channel (None before the first)."""
        return self.db.one("SELECT event_at, state FROM outbound_posts WHERE incident_key = ? "
                           "AND channel = ? AND kind IN ('opened', 'updated') ORDER BY event_at "
                           "DESC, created_at DESC LIMIT 1", (incident_key, channel))

    # -- reading -------------------------------------------------------------------------------
    def get(self, outbound_id: str) -> dict[str, Any] | None:
        return self.db.one(f"SELECT {_POST_COLUMNS} FROM outbound_posts WHERE outbound_id = ?",
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
        sql = f"SELECT {_POST_COLUMNS} FROM outbound_posts"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return self.db.rows(sql + " ORDER BY created_at DESC, outbound_id LIMIT ?",
                            (*params, limit))

    def counts(self) -> dict[str, dict[str, int]]:
        return counts_by_channel(self.db, "outbound_posts")

    def announced(self, incident_key: str) -> bool:
        """True once a status post (opened / updated) of the incident is published."""
        return self.db.one("SELECT 1 AS yes FROM outbound_posts WHERE incident_key = ? AND "
                           "kind IN ('opened', 'updated') AND state = 'published'",
                           (incident_key,)) is not None

    # -- decisions -----------------------------------------------------------------------------
    def set_decision(self, outbound_id: str, target: str, body: str, reason: str | None,
                     actor: str, stamp: str, approved_ts: float | None) -> bool:
        """Move a draft to ``target`` (``draft`` for an edit, ``approved``, ``rejected``) with
        its text; False when the post is no longer a draft (someone else decided first)."""
        return self.db.run(
            "UPDATE outbound_posts SET state = ?, body = ?, reason = COALESCE(?, reason), "
            "decided_by = CASE WHEN ? = 'draft' THEN decided_by ELSE ? END, "
            "decided_at = CASE WHEN ? = 'draft' THEN decided_at ELSE ? END, approved_ts = ? "
            "WHERE outbound_id = ? AND state = 'draft'",
            (target, body, reason, target, actor, target, stamp, approved_ts,
             outbound_id)) == 1

    # -- delivery ------------------------------------------------------------------------------
    def due(self, now_ts: float, limit: int = 50) -> list[str]:
        """Ids of approved posts whose time has come and of sends whose lease ran out."""
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


class ReplyStore:
    """Personal replies (``outbound_replies``), once per author and incident."""

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
        sql, params = f"SELECT {_REPLY_COLUMNS} FROM outbound_replies WHERE incident_key = ?", [
            incident_key]
        if kind:
            sql, params = sql + " AND kind = ?", params + [kind]
        if states:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            params += states
        return self.db.rows(sql + " ORDER BY created_at, author_key", params)

    def get(self, reply_id: str) -> dict[str, Any] | None:
        return self.db.one(f"SELECT {_REPLY_COLUMNS} FROM outbound_replies WHERE reply_id = ?",
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


def incident_poster_rows(db: AppDb, incident_key: str) -> list[dict[str, Any]]:
    """The incident's evidence posts (``post_id``, ``platform``, ``author_handle``, ``lang``,
    ``created_at``), oldest first: whom outbound may answer personally."""
    return db.rows("SELECT p.post_id, p.platform, p.author_handle, p.lang, p.created_at "
                   "FROM incident_posts ip JOIN posts p ON p.post_id = ip.post_id WHERE "
                   "ip.incident_key = ? ORDER BY p.created_at, p.post_id", (incident_key,))


def incident_languages(db: AppDb, incident_key: str) -> list[str]:
    """The distinct languages of the incident's evidence posts, sorted (drafting in the
    posters' languages)."""
    return [r["lang"] for r in db.rows(
        "SELECT DISTINCT p.lang FROM incident_posts ip JOIN posts p ON p.post_id = "
        "ip.post_id WHERE ip.incident_key = ? ORDER BY p.lang", (incident_key,))]
