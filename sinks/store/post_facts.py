"""Engagement and thread rows per post (schema version 4, ``knowledge_schema.sql``).

Both store backends call :func:`insert` inside their batch transaction for the posts that
batch newly stored (so a replay changes nothing), and :func:`backfill` right after applying
migration 4, which fills the rows of posts stored by an older release from their
``decision_json``. ``post_engagement`` keeps the counts and author followers seen at ingest
(the dashboard's reach and engagement); ``post_threads`` keeps how replies point at a post, so
answers can be paired with their question (``webcare knowledge``). A database error
propagates: the caller's transaction stores nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from schemas import Decision, Post
from sinks.store.app_db import pg_text

MIGRATION = 4
BACKFILL_CHUNK = 1000
ENGAGEMENT_SQL = ("INSERT INTO post_engagement (post_id, followers, likes, shares, replies, "
                  "quotes) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (post_id) DO NOTHING")
THREAD_SQL = ("INSERT INTO post_threads (post_id, thread_key, reply_to_key, conversation_key) "
              "VALUES (?, ?, ?, ?) ON CONFLICT (post_id) DO NOTHING")


def platform_key(platform: str, ref: str) -> str:
    """``<platform>:<ref>``, unless the platform's ids already carry the prefix (Engage)."""
    return ref if ref.startswith(f"{platform}:") else f"{platform}:{ref}"


def thread_key(post: Post) -> str:
    """The key a reply on the same platform uses for ``post`` (its ``reply_to_id``).

    Mastodon replies name the instance-local status id (``in_reply_to_id``), not the URI the
    post id is built from, so the local id of the raw status is used there.
    """
    ref = post.platform_id or post.id
    if post.platform == "mastodon" and isinstance(post.raw, dict) and post.raw.get("id"):
        ref = str(post.raw["id"])
    return platform_key(post.platform, ref)


def conversation_root_key(post: Post) -> str:
    """The thread key of the root of ``post``'s conversation: its ``conversation_id`` (else
    its parent's id) on its platform, or its own thread key when it starts one."""
    ref = post.conversation_id or post.reply_to_id
    return platform_key(post.platform, ref) if ref else thread_key(post)


def engagement_row(post: Post) -> tuple:
    e = post.engagement
    return (post.id, post.author.followers, e.likes, e.shares, e.replies, e.quotes)


def thread_row(post: Post) -> tuple:
    parent = platform_key(post.platform, post.reply_to_id) if post.reply_to_id else None
    root = (platform_key(post.platform, post.conversation_id) if post.conversation_id
            else None)
    return (post.id, thread_key(post), parent, root)


def insert(db, decisions: Iterable[Decision]) -> None:
    """Rows for the posts of ``decisions`` (a sqlite3 connection or a psycopg cursor)."""
    posts = [d.post for d in decisions]
    if not posts:
        return
    _many(db, ENGAGEMENT_SQL, [engagement_row(p) for p in posts])
    _many(db, THREAD_SQL, [thread_row(p) for p in posts])


def backfill(db) -> int:
    """Rows for stored posts that have none yet (posts older than migration 4); idempotent."""
    filled = 0
    while True:
        rows = db.execute(_sql(db, (
            "SELECT p.decision_json FROM posts p LEFT JOIN post_engagement e ON e.post_id = "
            "p.post_id WHERE e.post_id IS NULL ORDER BY p.post_id LIMIT ?")),
            (BACKFILL_CHUNK,)).fetchall()
        if not rows:
            return filled
        insert(db, [Decision.model_validate_json(row[0]) for row in rows])
        filled += len(rows)


def _sqlite(db) -> bool:
    return isinstance(db, (sqlite3.Connection, sqlite3.Cursor))


def _sql(db, sql: str) -> str:
    return sql if _sqlite(db) else sql.replace("?", "%s")


def _many(db, sql: str, rows: list[tuple]) -> None:
    if not _sqlite(db):
        rows = [tuple(pg_text(v) for v in row) for row in rows]
    db.executemany(_sql(db, sql), rows)
