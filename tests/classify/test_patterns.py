"""``PatternIndex.find`` against a plain reference: every pattern tried at every position.

``find`` only visits the positions where some pattern can start and compares plain patterns as
tuples; on random patterns (exact, pairs, prefixes, ``*`` and ``<n>`` tokens) and random word
lists it must give the same hits in the same order as the loop below.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.patterns import PatternIndex, _tok_ok

WORDS = ["wifi", "down", "again", "kaatui", "kaatuu", "kaa", "not", "working", "2", "10", "no",
         "internet", "-", "?", "won't", "load"]
TOKENS = WORDS + ["*", "<n>", "kaatu*", "work*", "inter*"]


def reference_find(index: PatternIndex, lowers: tuple[str, ...]) -> list[tuple]:
    """Each position in turn, its candidates in the order ``find`` documents: the exact
    patterns of the word, then of ``<n>`` (pairs after each), then the prefix patterns."""
    out, n = [], len(lowers)
    for i, low in enumerate(lowers):
        cands = []
        for key in (low, "<n>"):
            if key in index.exact and (key == low or low.isdigit()):
                cands += index.exact[key]
                if i + 1 < n:
                    cands += index.pairs.get((key, lowers[i + 1]), [])
        cands += index.prefix.get(low[:3], [])
        for tokens, label, weight in cands:
            end = i + len(tokens)
            if end <= n and all(_tok_ok(tokens[j], lowers[i + j]) for j in range(len(tokens))):
                out.append((i, end, label, weight))
    return out


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(patterns=st.lists(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=3),
                         max_size=25),
       lowers=st.lists(st.sampled_from(WORDS), max_size=20))
def test_find_matches_reference(patterns, lowers) -> None:
    index = PatternIndex()
    for k, tokens in enumerate(patterns):
        index.add(" ".join(tokens), f"label{k % 4}", float(k))
    assert index.find(tuple(lowers)) == reference_find(index, tuple(lowers))
