"""Shared factories for tests: posts, classifications and the path to ../shared."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from schemas import Author, Classification, Post, SentimentScore

SHARED = Path(__file__).resolve().parents[2] / "shared"
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def shared_path(relative: str) -> Path:
    """A file under ../shared, or skip the test (the data is never part of the repo)."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"../shared/{relative} is not available on this machine")
    return path


def make_post(n: int = 1, text: str = "@LumenCare my internet is down again", **fields) -> Post:
    data = {"id": f"t-{n}", "platform": "x", "text": text,
            "created_at": T0 + timedelta(minutes=n),
            "author": Author(handle=f"@user{n}", followers=100)}
    data.update(fields)
    return Post(**data)


def make_classification(post: Post, **fields) -> Classification:
    data = {"post_id": post.id, "lang": "en", "lang_confidence": 0.99, "brand": "Lumen Telecom",
            "noise": False, "topic": "outage", "topic_confidence": 0.9,
            "sentiment": SentimentScore(label="negative", compound=-0.6),
            "urgency": "high", "actionable": True, "priority": 70, "reasons": ["test"]}
    data.update(fields)
    return Classification(**data)
