"""Engagement for the communications dashboard and ``webcare report`` (issue 8): what reached
people, next to what was said.

Read from ``post_engagement`` (migration 4: followers and likes/shares/replies/quotes at
ingest) joined with ``posts``; noise is left out. **Reach** is the sum of the followers of the
distinct authors (an author posting five times counts once; their largest follower count);
**engagement** is likes + shares + replies + quotes. Per hour by sentiment and by the
dashboard's breakdown, per topic and per platform, and the top posts with their sentiment.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from schemas import Decision
from sinks.store.app_store import AppStore

COUNTS = ("likes", "shares", "replies", "quotes")
SENTIMENTS = ("negative", "neutral", "positive")
BREAKDOWNS = ("topic", "platform")
_JOINED = ("FROM posts p JOIN post_engagement e ON e.post_id = p.post_id WHERE p.noise = 0 "
           "AND p.created_at >= ? AND p.created_at <= ?")
_TOTAL = "e.likes + e.shares + e.replies + e.quotes"


def _column(by: str) -> str:
    if by not in ("topic", "platform", "lang", "sentiment"):
        raise ValueError(f"cannot break engagement down by {by!r}")
    return by


def hourly(app: AppStore, lo: str, hi: str, buckets: list[str], by: str) -> dict[str, Any]:
    """Per hour of ``buckets``: engagement by sentiment, reach and engagement by ``by``."""
    by = _column(by)
    rows = app.db.rows(
        f"SELECT SUBSTR(p.created_at, 1, 13) AS hour, p.{by} AS dim, p.sentiment, "
        f"COUNT(*) AS posts, SUM({_TOTAL}) AS engagement {_JOINED} "
        f"GROUP BY SUBSTR(p.created_at, 1, 13), p.{by}, p.sentiment", (lo, hi))
    index = {b[:13]: i for i, b in enumerate(buckets)}
    by_sentiment = {s: [0] * len(buckets) for s in SENTIMENTS}
    by_dim: dict[str, list[int]] = defaultdict(lambda: [0] * len(buckets))
    for r in rows:
        i = index.get(r["hour"])
        if i is not None:
            by_sentiment[r["sentiment"]][i] += int(r["engagement"])
            by_dim[r["dim"]][i] += int(r["engagement"])
    reach: dict[str, list[int]] = defaultdict(lambda: [0] * len(buckets))
    for r in _reach_rows(app, lo, hi, ["SUBSTR(p.created_at, 1, 13)", f"p.{by}"]):
        i = index.get(r["k0"])
        if i is not None:
            reach[r["k1"]][i] += int(r["reach"])
    order = sorted(reach, key=lambda k: -sum(reach[k]))
    return {"by_sentiment": by_sentiment,
            "engagement": {k: by_dim[k] for k in sorted(by_dim, key=lambda k: -sum(by_dim[k]))},
            "reach": {k: reach[k] for k in order},
            "total_reach": [sum(reach[k][i] for k in reach) for i in range(len(buckets))]}


def _reach_rows(app: AppStore, lo: str, hi: str, keys: list[str]) -> list[dict[str, Any]]:
    """Reach per group of ``keys`` (fixed column expressions, named k0, k1 ... in the result):
    each author once, with their largest follower count."""
    inner = "".join(f"{k} AS k{i}, " for i, k in enumerate(keys))
    outer = ", ".join(f"a.k{i}" for i in range(len(keys)))
    return app.db.rows(
        f"SELECT {outer + ', ' if keys else ''}SUM(a.followers) AS reach, COUNT(*) AS authors "
        f"FROM (SELECT {inner}MAX(e.followers) AS followers {_JOINED} GROUP BY "
        f"{', '.join([*keys, 'p.author_handle'])}) AS a{' GROUP BY ' + outer if keys else ''}",
        (lo, hi))


def breakdown(app: AppStore, lo: str, hi: str, by: str) -> list[dict[str, Any]]:
    """Per ``by`` value: posts, reach, counts, engagement and the negative share, most first."""
    by = _column(by)
    rows = app.db.rows(
        f"SELECT p.{by} AS value, COUNT(*) AS posts, SUM(e.likes) AS likes, SUM(e.shares) AS "
        f"shares, SUM(e.replies) AS replies, SUM(e.quotes) AS quotes, SUM(CASE WHEN "
        f"p.sentiment = 'negative' THEN 1 ELSE 0 END) AS negative {_JOINED} GROUP BY p.{by}",
        (lo, hi))
    reach = {r["k0"]: int(r["reach"]) for r in _reach_rows(app, lo, hi, [f"p.{by}"])}
    out = []
    for r in rows:
        counts = {c: int(r[c]) for c in COUNTS}
        out.append({"value": r["value"], "posts": int(r["posts"]), "reach": reach.get(
            r["value"], 0), **counts, "engagement": sum(counts.values()),
            "negative_share": round(int(r["negative"]) / int(r["posts"]), 3)})
    return sorted(out, key=lambda r: (-r["engagement"], -r["reach"], r["value"]))


def top_posts(app: AppStore, lo: str, hi: str, limit: int = 10) -> list[dict[str, Any]]:
    """The posts with the most engagement (ties: more followers, newer), with sentiment."""
    rows = app.db.rows(
        f"SELECT p.post_id, p.platform, p.topic, p.sentiment, p.compound, p.author_handle, "
        f"p.created_at, p.decision_json, e.followers, e.likes, e.shares, e.replies, e.quotes, "
        f"{_TOTAL} AS engagement {_JOINED} ORDER BY {_TOTAL} DESC, e.followers DESC, "
        f"p.created_at DESC, p.post_id LIMIT ?", (lo, hi, limit))
    for row in rows:
        post = Decision.model_validate_json(row.pop("decision_json")).post
        row.update(text=post.text[:280], url=post.url, engagement=int(row["engagement"]))
    return rows


def totals(app: AppStore, lo: str, hi: str) -> dict[str, int]:
    row = app.db.one(f"SELECT COUNT(*) AS posts, SUM(e.likes) AS likes, SUM(e.shares) AS "
                     f"shares, SUM(e.replies) AS replies, SUM(e.quotes) AS quotes {_JOINED}",
                     (lo, hi))
    counts = Counter({c: int(row[c] or 0) for c in COUNTS})
    reach = _reach_rows(app, lo, hi, [])
    return {"posts": int(row["posts"]), **counts, "engagement": sum(counts.values()),
            "reach": int(reach[0]["reach"] or 0) if reach else 0,
            "authors": int(reach[0]["authors"] or 0) if reach else 0}


def figures(app: AppStore, lo: str, hi: str, buckets: list[str], by: str) -> dict[str, Any]:
    """Everything the dashboard and the report show about engagement in ``[lo, hi]``."""
    return {"totals": totals(app, lo, hi), "hourly": hourly(app, lo, hi, buckets, by),
            "per": {b: breakdown(app, lo, hi, b) for b in BREAKDOWNS},
            "top_posts": top_posts(app, lo, hi)}
