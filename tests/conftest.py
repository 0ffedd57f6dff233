"""Shared factories for tests (posts, classifications, the path to ../shared) and the tiers.

Every test carries one tier marker, set here at collection from what it really uses:
``integration`` (real processes and servers on 127.0.0.1) with ``kafka`` (a Tansu broker),
``postgres`` (the local server), ``rt`` (a real Request Tracker) or ``browser`` (headless
Chromium); ``pipeline`` (the whole in-process pipeline, marked by its module); ``unit``
(everything else). ``pytest -m unit`` is the fast tier; ``make test`` runs them all.
"""

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


# What a test module or test uses -> the resource marker it gets (beside ``integration``).
RESOURCES = {
    "kafka": ("broker", "tansu"),
    "postgres": ("pg_dsn", "PostgresStoreConfig"),
    "rt": ("real_rt",),
    "browser": ("browser", "chromium_path", "sync_playwright"),
}
TIERS = ("unit", "pipeline", "integration")


def _resources(item: pytest.Item) -> set[str]:
    names = set(getattr(item, "fixturenames", ())) | set(vars(item.module)) \
        if isinstance(item, pytest.Function) else set()
    found = {marker for marker, uses in RESOURCES.items() if names & set(uses)}
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "store_config" in params:  # the two-backend store fixture: only its postgres half
        found.discard("postgres")
        if params["store_config"] == "postgres":
            found.add("postgres")
    return found


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every test its tier (and resource) markers; see the module docstring."""
    for item in items:
        resources = _resources(item)
        for marker in resources:
            item.add_marker(marker)
        if resources and not item.get_closest_marker("integration"):
            item.add_marker("integration")
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker("unit")

