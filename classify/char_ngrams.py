"""Character n-grams inside word boundaries, tf-idf weighted and L2-normalised.

Spelling variants, elongations and compounds ("sooo", "disconnects", "#neverAgain",
"wifi-printer") share character n-grams where their word keys differ. :class:`CharTfidf` is
fitted by training (:mod:`classify.training.complaint`) and stored in a model artifact; at
run time :meth:`CharTfidf.dot` gives a post's weighted sum in one pass, with no matrix
library. Each word is padded with one space and cut into the n-grams of every length in
``[low, high]`` (a word shorter than ``low`` counts once), as scikit-learn's ``char_wb``
analyser does with lower-casing; the term weight is ``1 + ln(count)`` times the smoothed idf
``ln((1 + docs) / (1 + df)) + 1``, and each post's vector has unit length.
"""

from __future__ import annotations

import math
from collections import Counter
from itertools import chain

import numpy as np
from scipy import sparse

CACHED_WORDS = 50_000  # words whose known columns are remembered (cleared when full)


def word_ngrams(word: str, low: int, high: int) -> list[str]:
    """The n-grams of one lower-cased word, padded with a space on each side."""
    padded = f" {word} "
    size = len(padded)
    grams: list[str] = []
    for n in range(low, high + 1):
        if size <= n:
            grams.append(padded)
            break
        grams.extend([padded[i:i + n] for i in range(size - n + 1)])
    return grams


def char_ngrams(text: str, low: int, high: int) -> Counter:
    """Counts of the lower-cased, space-padded n-grams of each whitespace-separated word."""
    grams: list[str] = []
    for word in text.lower().split():
        grams.extend(word_ngrams(word, low, high))
    return Counter(grams)


class CharTfidf:
    """The n-gram vocabulary (key -> column) and its idf; built by :meth:`fit` or from an
    artifact's arrays."""

    def __init__(self, keys: list[str], idf: list[float], low: int, high: int) -> None:
        if len(keys) != len(idf):
            raise ValueError(f"{len(keys)} n-grams but {len(idf)} idf values")
        self.index = {key: i for i, key in enumerate(keys)}
        self.keys, self.idf, self.low, self.high = keys, idf, low, high
        self._columns_of_word: dict[str, tuple[int, ...]] = {}
        self._prepared: tuple[list[float], list[float], list[float]] | None = None

    @classmethod
    def fit(cls, texts: list[str], low: int, high: int, min_df: int) -> CharTfidf:
        """The n-grams found in at least ``min_df`` of ``texts``, with their idf."""
        df: Counter = Counter()
        for text in texts:
            df.update(char_ngrams(text, low, high).keys())
        keys = sorted(key for key, count in df.items() if count >= min_df)
        docs = len(texts)
        return cls(keys, [math.log((1 + docs) / (1 + df[key])) + 1 for key in keys], low, high)

    def columns(self, text: str) -> Counter:
        """Column -> count of the known n-grams of ``text``, in the order they first occur.
        Words repeat across posts, so each word's columns are remembered (posts are scored
        many times per second)."""
        words = text.lower().split()
        cache = self._columns_of_word
        try:  # every word seen before: the columns in one C pass
            return Counter(chain.from_iterable(map(cache.__getitem__, words)))
        except KeyError:
            pass
        found: list[int] = []
        for word in words:
            known = cache.get(word)
            if known is None:
                if len(cache) >= CACHED_WORDS:
                    cache.clear()
                index = self.index
                known = cache[word] = tuple(index[g] for g in word_ngrams(word, self.low,
                                                                          self.high)
                                            if g in index)
            found.extend(known)
        return Counter(found)

    def weighted(self, text: str) -> dict[int, float]:
        """Column -> unit-length tf-idf value of ``text`` (empty: no known n-gram)."""
        values = {i: (1.0 + math.log(count)) * self.idf[i]
                  for i, count in self.columns(text).items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        return {i: v / norm for i, v in values.items()} if norm else {}

    def matrix(self, texts: list[str], scale: float = 1.0) -> sparse.csr_matrix:
        """``scale`` x the tf-idf rows of ``texts`` (training)."""
        rows, cols, data = [], [], []
        for r, text in enumerate(texts):
            for i, v in self.weighted(text).items():
                rows.append(r)
                cols.append(i)
                data.append(scale * v)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), len(self.keys)))

    def dot(self, text: str, weights: list[float]) -> float:
        """The weighted sum of ``text``'s tf-idf vector (``weights``: one per column; pass the
        same list, unchanged, on every call: its products with the idf are kept for it)."""
        prepared = self._prepared
        if prepared is None or prepared[0] is not weights:
            idf = self.idf
            prepared = self._prepared = (weights, [v * w for v, w in zip(idf, weights)],
                                         [v * v for v in idf])
        _, products, squares = prepared
        dot = square = 0.0
        idf, log = self.idf, math.log
        for i, count in self.columns(text).items():
            if count == 1:  # v = idf: v * weight and v * v as kept
                dot += products[i]
                square += squares[i]
            else:
                v = (1.0 + log(count)) * idf[i]
                dot += v * weights[i]
                square += v * v
        return dot / math.sqrt(square) if square else 0.0

    def arrays(self) -> dict[str, np.ndarray]:
        """What an artifact stores (see :meth:`from_arrays`)."""
        return {"char_vocab": np.frombuffer("\n".join(self.keys).encode(), dtype=np.uint8),
                "char_idf": np.asarray(self.idf, dtype=np.float32),
                "char_range": np.array([self.low, self.high], dtype=np.int32)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> CharTfidf:
        """Rebuild from :meth:`arrays`; raises ``KeyError``/``ValueError`` when incomplete."""
        joined = bytes(arrays["char_vocab"]).decode()
        keys = joined.split("\n") if joined else []
        low, high = (int(v) for v in arrays["char_range"])
        return cls(keys, arrays["char_idf"].astype(np.float64).tolist(), low, high)
