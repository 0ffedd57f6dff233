"""The duplicate window's near-duplicate search against a plain reference implementation.

``DuplicateWindow._nearest`` scores its bucket candidates in one ``rapidfuzz`` call; the
reference below is the loop it replaced (one ``fuzz.ratio`` per candidate). On random streams of
templated, near-duplicate texts (ties, exact copies, repeated ids, posts out of event-time
order, evictions) both must pick the same neighbour with the same score.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import islice
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from classify.dedup import _BUCKET_SCAN, DuplicateWindow

WORDS = ["wifi", "down", "again", "lumen", "router", "red", "light", "since", "morning", "no",
         "internet", "in", "utrecht", "help", "please", "the", "app", "crashes"]
T0 = datetime(2026, 11, 20, tzinfo=timezone.utc)


def reference_nearest(window: DuplicateWindow, post, norm: str, keys: tuple[int, ...],  # noqa: ANN001
                      now: float) -> tuple[float, str] | None:
    """The candidate loop as it was: each id once, first best wins, an exact copy ends it."""
    best: tuple[float, str] | None = None
    compared: set[str] = set()
    for key in keys:
        for cand_id in islice(reversed(window.buckets.get(key, ())), _BUCKET_SCAN):
            if cand_id in compared:
                continue
            compared.add(cand_id)
            cand = window.entries[cand_id]
            if cand_id == post.id or abs(now - cand.at) > window.window_s:
                continue
            if cand.text == norm:
                return 100.0, cand_id
            score = fuzz.ratio(norm, cand.text, score_cutoff=window.similarity)
            if score and (best is None or score > best[0]):
                best = (score, cand_id)
    return best


def _post(i: int, words: list[str], minutes: float, author: int):  # noqa: ANN202
    return SimpleNamespace(id=f"p{i}", text=" ".join(words), reposted_id=None, quoted_id=None,
                           created_at=T0 + timedelta(minutes=minutes),
                           author=SimpleNamespace(handle=f"@a{author}"))


# a post: which template (a few shared ones make crowded buckets), edits to it, time step,
# author, and whether it reuses an earlier id
_edit = st.tuples(st.integers(0, 30), st.sampled_from(WORDS + [""]))
_step = st.tuples(st.integers(0, 3), st.lists(_edit, max_size=2), st.floats(-30, 90),
                  st.integers(0, 3), st.integers(0, 8))


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(templates=st.lists(st.lists(st.sampled_from(WORDS), min_size=2, max_size=14),
                          min_size=4, max_size=4),
       steps=st.lists(_step, min_size=10, max_size=120),
       similarity=st.sampled_from([50.0, 70.0, 85.0, 90.0, 95.0, 100.0]),
       min_tokens=st.integers(2, 6), max_posts=st.integers(1, 60),
       window_minutes=st.sampled_from([5.0, 60.0, 1440.0]))
def test_nearest_matches_reference(templates, steps, similarity, min_tokens, max_posts,
                                   window_minutes) -> None:
    window = DuplicateWindow(max_posts, window_minutes, similarity, min_tokens)
    minutes = 0.0
    for i, (template, edits, step, author, reuse) in enumerate(steps):
        words = list(templates[template])
        for at, word in edits:
            if word:
                words.insert(at % (len(words) + 1), word)
            elif words:
                del words[at % len(words)]
        minutes += step
        post = _post(reuse if reuse < 3 else i, words, minutes, author)
        now = post.created_at.timestamp()
        norm, keys = window._signature(post)
        assert window._nearest(post, norm, keys, now) == reference_nearest(
            window, post, norm, keys, now)
        window.find(post)
        window.remember(post)


@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
       min_tokens=st.integers(1, 3))
def test_short_posts_never_fail_whatever_min_tokens(words, min_tokens) -> None:
    """The config allows ``min_duplicate_tokens: 1``: a one-word post has no bigram
    to min-hash and is matched by author and exact text instead of raising."""
    window = DuplicateWindow(10, 60.0, 90.0, min_tokens)
    first, again = _post(1, words, 0, 1), _post(2, words, 1, 1)
    assert window.find(first) is None
    window.remember(first)
    assert "of p1" in window.find(again)  # the same author repeating the same short text
