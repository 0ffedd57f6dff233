"""Fixtures shared by the classify/ tests."""

from __future__ import annotations

import pytest

from classify.config import SentimentConfig
from classify.sentiment import SentimentScorer


@pytest.fixture(scope="module")
def scorer() -> SentimentScorer:
    """The shipped fast sentiment models with the default config (a module overrides the
    name with its own stage's scorer where it needs another one)."""
    return SentimentScorer(SentimentConfig())
