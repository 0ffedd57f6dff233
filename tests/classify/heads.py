"""Checks shared by the tests of the accurate-path heads (tests/classify/test_e5*.py)."""

from __future__ import annotations

import pytest


def assert_accurate_results(results, model: str, labels: list[str]) -> None:  # noqa: ANN001
    """``results`` are an accurate model's: these labels, calibrated probabilities, a reason
    naming the fast model's doubt, and their e5 embedding (which the complaint stage's e5
    head reads)."""
    assert [r.label for r in results] == labels
    for r in results:
        assert sum(r.probabilities.values()) == pytest.approx(1.0)
        assert r.model == model and "fast model unsure" in r.reason
        assert r.embedding_model == "e5" and r.embedding.shape == (384,)
