"""The idempotency records of replies sent from the app (``reply_sends``).

Called by :func:`webcare.app.replies.send_reply` around each reply to a platform: a key's row is
claimed with one ``INSERT ... ON CONFLICT DO NOTHING`` before anything is sent, so a double
click or two racing requests send at most once; the outcome is written back afterwards. The
table is created on first use (:func:`ensure_table`). Every function runs on SQLite and
PostgreSQL; a database error propagates and the reply is not sent (or not recorded as sent).
"""

from __future__ import annotations

from typing import Any

from sinks.store.app_db import AppDb, iso, now

TABLE = """CREATE TABLE IF NOT EXISTS reply_sends (
    idem_key TEXT PRIMARY KEY,
    post_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    platform TEXT NOT NULL,
    mode TEXT NOT NULL,
    state TEXT NOT NULL,
    platform_ref TEXT,
    http_status INTEGER,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
)"""
INDEX = "CREATE INDEX IF NOT EXISTS reply_sends_post ON reply_sends (post_id)"


def ensure_table(db: AppDb) -> None:
    """``reply_sends`` on first use (once per connection). PostgreSQL's ``CREATE TABLE IF NOT
    EXISTS`` can still collide with a concurrent creator: then the other one made it and we go
    on; any other failure is raised (the reply is not sent)."""
    if getattr(db, "_reply_sends_ready", False):
        return
    for statement in (TABLE, INDEX):
        try:
            db.run(statement)
        except Exception:
            if db.is_sqlite or db.one("SELECT to_regclass('reply_sends') AS t")["t"] is None:
                raise
    db._reply_sends_ready = True


def claim(db: AppDb, key: str, post_id: str, actor: str, platform: str,
          mode: str) -> tuple[str, dict[str, Any] | None]:
    """Claim the send of key ``key`` (state ``sending``) in one transaction. Returns
    ``("claimed", None)`` when this caller may send (a new key, or a retry of a ``failed``
    one), ``("sent", row)`` when an earlier request sent it (``row`` has ``mode`` and
    ``platform_ref``), ``("busy", None)`` while another request is sending it."""
    stamp = iso(now())
    with db.tx():
        fresh = db.run(
            "INSERT INTO reply_sends (idem_key, post_id, actor, platform, mode, state, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'sending', ?, ?) "
            "ON CONFLICT (idem_key) DO NOTHING",
            (key, post_id, actor, platform, mode, stamp, stamp)) == 1
        if fresh:
            return "claimed", None
        row = db.one("SELECT state, mode, platform_ref FROM reply_sends WHERE idem_key = ?",
                     (key,))
        if row["state"] == "sent":
            return "sent", row
        retried = row["state"] == "failed" and db.run(
            "UPDATE reply_sends SET state = 'sending', mode = ?, updated_at = ? "
            "WHERE idem_key = ? AND state = 'failed'", (mode, stamp, key)) == 1
        return ("claimed", None) if retried else ("busy", None)


def finish(db: AppDb, key: str, state: str, ref: str | None, status: int | None = None,
           error: str | None = None) -> None:
    """Record a claimed send's outcome: ``sent`` (with the platform's reply id) or ``failed``
    (HTTP status and reason; a later retry may claim it again). Joins the caller's
    transaction, so the reply row and the audit entry are written with it."""
    db.run("UPDATE reply_sends SET state = ?, platform_ref = ?, http_status = ?, error = ?, "
           "updated_at = ? WHERE idem_key = ?", (state, ref, status, error, iso(now()), key))
