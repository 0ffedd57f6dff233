"""Labelled texts as posts, so the lab measures and featurises them through the same
classifier the pipeline runs (``webcare eval``, the out-of-fold figures, complaint training)."""

from __future__ import annotations

from datetime import datetime, timezone

from schemas import Author, Post

EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def text_post(index: int, text: str, platform: str = "x") -> Post:
    """The ``index``-th labelled text as a post of ``platform`` (cut to the schema's limit)."""
    return Post(id=f"eval-{index}", platform=platform, text=text[:20_000], created_at=EPOCH,
                author=Author(handle=f"@user{index}"))
