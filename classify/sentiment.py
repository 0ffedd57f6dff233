"""Polarity of a post: negative | neutral | positive, with calibrated probabilities.

:class:`SentimentScorer` is built once by :class:`classify.pipeline.Classifier` (loading the
shipped linear models from ``classify/models/sentiment_<lang>.npz``) and then called once per
post; ``score`` does no I/O. English (and any language without its own model) uses one VADER
call whose scores are also model features; nl and fi use their own models and lexicons.
The features here are shared with the training code (:mod:`classify.training.sentiment`).
"""

from __future__ import annotations

import json
import math
import re
import zipfile
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from classify.types import SentimentResult

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
LANGS: tuple[str, ...] = ("en", "nl", "fi")
MODELS_DIR = Path(__file__).parent / "models"
N_DENSE = 11

_TOKEN = re.compile(r"https?://\S+|www\.\S+|[@#]?\w+(?:['’]\w+)*|[^\w\s]")
_ELONGATED = re.compile(r"(.)\1{2,}")
_NEGATORS = {
    "en": frozenset("not no never cannot nothing nobody none nor neither without".split()),
    "nl": frozenset("niet geen nooit niks niets noch zonder".split()),
    "fi": frozenset("ei en et emme ette eivät eikä enkä etkä ilman".split()),
}


_NO_VADER = {"compound": 0.0, "pos": 0.0, "neg": 0.0, "neu": 0.0}


class SentimentModelError(RuntimeError):
    """A sentiment model file is missing or unreadable (raised at construction)."""


class SentimentConfig(BaseModel):
    """``classify.sentiment`` in the config file."""

    model_config = ConfigDict(extra="forbid")

    model_dir: Path | None = None  # None: the models shipped in classify/models/
    lexicon_boost: float = Field(default=0.5, ge=0.0, le=5.0)  # extra logit per lexicon hit
    max_chars: int = Field(default=1000, ge=10)  # longer posts are cut before scoring


def tokens(text: str, lang: str) -> tuple[list[str], list[bool], int]:
    """Normalised tokens, whether each is in a negation scope, and the number of negators."""
    negators = _NEGATORS.get(lang, _NEGATORS["en"])
    out: list[str] = []
    flags: list[bool] = []
    scope = negations = 0
    for m in _TOKEN.findall(_ELONGATED.sub(r"\1\1", text.lower())):
        c = m[0]
        negated = False
        if c == "@":
            m = "<user>"
        elif m.startswith(("http", "www.")):
            m = "<url>"
        elif c.isdigit():
            m = "<num>"
        elif not (c.isalnum() or c in "#_"):
            scope = 0
        else:
            m = m.lstrip("#") or m
            if m in negators or m.endswith(("n't", "n’t")):
                scope, negations = 3, negations + 1
            elif scope:
                scope, negated = scope - 1, True
        out.append(m)
        flags.append(negated)
    return out, flags, negations


def lexicon_hits(toks: list[str], flags: list[bool], bigrams: list[str], lexicon: dict):
    """Counts of positive and negative lexicon hits (words, stems, two-word phrases)."""
    lex, stems, lengths = lexicon["words"], lexicon["stems"], lexicon["stem_lengths"]
    pos = neg = 0
    for tok, negated in zip(toks, flags):
        v = lex.get(tok)
        if v is None:
            for n in lengths:
                v = stems.get(tok[:n])
                if v is not None:
                    break
            else:
                continue
        if negated:
            v = -v
        pos, neg = (pos + 1, neg) if v > 0 else (pos, neg + 1)
    for big in bigrams:
        v = lex.get(big)
        if v is not None:
            pos, neg = (pos + 1, neg) if v > 0 else (pos, neg + 1)
    return pos, neg


def featurize(text: str, lang: str, lexicon: dict, vader: dict | None):
    """Word uni/bigrams, character 4-grams and dense lexicon features of one text."""
    toks, flags, negations = tokens(text, lang)
    bigrams = [a + " " + b for a, b in zip(["<s>", *toks], toks)]
    words = [("!" + t) if f else t for t, f in zip(toks, flags)] + bigrams
    chars = []
    for tok in toks:
        w = " " + tok + " "
        chars += [w[i : i + 4] for i in range(len(w) - 3)]
    pos, neg = lexicon_hits(toks, flags, bigrams, lexicon)
    v = vader or _NO_VADER
    comp = v["compound"]
    dense = [comp, v["pos"], v["neg"], v["neu"], float(comp >= 0.05), float(comp <= -0.05),
             min(pos, 3) / 3, min(neg, 3) / 3, float("?" in text), min(text.count("!"), 3) / 3,
             min(negations, 2) / 2]
    return words, chars, dense, pos, neg


class _Model:
    """One language's linear model, loaded from an ``.npz`` artifact."""

    def __init__(self, path: Path) -> None:
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                word_vocab = bytes(z["word_vocab"]).decode().split("\n")
                char_vocab = bytes(z["char_vocab"]).decode().split("\n")
                w_words = z["w_words"].astype(np.float64)
                w_chars = z["w_chars"].astype(np.float64)
                self.w_dense = z["w_dense"].astype(np.float64)
                self.bias = z["bias"].astype(np.float64)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
            raise SentimentModelError(f"cannot load sentiment model {path}: {exc}") from exc
        if (len(word_vocab) + 1, len(char_vocab) + 1) != (len(w_words), len(w_chars)) or (
            self.w_dense.shape != (N_DENSE, 3) or self.bias.shape != (3,)
        ):
            raise SentimentModelError(f"sentiment model {path} has inconsistent shapes")
        self.name: str = meta["name"]
        self.lang: str = meta["lang"]
        self.use_vader: bool = meta["use_vader"]
        self.temperature: float = meta["temperature"]
        lex = meta["lexicon"]
        self.lexicon = {"words": lex["words"], "stems": lex["stems"],
                        "stem_lengths": sorted({len(s) for s in lex["stems"]}, reverse=True)}
        # row 0 of each weight table is zero: unknown features look up index 0
        self.word_index = {f: i + 1 for i, f in enumerate(word_vocab)}
        self.char_index = {f: i + 1 for i, f in enumerate(char_vocab)}
        self.w_words, self.w_chars = w_words, w_chars

    def logits(self, words, chars, dense) -> np.ndarray:
        wi, ci = self.word_index.get, self.char_index.get
        z = self.w_words[list({wi(f, 0) for f in words})].sum(0)
        z += self.w_chars[list({ci(f, 0) for f in chars})].sum(0)
        return z + np.dot(dense, self.w_dense) + self.bias


def softmax(z) -> list[float]:
    m = max(z)
    e = [math.exp(x - m) for x in z]
    s = sum(e)
    return [x / s for x in e]


class SentimentScorer:
    """Scores posts; construction loads the models (failure: missing/corrupt model file)."""

    def __init__(self, config: SentimentConfig) -> None:
        self.config = config
        model_dir = config.model_dir or MODELS_DIR
        self.models: dict[str, _Model] = {}
        for lang in LANGS:
            path = Path(model_dir) / f"sentiment_{lang}.npz"
            if not path.is_file():
                raise SentimentModelError(f"sentiment model file missing: {path}")
            self.models[lang] = _Model(path)
        self.vader = SentimentIntensityAnalyzer()

    def score(self, text: str, lang: str) -> SentimentResult:
        """Label one post written in ``lang`` (unknown languages use the English model)."""
        model = self.models.get(lang) or self.models["en"]
        text = text[: self.config.max_chars]
        vader = self.vader.polarity_scores(text) if model.use_vader else None
        words, chars, dense, pos, neg = featurize(text, model.lang, model.lexicon, vader)
        z = model.logits(words, chars, dense) / model.temperature
        boost = self.config.lexicon_boost
        p = softmax((z[0] + boost * neg, z[1], z[2] + boost * pos))
        best = max(range(3), key=p.__getitem__)
        label = LABELS[best]
        compound = max(-1.0, min(1.0, p[2] - p[0]))
        extra = f"vader {vader['compound']:+.2f}" if vader else f"lexicon +{pos}/-{neg}"
        return SentimentResult(
            label=label,
            compound=round(compound, 4),
            probabilities={k: round(x, 4) for k, x in zip(LABELS, p)},
            model=model.name,
            reason=f"sentiment {label} {p[best]:.2f} (model {model.name}; {extra})",
        )

    def score_many(self, texts: list[str], langs: list[str]) -> list[SentimentResult]:
        """Score several posts (same results as calling :meth:`score` on each)."""
        return [self.score(t, lang) for t, lang in zip(texts, langs, strict=True)]
