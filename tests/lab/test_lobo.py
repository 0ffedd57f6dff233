"""Leave-brand-out splitter and measurement (webcare/lab/lobo.py), on invented data."""

from __future__ import annotations

import numpy as np
import pytest

from webcare.lab.lobo import NO_BRAND, groups, measure, splits
from webcare.lab.training.heads import Labelled

BRANDS = ["Kettle", None, "Glowwire", "Kettle", "Quokka Bank", None, "Glowwire", "Kettle"]


def test_every_post_is_tested_once_and_no_brand_leaks() -> None:
    folds = splits(BRANDS)
    assert [brand for brand, _, _ in folds] == sorted({b or NO_BRAND for b in BRANDS})
    tested = np.concatenate([test for _, _, test in folds])
    assert sorted(tested.tolist()) == list(range(len(BRANDS)))
    keys = groups(BRANDS)
    for brand, train, test in folds:
        assert {keys[i] for i in test} == {brand}
        assert brand not in {keys[i] for i in train}
        assert len(train) + len(test) == len(BRANDS)


def test_posts_without_a_brand_form_their_own_fold() -> None:
    (_, _, test), = [f for f in splits(BRANDS) if f[0] == NO_BRAND]
    assert test.tolist() == [1, 5]


def test_splits_are_deterministic() -> None:
    one, two = splits(BRANDS), splits(list(BRANDS))
    assert [(b, tr.tolist(), te.tolist()) for b, tr, te in one] == \
        [(b, tr.tolist(), te.tolist()) for b, tr, te in two]


def _invented(n_per_brand: int = 6) -> Labelled:
    """Three brands, topic follows one embedding direction, urgency another."""
    rng = np.random.default_rng(0)
    brands = [b for b in ("A", "B", None) for _ in range(n_per_brand)]
    n = len(brands)
    topics = ["outage" if i % 2 else "billing" for i in range(n)]
    urgency = ["high" if i % 3 == 0 else "low" for i in range(n)]
    emb = rng.normal(size=(n, 384)) * 0.1
    emb[:, 0] += [3.0 if t == "outage" else -3.0 for t in topics]
    emb[:, 1] += [3.0 if u == "high" else -3.0 for u in urgency]
    gold = {"topic": topics, "urgency": urgency, "noise": ["False"] * n,
            "sentiment": ["negative" if i % 2 else "neutral" for i in range(n)]}
    rules = {"topic": ["outage"] * n, "urgency": ["low"] * n, "noise": ["False"] * n,
             "sentiment": ["negative"] * n}
    blocks = {"minilm": emb, "rule_topic": np.ones((n, 1)), "rule_urgency": np.zeros((n, 4)),
              "rule_noise": np.zeros((n, 1))}
    return Labelled([{}] * n, gold, rules, brands, blocks)


@pytest.mark.slow
def test_measure_reports_every_system_and_is_deterministic() -> None:
    data = _invented()
    first, second = measure(data), measure(data)
    assert first["summary"] == second["summary"] and first["table"] == second["table"]
    assert set(first["summary"]) == {"rules", "learned: embedding", "learned: embedding+rules"}
    assert first["sizes"] == {NO_BRAND: 6, "A": 6, "B": 6}
    assert first["summary"]["learned: embedding"]["topic"] == 1.0
    assert first["summary"]["learned: embedding"]["urgency"] == 1.0
    assert first["summary"]["rules"]["urgency"] == 4 / 6  # rules say low; a third are high
