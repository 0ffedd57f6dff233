"""Rows behind the communications dashboard and ``webcare report`` (:mod:`webcare.app.analytics`).

Hourly trend counts (``trends``), incidents on the timeline, negative posts and queue items
with their first reply, between ISO bounds ``lo`` and ``hi``. Called on every dashboard view
and report; read-only, on SQLite and PostgreSQL alike. A database error propagates (the page or
report fails, nothing changes).
"""

from __future__ import annotations

from typing import Any

from sinks.store.app_db import AppDb


def trend_rows(db: AppDb, lo: str, hi: str) -> list[dict[str, Any]]:
    """Hourly counts (bucket, topic, platform, lang, sentiment, posts, compound_sum) from the
    hour of ``lo`` up to ``hi``, oldest first."""
    return db.rows("SELECT bucket, topic, platform, lang, sentiment, posts, compound_sum "
                   "FROM trends WHERE bucket >= ? AND bucket <= ? ORDER BY bucket",
                   (lo[:13] + ":00Z", hi))


def incidents_between(db: AppDb, lo: str, hi: str) -> list[dict[str, Any]]:
    """Incidents active at some time in ``[lo, hi]``, by first sighting."""
    return db.rows("SELECT incident_key, kind, status, urgency, first_seen, last_seen, "
                   "post_count FROM incidents WHERE last_seen >= ? AND first_seen <= ? "
                   "ORDER BY first_seen", (lo, hi))


def negative_posts(db: AppDb, lo: str, hi: str, limit: int = 5000) -> list[dict[str, Any]]:
    """Topic and decision JSON of negative, non-noise posts created in ``[lo, hi]``."""
    return db.rows("SELECT topic, decision_json FROM posts WHERE sentiment = 'negative' "
                   "AND noise = 0 AND created_at >= ? AND created_at <= ? "
                   "ORDER BY created_at LIMIT ?", (lo, hi, limit))


def first_replies(db: AppDb, lo: str, hi: str) -> list[dict[str, Any]]:
    """Queue items created in ``[lo, hi]`` (item JSON, status) with the ISO time of their
    first reply (``first_reply``, None when unanswered)."""
    return db.rows(
        "SELECT q.item_json, q.status, (SELECT MIN(r.at) FROM replies r WHERE r.post_id = "
        "q.post_id) AS first_reply FROM queue_items q WHERE q.created_at >= ? AND "
        "q.created_at <= ?", (lo, hi))
