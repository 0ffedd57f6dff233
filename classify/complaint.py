"""Complaint probability of a post: does the author complain to (or about) a brand?

:class:`ComplaintScorer` is built once by :class:`classify.urgency.UrgencyScorer` (loading
``classify/models/complaint_en.npz``) and called once per post, after topic and sentiment, by
``UrgencyScorer.assess``. The model is a logistic regression over the sentiment model's word
features (unigrams, bigrams, prefixes), the urgency cue categories found in the post, the
topic and the calibrated sentiment probabilities (and their log-odds), plus the post's
character n-grams (tf-idf, :mod:`classify.char_ngrams`), trained on labelled
complaint tweets (:mod:`classify.training.complaint`). The probability is calibrated (checked
out-of-fold at training); ``threshold`` (default: the F1-optimal one from training) turns it
into a decision.
Languages without a complaint model get ``None`` and the urgency rules decide alone.

When the transformer cascade is on, :meth:`ComplaintScorer.refine` re-scores English posts
that an accurate sentiment model re-scored with a head over that model's embedding stacked on
the fast logit: MiniLM's (``complaint_minilm.npz``; the embedding carries MiniLM's sentiment,
its logits are linear in it) or e5's for the posts of the e5 heads (``complaint_e5.npz``).
"""

from __future__ import annotations

import json
import math
import zipfile
from itertools import repeat
from operator import mul
from pathlib import Path

import numpy as np

from classify.char_ngrams import CharTfidf
from classify.config import ComplaintConfig
from classify.sentiment import MODELS_DIR, feature_keys, tokenize
from schemas.errors import WebcareError

COMPLAINT_LANGS = ("en",)
# the complaint head per encoder of the sentiment cascade (SentimentResult.embedding_model)
EMBEDDING_HEADS = {"minilm": "complaint_minilm.npz", "e5": "complaint_e5.npz"}


class ComplaintModelError(WebcareError, RuntimeError):
    """A complaint model file is missing or unreadable (raised at construction)."""


def complaint_features(text: str, cues: dict[str, str], topic: str,
                       sentiment: dict[str, float]) -> dict[str, float]:
    """Feature name -> value of one post (shared by training and scoring)."""
    features = dict.fromkeys(["w:" + k for k in feature_keys(tokenize(text))], 1.0)
    for name in cues:
        features["cue:" + name] = 1.0
    features["topic:" + topic] = 1.0
    for label, p in sentiment.items():
        features["sent:" + label] = p
    # and as log-odds against neutral, which a linear model cannot make of probabilities
    # (5-fold CV F1 +0.003..0.008 on each of four shuffles of the complaints set)
    neutral = max(sentiment.get("neutral", 0.0), 1e-6)
    for label in ("negative", "positive"):
        features[f"sent:log_{label}"] = math.log(max(sentiment.get(label, 0.0), 1e-6) / neutral)
    features["question"] = float("?" in text)
    features["mention"] = float("@" in text)
    return features


def load_arrays(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    """(meta, arrays) of a complaint artifact; raises :class:`ComplaintModelError`."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {name: z[name] for name in z.files}
        meta = json.loads(bytes(arrays.pop("meta")).decode())
        return meta, arrays
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise ComplaintModelError(f"cannot load complaint model {path}: {exc!r}") from exc


class ComplaintScorer:
    """The fast complaint model (and, when loaded, one head per cascade encoder)."""

    def __init__(self, config: ComplaintConfig, with_embedding_head: bool = False) -> None:
        model_dir = Path(config.model_dir or MODELS_DIR)
        meta, arrays = load_arrays(model_dir / "complaint_en.npz")
        try:
            keys = bytes(arrays["vocab"]).decode().split("\n")
            weights = arrays["weights"].astype(np.float64).tolist()
            self.bias = float(arrays["bias"][0])
            self.threshold = config.threshold or float(meta["threshold"])
            self.chars = CharTfidf.from_arrays(arrays)
            self.char_weights = arrays["char_weights"].astype(np.float64).tolist()
        except (KeyError, IndexError, UnicodeDecodeError, TypeError, ValueError) as exc:
            raise ComplaintModelError(f"complaint model {model_dir} is incomplete: {exc!r}")
        if len(keys) != len(weights) or len(self.char_weights) != len(self.chars.keys):
            raise ComplaintModelError(f"complaint model {model_dir} has inconsistent arrays")
        self.weights = dict(zip(keys, weights))
        self.name = str(meta.get("name", "complaint-en"))
        self.heads: dict[str, tuple[np.ndarray, float, float]] = {}
        self.head_names: dict[str, str] = {}
        for encoder, file in EMBEDDING_HEADS.items() if with_embedding_head else ():
            head_meta, head = load_arrays(model_dir / file)
            self.heads[encoder] = (head["coef"].astype(np.float64), float(head["bias"][0]),
                                   config.threshold or float(head_meta["threshold"]))
            self.head_names[encoder] = str(head_meta.get("name", f"complaint-{encoder}"))

    def source(self, sentiment) -> str:  # noqa: ANN001 - a classify.types.SentimentResult
        """The name of the model whose probability a post with this sentiment result got:
        the head of the encoder whose embedding it carries, else the fast model."""
        encoder = sentiment.embedding_model if sentiment.embedding is not None else None
        return self.head_names.get(encoder, self.name)

    def logit(self, text: str, cues: dict[str, str], topic: str,
              sentiment: dict[str, float]) -> float:
        features = complaint_features(text, cues, topic, sentiment)
        # sum(weight(k) * v for k, v in features.items()), its products made in C
        return (self.bias + sum(map(mul, map(self.weights.get, features, repeat(0.0)),
                                    features.values()))
                + self.chars.dot(text, self.char_weights))

    def probability(self, text: str, lang: str, cues: dict[str, str], topic: str,
                    sentiment: dict[str, float]) -> float | None:
        """Calibrated complaint probability, or None for a language without a model."""
        if lang not in COMPLAINT_LANGS:
            return None
        return _sigmoid(self.logit(text, cues, topic, sentiment))

    def refine(self, fast_probability: float, embedding: np.ndarray, encoder: str) -> float:
        """The probability of the head of ``encoder`` (a key of :data:`EMBEDDING_HEADS`, in
        ``heads``) from the fast probability and that encoder's 384-d embedding."""
        coef, bias, _ = self.heads[encoder]
        p = min(max(fast_probability, 1e-6), 1 - 1e-6)
        x = np.concatenate([[math.log(p / (1 - p))], embedding])
        return _sigmoid(float(x @ coef) + bias)

    def is_complaint(self, probability: float | None, encoder: str | None = None) -> bool:
        """The decision at the threshold of the head of ``encoder`` (None: the fast model's)."""
        if probability is None:
            return False
        return probability >= (self.heads[encoder][2] if encoder in self.heads
                               else self.threshold)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
