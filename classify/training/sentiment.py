"""Trains the shipped sentiment models (``classify/models/sentiment_{en,nl,fi}.npz``).

Run offline by a developer (``python -m classify.training.sentiment SHARED_DATA OUT_DIR``),
never by the pipeline. Each model is a multinomial logistic regression over the features of
:func:`classify.sentiment.featurize`, temperature-calibrated on a 10 % held-out split and then
refitted on all rows; the artifact stores vocabularies and weights as plain arrays (no pickle).
Failure (missing data file, bad labels) raises; nothing is written for a failed language.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from classify.sentiment import N_DENSE, compile_lexicon, featurize
from classify.training import sentiment_data as sd
from classify.training.sentiment_lexicon import build_lexicon

PARAMS = {  # per language: regularisation, class weighting, minimum document frequencies
    "en": {"C": 0.3, "class_weight": "balanced", "min_df": 2, "use_vader": True},
    "nl": {"C": 0.5, "class_weight": "balanced", "min_df": 2, "use_vader": False},
    "fi": {"C": 0.5, "class_weight": "balanced", "min_df": 2, "use_vader": False},
}
PRUNE = 0.03  # features whose largest absolute weight is below this are dropped


def _design(docs, index: dict[str, int]) -> sparse.csr_matrix:
    """Feature counts (repeats add up, as at run time) followed by the dense columns."""
    rows, cols, dense_rows = [], [], []
    for r, (feats, dense) in enumerate(docs):
        idx = [index[f] for f in feats if f in index]
        rows += [r] * len(idx)
        cols += idx
        dense_rows.append(dense)
    counts = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs), len(index)))
    return sparse.hstack([counts, sparse.csr_matrix(np.array(dense_rows))], format="csr")


def _vocab(docs, min_df: int) -> dict[str, int]:
    counts = Counter(f for doc in docs for f in set(doc[0]))
    return {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= min_df))}


def _temperature(logits: np.ndarray, y: np.ndarray) -> float:
    best, best_nll = 1.0, float("inf")
    for t in np.arange(0.5, 3.01, 0.05):
        z = logits / t
        z = z - z.max(1, keepdims=True)
        nll = -(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(1))).mean()
        if nll < best_nll:
            best, best_nll = float(t), nll
    return round(best, 2)


def fit_model(texts: list[str], labels: list[int], lang: str, *, seed: int = 0,
              params: dict | None = None, trained_on: str = "") -> dict[str, np.ndarray]:
    """Train one language's model; returns the arrays that :func:`save_model` writes."""
    p = {**PARAMS.get(lang, PARAMS["en"]), **(params or {})}
    lexicon = build_lexicon(lang)
    runtime_lex = compile_lexicon(lexicon, lang, p["use_vader"])
    docs = [featurize(t, lang, runtime_lex)[:2] for t in texts]
    y = np.asarray(labels)
    index = _vocab(docs, p["min_df"])
    x = _design(docs, index)

    def lr() -> LogisticRegression:
        return LogisticRegression(C=p["C"], class_weight=p["class_weight"], max_iter=1000,
                                  random_state=seed)

    order = np.random.default_rng(seed).permutation(len(y))
    cut = max(1, len(y) // 10)
    held, rest = order[:cut], order[cut:]
    temperature = _temperature(lr().fit(x[rest], y[rest]).decision_function(x[held]), y[held])
    clf = lr().fit(x, y)
    coef, n = clf.coef_.T, len(index)
    keep = np.abs(coef[:n]).max(1) >= PRUNE
    vocab = [f for f, k in zip(index, keep) if k]
    meta = {"name": f"{lang}-linear", "lang": lang, "use_vader": p["use_vader"],
            "temperature": temperature, "lexicon": lexicon, "trained": date.today().isoformat(),
            "seed": seed, "rows": len(y), "params": p,
            "trained_on": trained_on}
    return {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
        "vocab": np.frombuffer("\n".join(vocab).encode(), dtype=np.uint8),
        "weights": np.vstack([np.zeros((1, 3)), coef[:n][keep]]).astype(np.float16),
        "w_dense": coef[n:].astype(np.float32).reshape(N_DENSE, 3),
        "bias": clf.intercept_.astype(np.float32),
    }


def save_model(arrays: dict[str, np.ndarray], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def train_sentiment(shared_data_dir: Path, out_dir: Path, seed: int = 0) -> dict:
    """Train en/nl/fi, write ``sentiment_<lang>.npz`` and ``sentiment_MODEL_CARD.md`` into
    ``out_dir`` and return the dev-set metrics (see :mod:`classify.training.sentiment_eval`)."""
    from classify.training.sentiment_eval import evaluate, write_card

    data = Path(shared_data_dir) / "data" if (Path(shared_data_dir) / "data").is_dir() \
        else Path(shared_data_dir)
    out_dir = Path(out_dir)
    sets = {
        "en": (sd.tweeteval_train(data), "TweetEval sentiment train (reconstructed) + "
               "SemEval-2017 4A extra tweets"),
        "nl": (sd.xed_polarity(data, "nl"), "XED nl projections (polarity-mapped)"),
        "fi": (sd.xed_polarity(data, "fi"), "XED fi annotated (polarity-mapped) + neu_fi"),
    }
    for lang, ((texts, labels), desc) in sets.items():
        save_model(fit_model(texts, labels, lang, seed=seed, trained_on=desc),
                   out_dir / f"sentiment_{lang}.npz")
    metrics = evaluate(data, out_dir)
    metrics["train_rows"] = {lang: len(s[0][1]) for lang, s in sets.items()}
    write_card(out_dir / "sentiment_MODEL_CARD.md", metrics, seed)
    return metrics


if __name__ == "__main__":
    print(json.dumps(train_sentiment(Path(sys.argv[1]), Path(sys.argv[2])), indent=2))
