"""Engagement rows (``post_engagement``, migration 4, joined with ``posts``; noise left out).

Read by the communications dashboard and ``webcare report`` (:mod:`webcare.app.engagement`)
between ISO bounds ``lo`` and ``hi``; written by ``webcare engagement refresh``
(:mod:`webcare.cli.engagement`). Breakdowns only by the fixed columns in :data:`COLUMNS`
(anything else is a ValueError); every value is a bound parameter. Runs on SQLite and
PostgreSQL alike; a database error propagates (a refresh writes nothing then: one transaction).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sinks.store.app_db import AppDb

COLUMNS = ("topic", "platform", "lang", "sentiment")
HOUR = "hour"  # a group key of :func:`reach_rows`: the post's creation hour (``YYYY-MM-DDTHH``)
_JOINED = ("FROM posts p JOIN post_engagement e ON e.post_id = p.post_id WHERE p.noise = 0 "
           "AND p.created_at >= ? AND p.created_at <= ?")
_TOTAL = "e.likes + e.shares + e.replies + e.quotes"
_HOUR = "SUBSTR(p.created_at, 1, 13)"


def column(by: str) -> str:
    """``by`` when posts can be broken down by it; ValueError otherwise."""
    if by not in COLUMNS:
        raise ValueError(f"cannot break engagement down by {by!r}")
    return by


def hourly_rows(db: AppDb, lo: str, hi: str, by: str) -> list[dict[str, Any]]:
    """Per creation hour (``hour``), ``by`` value (``dim``) and sentiment: posts and
    engagement."""
    by = column(by)
    return db.rows(
        f"SELECT {_HOUR} AS hour, p.{by} AS dim, p.sentiment, "
        f"COUNT(*) AS posts, SUM({_TOTAL}) AS engagement {_JOINED} "
        f"GROUP BY {_HOUR}, p.{by}, p.sentiment", (lo, hi))


def reach_rows(db: AppDb, lo: str, hi: str, groups: Sequence[str]) -> list[dict[str, Any]]:
    """Reach per group of ``groups`` (:data:`HOUR` or names from :data:`COLUMNS`, named k0,
    k1 ... in the result) and the number of ``authors``: each author once, with their largest
    follower count. Without groups: one row for the whole window."""
    keys = [_HOUR if g == HOUR else f"p.{column(g)}" for g in groups]
    inner = "".join(f"{k} AS k{i}, " for i, k in enumerate(keys))
    outer = ", ".join(f"a.k{i}" for i in range(len(keys)))
    return db.rows(
        f"SELECT {outer + ', ' if keys else ''}SUM(a.followers) AS reach, COUNT(*) AS authors "
        f"FROM (SELECT {inner}MAX(e.followers) AS followers {_JOINED} GROUP BY "
        f"{', '.join([*keys, 'p.author_handle'])}) AS a{' GROUP BY ' + outer if keys else ''}",
        (lo, hi))


def breakdown_rows(db: AppDb, lo: str, hi: str, by: str) -> list[dict[str, Any]]:
    """Per ``by`` value (``value``): posts, likes, shares, replies, quotes and the number of
    negative posts."""
    by = column(by)
    return db.rows(
        f"SELECT p.{by} AS value, COUNT(*) AS posts, SUM(e.likes) AS likes, SUM(e.shares) AS "
        f"shares, SUM(e.replies) AS replies, SUM(e.quotes) AS quotes, SUM(CASE WHEN "
        f"p.sentiment = 'negative' THEN 1 ELSE 0 END) AS negative {_JOINED} GROUP BY p.{by}",
        (lo, hi))


def top_rows(db: AppDb, lo: str, hi: str, limit: int) -> list[dict[str, Any]]:
    """The posts with the most engagement (ties: more followers, newer), with their counts,
    sentiment and decision JSON."""
    return db.rows(
        f"SELECT p.post_id, p.platform, p.topic, p.sentiment, p.compound, p.author_handle, "
        f"p.created_at, p.decision_json, e.followers, e.likes, e.shares, e.replies, e.quotes, "
        f"{_TOTAL} AS engagement {_JOINED} ORDER BY {_TOTAL} DESC, e.followers DESC, "
        f"p.created_at DESC, p.post_id LIMIT ?", (lo, hi, limit))


def total_row(db: AppDb, lo: str, hi: str) -> dict[str, Any]:
    """Posts and summed likes, shares, replies, quotes in the window (sums None when empty)."""
    return db.one(f"SELECT COUNT(*) AS posts, SUM(e.likes) AS likes, SUM(e.shares) AS "
                  f"shares, SUM(e.replies) AS replies, SUM(e.quotes) AS quotes {_JOINED}",
                  (lo, hi))


def refresh_candidates(db: AppDb, platform: str, since: str) -> list[str]:
    """Decision JSON of the ``platform`` posts with engagement rows created at or after ISO
    ``since``, oldest first (``webcare engagement refresh`` re-reads their counts)."""
    rows = db.rows("SELECT p.decision_json FROM posts p JOIN post_engagement e ON e.post_id = "
                   "p.post_id WHERE p.platform = ? AND p.created_at >= ? "
                   "ORDER BY p.created_at, p.post_id", (platform, since))
    return [row["decision_json"] for row in rows]


def update_counts(db: AppDb, found: Iterable[tuple[str, tuple]]) -> None:
    """Write refreshed counts, all in one transaction: ``(post_id, (followers, likes, shares,
    replies, quotes))``; followers None keeps the stored value."""
    with db.tx():
        for post_id, (followers, *counts) in found:
            db.run("UPDATE post_engagement SET followers = COALESCE(?, followers), likes = ?, "
                   "shares = ?, replies = ?, quotes = ? WHERE post_id = ?",
                   (followers, *counts, post_id))
