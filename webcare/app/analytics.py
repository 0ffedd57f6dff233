"""Figures for the communications dashboard and ``webcare report``: volume and sentiment per
hour by topic/platform/language (from ``trends``), incidents on the timeline, top negative
themes and response times (first reply versus the SLA of the item's urgency)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from schemas import Decision, QueueItem
from sinks.store import analytics as stored
from sinks.store import assignment as desk_rows
from sinks.store import posts as post_rows
from sinks.store.app_db import iso, parse_iso
from sinks.store.app_store import AppStore
from webcare.app.config import AppConfig
from webcare.desk.sla import Desk

DIMENSIONS = ("topic", "platform", "lang")
_WORD = re.compile(r"[^\W\d_][\w'-]{3,}", re.UNICODE)
_STOP = set("""this that with have from they your what when will just been were there their
about would could into than then them these those because after again still even only also
some over more very much here need does doesn't don't can't cannot since while where which
het een van dat niet voor maar naar zijn ook wel geen meer heeft door nog dan bij
mutta että ovat kanssa sitten vielä kuin niin""".split())


def window(app: AppStore, start: datetime | None, end: datetime | None) -> tuple[str, str]:
    """ISO bounds; missing ones default to the stored posts' range."""
    first, last = post_rows.post_bounds(app.db)
    lo = iso(start) if start else (first or iso(datetime.now().astimezone()))
    hi = iso(end) if end else (last or lo)
    return lo, hi


def series(app: AppStore, lo: str, hi: str, by: str = "topic") -> dict[str, Any]:
    """Per hour: posts per ``by`` value and mean compound sentiment; sentiment label counts."""
    if by not in DIMENSIONS:
        raise ValueError(f"by must be one of {DIMENSIONS}")
    rows = stored.trend_rows(app.db, lo, hi)
    buckets = sorted({r["bucket"] for r in rows})
    volume: dict[str, Counter] = defaultdict(Counter)
    labels: dict[str, Counter] = defaultdict(Counter)
    total, compound = Counter(), defaultdict(float)
    for r in rows:
        volume[r[by]][r["bucket"]] += r["posts"]
        labels[r["sentiment"]][r["bucket"]] += r["posts"]
        total[r["bucket"]] += r["posts"]
        compound[r["bucket"]] += r["compound_sum"]
    order = sorted(volume, key=lambda k: -sum(volume[k].values()))
    return {"buckets": buckets, "by": by,
            "volume": {k: [volume[k][b] for b in buckets] for k in order},
            "sentiment": {k: [labels[k][b] for b in buckets]
                          for k in ("negative", "neutral", "positive")},
            "mean_compound": [round(compound[b] / total[b], 3) if total[b] else 0.0
                              for b in buckets],
            "total": sum(total.values())}


def incidents(app: AppStore, lo: str, hi: str) -> list[dict[str, Any]]:
    return stored.incidents_between(app.db, lo, hi)


def negative_themes(app: AppStore, lo: str, hi: str, top: int = 10) -> dict[str, Any]:
    """Negative posts per topic and their most frequent words (brand names left out)."""
    rows = stored.negative_posts(app.db, lo, hi)
    topics, words = Counter(), Counter()
    for row in rows:
        topics[row["topic"]] += 1
        decision = Decision.model_validate_json(row["decision_json"])
        skip = {w.lower() for w in (decision.classification.brand or "").split()}
        seen = {w.lower() for w in _WORD.findall(decision.post.text)}
        words.update(w for w in seen if w not in _STOP and w not in skip
                     and not w.startswith(("lumen", "http")))
    return {"topics": topics.most_common(top), "words": words.most_common(top),
            "posts": len(rows)}


def response_times(app: AppStore, config: AppConfig, lo: str, hi: str,
                   at: datetime, desk: Desk | None = None) -> dict[str, Any]:
    """Time to first reply (minutes, and business minutes on the item's SLA policy) per
    urgency and SLA breaches (late or still waiting) against the first-response due time of
    the desk's one clock (:meth:`webcare.desk.sla.Desk.first_response_due`)."""
    desk = desk or Desk(None, config.sla_minutes)
    rows = stored.first_replies(app.db, lo, hi)
    facts = desk_rows.sla_facts(app.db, [QueueItem.model_validate_json(r["item_json"]).post_id
                                         for r in rows])
    per: dict[str, list[float]] = defaultdict(list)
    business: dict[str, list[float]] = defaultdict(list)
    breached = Counter()
    items = []
    for row in rows:
        item = QueueItem.model_validate_json(row["item_json"])
        brand = facts.get(item.post_id, {}).get("brand")
        deadline, _ = desk.first_response_due(item, brand)
        reply = parse_iso(row["first_reply"]) if row["first_reply"] else None
        if reply is not None:
            per[item.urgency].append((reply - item.created_at).total_seconds() / 60)
            business[item.urgency].append(
                desk.left_for(item, brand, reply, item.created_at).total_seconds() / 60)
        late = (reply or at) > deadline and (reply is not None or row["status"] in
                                             ("open", "claimed"))
        breached[item.urgency] += late
        items.append({"post_id": item.post_id, "urgency": item.urgency, "status": row["status"],
                      "created_at": iso(item.created_at), "first_reply": row["first_reply"],
                      "sla_breached": late})
    summary = {u: {"items": sum(1 for i in items if i["urgency"] == u),
                   "replied": len(per[u]), "breached": breached[u],
                   "median_minutes": _median(per[u]),
                   "median_business_minutes": _median(business[u])} for u in config.sla_minutes}
    return {"per_urgency": summary, "items": items, "replied": sum(len(v) for v in per.values()),
            "breached": sum(breached.values())}


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return round(ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2, 1)
