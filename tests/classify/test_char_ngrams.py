"""Unit and property tests of classify.char_ngrams (character n-gram tf-idf)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from classify.char_ngrams import CharTfidf, char_ngrams

TEXTS = ["My router is broken AGAIN", "router fixed, thanks!", "a b", "soooo slow 🙄 again",
         "broken broken broken", ""]


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.integers(1, 3), st.integers(0, 3))
def test_ngrams_are_those_of_scikit_learns_char_wb_analyser(text, low, extra):
    analyse = TfidfVectorizer(analyzer="char_wb", ngram_range=(low, low + extra)).build_analyzer()
    assert sorted(char_ngrams(text, low, low + extra).elements()) == sorted(analyse(text))


def test_a_short_word_counts_once_and_words_are_padded():
    assert char_ngrams("a", 2, 4) == {" a": 1, "a ": 1, " a ": 1}
    assert char_ngrams("Ab", 2, 3) == {" a": 1, "ab": 1, "b ": 1, " ab": 1, "ab ": 1}


def test_tfidf_matches_scikit_learn():
    ours = CharTfidf.fit(TEXTS, 2, 4, min_df=1)
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    expected = reference.fit_transform(TEXTS).toarray()
    assert ours.keys == list(reference.get_feature_names_out())
    assert np.allclose(ours.matrix(TEXTS).toarray(), expected)


def test_dot_is_the_matrix_row_times_the_weights_and_survives_the_artifact():
    model = CharTfidf.fit(TEXTS, 2, 4, min_df=2)
    weights = list(np.random.default_rng(0).normal(size=len(model.keys)))
    rows = model.matrix(TEXTS, scale=3.0) @ np.asarray(weights)
    again = CharTfidf.from_arrays(model.arrays())
    assert again.keys == model.keys and again.low == 2 and again.high == 4
    for text, row in zip(TEXTS, rows):
        assert model.dot(text, weights) == pytest.approx(row / 3.0)
        assert again.dot(text, weights) == pytest.approx(row / 3.0, rel=1e-5)
    assert model.dot("zzz qqq", weights) == 0.0 and model.weighted("") == {}


def test_min_df_drops_rare_ngrams_and_empty_vocabularies_round_trip():
    assert all(" b" not in key for key in CharTfidf.fit(["ab", "cd"], 2, 2, 2).keys)
    empty = CharTfidf.from_arrays(CharTfidf.fit(["ab"], 2, 2, 5).arrays())
    assert empty.keys == [] and empty.dot("ab", []) == 0.0
    with pytest.raises(ValueError, match="idf"):
        CharTfidf(["ab"], [], 2, 2)


def test_the_word_cache_stays_bounded_and_changes_no_result(monkeypatch):
    import classify.char_ngrams as module

    model = CharTfidf.fit(TEXTS, 2, 3, min_df=1)
    expected = [CharTfidf.fit(TEXTS, 2, 3, min_df=1).weighted(text) for text in TEXTS]
    monkeypatch.setattr(module, "CACHED_WORDS", 3)
    for _ in range(2):  # the second pass reads what the first remembered
        assert [model.weighted(text) for text in TEXTS] == expected
        assert len(model._columns_of_word) <= 3


def _reference_dot(model: CharTfidf, text: str, weights: list[float]) -> float:
    """The plain loop ``dot`` replaced: the same float, bit for bit."""
    import math

    dot = square = 0.0
    for i, count in model.columns(text).items():
        v = model.idf[i] if count == 1 else (1.0 + math.log(count)) * model.idf[i]
        dot += v * weights[i]
        square += v * v
    return dot / math.sqrt(square) if square else 0.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["router", "broken", "again", "soooo", "slow", "a", "b", "🙄",
                                 "AGAIN", "thanks", "fixed,"]), max_size=30))
def test_dot_is_exactly_the_plain_loop(words):
    model = CharTfidf.fit(TEXTS, 2, 3, min_df=1)
    weights = list(np.random.default_rng(1).normal(size=len(model.keys)))
    text = " ".join(words)
    assert model.dot(text, weights) == _reference_dot(model, text, weights)
    assert model.dot(text, weights) == _reference_dot(model, text, weights)  # kept products
