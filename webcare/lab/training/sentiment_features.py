"""Features of the sentiment training code, shared by both stages of
:mod:`webcare.lab.training.sentiment_stages`: the runtime model's feature keys
(:func:`classify.sentiment.feature_keys` + :func:`classify.scopes.scope_keys`), the dense
surface features, and the *fold table* mapping lexicon words (hand lexicon, VADER valences,
published polarity lexicons, their negated forms) to count columns, so every lexicon hit is a
dense feature the models weigh once. :class:`Linear` is a folded model as the runtime scores it.
Called only at training time; a missing or malformed lexicon file raises.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import sparse
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from classify.scopes import SCOPES, scope_keys
from classify.sentiment import N_DENSE, PREFIX, dense_features, feature_keys, tokenize
from webcare.lab.training.sentiment_lexicon import build_lexicon

N_LEXICON = 6  # hand lexicon +/-, VADER +/-, published word-polarity lexicon +/-
N_FOLD = N_LEXICON + 2 * len(SCOPES)  # + per scope (negation): scoped lexicon +/-
POLARITY_LEXICONS = {"nl": Path(str(resources.files("classify"))) / "lexicons" / "nl_adjectives.tsv"}
MIN_POLARITY = 0.1  # published-lexicon words weaker than this count as neutral


def fold_table(lang: str, use_vader: bool) -> tuple[dict[str, np.ndarray], dict]:
    """Feature key -> (lexicon+, lexicon-, VADER+, VADER-) contributions, and the raw lexicon.

    Lexicon words are unigram keys, two-word phrases bigram keys, stems of >= PREFIX characters
    prefix keys (shorter stems count as words)."""
    lexicon = build_lexicon(lang)
    table: dict[str, np.ndarray] = {}

    def add(key: str, column: int, value: float) -> None:
        table.setdefault(key, np.zeros(N_FOLD))[column] += value

    flat: dict[str, int] = {}
    for term, value in lexicon["words"].items():
        toks = tokenize(term)
        if 1 <= len(toks) <= 2:
            key = " ".join(toks)
            flat[key] = value
            add(key, 0 if value > 0 else 1, 1.0)
    for stem, value in lexicon["stems"].items():
        key = "~" + stem[:PREFIX] if len(stem) >= PREFIX else stem
        add(key, 0 if value > 0 else 1, 1.0)
        if len(stem) >= PREFIX:
            add(stem[:PREFIX], 0 if value > 0 else 1, 1.0)
    if use_vader:
        for word, v in SentimentIntensityAnalyzer().lexicon.items():
            toks = tokenize(word)
            if len(toks) == 1:
                add(toks[0], 2 if v > 0 else 3, v / 4)
    for word, polarity in polarity_lexicon(lang).items():
        add(word, 4 if polarity > 0 else 5, abs(polarity))
    plain = list(table.items())
    for j, scope in enumerate(SCOPES):  # a scoped lexicon word: its strength, own columns
        for key, f in plain:
            column = np.zeros(N_FOLD)
            column[N_LEXICON + 2 * j:N_LEXICON + 2 * j + 2] = (np.abs(f[0:N_LEXICON:2]).sum(),
                                                               np.abs(f[1:N_LEXICON:2]).sum())
            table[scope.marker + key] = column
    return table, flat


def polarity_lexicon(lang: str) -> dict[str, float]:
    """Single-token words of the language's published polarity lexicon (see
    ``classify/lexicons/README.md``) with |polarity| >= MIN_POLARITY; empty when none."""
    path = POLARITY_LEXICONS.get(lang)
    if path is None:
        return {}
    words = {}
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#"):
            continue
        form, polarity, _subjectivity = line.split("\t")
        toks = tokenize(form)
        if len(toks) == 1 and abs(float(polarity)) >= MIN_POLARITY:
            words[toks[0]] = float(polarity)
    return words


def sentiment_keys(text: str, lang: str) -> list[str]:
    """Every feature key the runtime model looks up for ``text`` (see classify.sentiment)."""
    toks = tokenize(text)
    return feature_keys(toks) + scope_keys(toks, lang, PREFIX)


def featurize(texts: list[str], table: dict, lang: str) -> tuple[list[list[str]], np.ndarray]:
    """Feature keys of each text and its dense block (surface features + folded counts)."""
    docs, dense = [], np.zeros((len(texts), N_DENSE + N_FOLD))
    for i, text in enumerate(texts):
        keys = sentiment_keys(text, lang)
        docs.append(keys)
        dense[i, :N_DENSE] = dense_features(text)
        for k in keys:
            f = table.get(k)
            if f is not None:
                dense[i, N_DENSE:] += f
    return docs, dense


def vocab(docs, min_df: int) -> dict[str, int]:
    """Feature -> column of every feature in at least ``min_df`` documents (sorted)."""
    counts = Counter(f for doc in docs for f in set(doc))
    return {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= min_df))}


def counts(docs, index: dict[str, int]) -> sparse.csr_matrix:
    """Binary document x feature matrix over ``index`` (unknown features are ignored)."""
    rows, cols = [], []
    for r, doc in enumerate(docs):
        idx = [index[f] for f in doc if f in index]
        rows += [r] * len(idx)
        cols += idx
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs), len(index)))


class Linear:
    """A folded linear model: key -> (neg, pos) weight relative to neutral, dense, bias."""

    def __init__(self, weights: dict[str, np.ndarray], dense: np.ndarray, bias: np.ndarray,
                 lang: str):
        self.weights, self.dense, self.bias, self.lang = weights, dense, bias, lang

    def logits(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 2))
        zero = np.zeros(2)
        for i, text in enumerate(texts):
            z = self.bias + np.asarray(dense_features(text)) @ self.dense
            for k in sentiment_keys(text, self.lang):
                z = z + self.weights.get(k, zero)
            out[i] = z
        return out


def mean_linear(models: list[Linear]) -> Linear:
    """The average of folded models of one language (weights missing from a model count 0):
    linear models average into one, so a bag costs nothing at run time."""
    k = len(models)
    weights: dict[str, np.ndarray] = {}
    for model in models:
        for key, w in model.weights.items():
            weights[key] = weights.get(key, 0.0) + w / k
    return Linear(weights, sum(m.dense for m in models) / k, sum(m.bias for m in models) / k,
                  models[0].lang)
