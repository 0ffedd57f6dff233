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
from sinks.store import engagement as stored
from sinks.store.app_store import AppStore

COUNTS = ("likes", "shares", "replies", "quotes")
SENTIMENTS = ("negative", "neutral", "positive")
BREAKDOWNS = ("topic", "platform")


def hourly(app: AppStore, lo: str, hi: str, buckets: list[str], by: str) -> dict[str, Any]:
    """Per hour of ``buckets``: engagement by sentiment, reach and engagement by ``by``."""
    rows = stored.hourly_rows(app.db, lo, hi, by)
    index = {b[:13]: i for i, b in enumerate(buckets)}
    by_sentiment = {s: [0] * len(buckets) for s in SENTIMENTS}
    by_dim: dict[str, list[int]] = defaultdict(lambda: [0] * len(buckets))
    for r in rows:
        i = index.get(r["hour"])
        if i is not None:
            by_sentiment[r["sentiment"]][i] += int(r["engagement"])
            by_dim[r["dim"]][i] += int(r["engagement"])
    reach: dict[str, list[int]] = defaultdict(lambda: [0] * len(buckets))
    for r in stored.reach_rows(app.db, lo, hi, [stored.HOUR, by]):
        i = index.get(r["k0"])
        if i is not None:
            reach[r["k1"]][i] += int(r["reach"])
    order = sorted(reach, key=lambda k: -sum(reach[k]))
    return {"by_sentiment": by_sentiment,
            "engagement": {k: by_dim[k] for k in sorted(by_dim, key=lambda k: -sum(by_dim[k]))},
            "reach": {k: reach[k] for k in order},
            "total_reach": [sum(reach[k][i] for k in reach) for i in range(len(buckets))]}


def breakdown(app: AppStore, lo: str, hi: str, by: str) -> list[dict[str, Any]]:
    """Per ``by`` value: posts, reach, counts, engagement and the negative share, most first."""
    rows = stored.breakdown_rows(app.db, lo, hi, by)
    reach = {r["k0"]: int(r["reach"]) for r in stored.reach_rows(app.db, lo, hi, [by])}
    out = []
    for r in rows:
        counts = {c: int(r[c]) for c in COUNTS}
        out.append({"value": r["value"], "posts": int(r["posts"]), "reach": reach.get(
            r["value"], 0), **counts, "engagement": sum(counts.values()),
            "negative_share": round(int(r["negative"]) / int(r["posts"]), 3)})
    return sorted(out, key=lambda r: (-r["engagement"], -r["reach"], r["value"]))


def top_posts(app: AppStore, lo: str, hi: str, limit: int = 10) -> list[dict[str, Any]]:
    """The posts with the most engagement (ties: more followers, newer), with sentiment."""
    rows = stored.top_rows(app.db, lo, hi, limit)
    for row in rows:
        post = Decision.model_validate_json(row.pop("decision_json")).post
        row.update(text=post.text[:280], url=post.url, engagement=int(row["engagement"]))
    return rows


def totals(app: AppStore, lo: str, hi: str) -> dict[str, int]:
    row = stored.total_row(app.db, lo, hi)
    counts = Counter({c: int(row[c] or 0) for c in COUNTS})
    reach = stored.reach_rows(app.db, lo, hi, [])
    return {"posts": int(row["posts"]), **counts, "engagement": sum(counts.values()),
            "reach": int(reach[0]["reach"] or 0) if reach else 0,
            "authors": int(reach[0]["authors"] or 0) if reach else 0}


def figures(app: AppStore, lo: str, hi: str, buckets: list[str], by: str) -> dict[str, Any]:
    """Everything the dashboard and the report show about engagement in ``[lo, hi]``."""
    return {"totals": totals(app, lo, hi), "hourly": hourly(app, lo, hi, buckets, by),
            "per": {b: breakdown(app, lo, hi, b) for b in BREAKDOWNS},
            "top_posts": top_posts(app, lo, hi)}
