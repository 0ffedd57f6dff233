"""Event-time streams of decisions for the burst and incident tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from schemas import Author, Decision, Post
from tests.conftest import make_classification

MONDAY = datetime(2026, 11, 16, 0, 0, tzinfo=timezone.utc)


def decision(n: int, at: datetime, topic: str = "outage", brand: str = "Lumen Telecom",
             action: str = "webcare", author: str | None = None, **classification) -> Decision:
    post = Post(id=f"p-{n}", platform="x", text="internet down", created_at=at,
                author=Author(handle=author or f"@u{n}"))
    c = make_classification(post, topic=topic, brand=brand, **classification)
    key = f"single:{post.id}" if action == "incident" else None
    return Decision(post=post, classification=c, action=action, rule="t", incident_key=key)


def spread(start: datetime, count: int, minutes: float, first: int = 0, **kw) -> list[Decision]:
    """``count`` posts evenly over ``minutes`` from ``start``."""
    step = minutes * 60 / max(count - 1, 1)
    return [decision(first + i, start + timedelta(seconds=i * step), **kw) for i in range(count)]


def background(days: int, per_hour: int, first: int = 100_000, **kw) -> list[Decision]:
    """A steady trickle: ``per_hour`` posts every hour for ``days`` days from MONDAY."""
    out, n = [], first
    for hour in range(days * 24):
        for i in range(per_hour):
            out.append(decision(n, MONDAY + timedelta(hours=hour, minutes=60 * i / per_hour), **kw))
            n += 1
    return out
