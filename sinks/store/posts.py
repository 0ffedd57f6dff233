"""Single-row look-ups of stored posts and incidents, shared by the app, outbound and erasure.

Every function takes the app's :class:`sinks.store.app_db.AppDb` (``AppStore.db``) and runs on
SQLite and PostgreSQL alike. A database error (store unreachable, schema not migrated)
propagates to the caller unchanged.
"""

from __future__ import annotations

from sinks.store.app_db import AppDb


def decision_json(db: AppDb, post_id: str) -> str | None:
    """The stored :class:`schemas.Decision` JSON of one post, or None when it is not stored.

    Called before a reply is sent (the post's platform ids) and by the outbound delivery loop
    (the post a personal reply answers; None means the post was erased meanwhile)."""
    row = db.one("SELECT decision_json FROM posts WHERE post_id = ?", (post_id,))
    return row["decision_json"] if row else None


def latest_post_at(db: AppDb) -> str | None:
    """ISO time of the newest stored post (None for an empty store); the app's SLA clock runs
    on it when the store holds only an old replay."""
    row = db.one("SELECT MAX(created_at) AS latest FROM posts")
    return row["latest"] if row and row["latest"] else None


def post_bounds(db: AppDb) -> tuple[str | None, str | None]:
    """ISO (oldest, newest) creation times of the stored posts (None, None when empty); the
    dashboard's and report's default window."""
    row = db.one("SELECT MIN(created_at) AS lo, MAX(created_at) AS hi FROM posts")
    return (row["lo"], row["hi"]) if row else (None, None)


def author_last_post_at(db: AppDb, platform: str, handle: str) -> str | None:
    """ISO time of the author's newest stored post on ``platform`` (the handle as stored), or
    None; outbound checks Meta's messaging window with it before a personal reply."""
    row = db.one("SELECT MAX(created_at) AS at FROM posts WHERE platform = ? AND "
                 "author_handle = ?", (platform, handle))
    return row["at"] if row and row["at"] else None


def incident_json(db: AppDb, key: str) -> str | None:
    """The stored :class:`schemas.Incident` JSON (its latest aggregates), or None when the
    incident is not stored."""
    row = db.one("SELECT incident_json FROM incidents WHERE incident_key = ?", (key,))
    return row["incident_json"] if row else None


def set_incident_json(db: AppDb, key: str, text: str) -> int:
    """Replace an incident's JSON (erasure rewrites a title or sample list); rows changed."""
    return db.run("UPDATE incidents SET incident_json = ? WHERE incident_key = ?", (text, key))
