"""Polarity of a post: negative | neutral | positive, with calibrated probabilities.

:class:`SentimentScorer` is built once by :class:`classify.pipeline.Classifier` (loading the
shipped linear models from ``classify/models/sentiment_<lang>.npz``) and then called once per
post; ``score`` does no I/O. English (and any language without its own model) uses one VADER
call whose scores are also model features; nl and fi use their own models and lexicons.
The features here are shared with the training code (:mod:`classify.training.sentiment`).
"""

from __future__ import annotations

import itertools
import json
import math
import operator
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

_URL = re.compile(r"https?://\S+|www\.\S+")
_USER = re.compile(r"@\w+")
_NUM = re.compile(r"\d+(?:[.,:]\d+)*")
_ELONGATED = re.compile(r"(\w)\1{2,}")
_TOKEN = re.compile(r"¬?[\w'’]+|[^\w\s]")
_CHAR4 = re.compile(r"(?=(\w{4}))")
_NEGATORS = {
    "en": r"not|no|never|cannot|nothing|nobody|none|nor|without|\w+n['’]t",
    "nl": r"niet|geen|nooit|niks|niets|noch|zonder",
    "fi": r"ei|en|et|emme|ette|eivät|eikä|enkä|etkä|ilman",
}
_NEGATION = {k: re.compile(rf"\b({v})\s+(?=\w)") for k, v in _NEGATORS.items()}
_ZEROS = itertools.repeat(0)
_NO_VADER = {"compound": 0.0, "pos": 0.0, "neg": 0.0, "neu": 0.0}


def normalize(text: str, lang: str) -> tuple[str, int]:
    """Lowercased text with URLs/users/numbers replaced and the word after a negator marked
    with ``¬``; also returns the number of negators."""
    t = _ELONGATED.sub(r"\1\1", text.lower())
    t = _NUM.sub("0", _USER.sub("@user", _URL.sub("http", t)))
    return _NEGATION.get(lang, _NEGATION["en"]).subn(r"\1 ¬", t)


def featurize(text: str, lang: str, lexicon: dict):
    """Sparse features (word uni/bigrams + in-word character 4-grams, repeats kept) and dense
    features (VADER-lexicon valence, hand-lexicon hits, punctuation, negations) of one text."""
    t, negations = normalize(text, lang)
    toks = _TOKEN.findall(t)
    feats = toks + list(map(" ".join, zip(toks, toks[1:]))) + _CHAR4.findall(t)
    pos = len(lexicon["pos"].intersection(feats))
    neg = len(lexicon["neg"].intersection(feats))
    stem_re = lexicon["stem_re"]
    if stem_re is not None:
        for stem in stem_re.findall(t):
            if lexicon["stems"][stem] > 0:
                pos += 1
            else:
                neg += 1
    vpos = sum(map(lexicon["valence_pos"].get, toks, _ZEROS))
    vneg = sum(map(lexicon["valence_neg"].get, toks, _ZEROS))
    val = vpos + vneg
    comp = val / math.sqrt(val * val + 15.0)
    dense = [comp, min(vpos, 8.0) / 8, max(vneg, -8.0) / 8, float(vpos == vneg == 0),
             float(comp >= 0.05), float(comp <= -0.05), min(pos, 3) / 3, min(neg, 3) / 3,
             float("?" in text), min(text.count("!"), 3) / 3, min(negations, 2) / 2]
    return feats, dense, pos, neg, comp


def valence_tables(use_vader: bool) -> tuple[dict[str, float], dict[str, float]]:
    """Positive and negative word valences from VADER's lexicon (negated forms flipped and
    damped by VADER's 0.74), or empty tables for languages VADER does not cover."""
    if not use_vader:
        return {}, {}
    pos, neg = {}, {}
    for word, v in SentimentIntensityAnalyzer().lexicon.items():
        (pos if v > 0 else neg)[word] = v
        (neg if v > 0 else pos)["¬" + word] = -0.74 * v
    return pos, neg


def compile_lexicon(raw: dict, lang: str, use_vader: bool) -> dict:
    """Runtime form of a stored lexicon: terms normalised like texts (so "not working"
    becomes "not ¬working"), negated single words with flipped polarity, stems as a regex."""
    pos, neg = set(), set()
    stems = raw["stems"]
    for term, value in raw["words"].items():
        if any(term.startswith(stem) for stem in stems):
            continue  # counted by the stem already
        key = " ".join(_TOKEN.findall(normalize(term, lang)[0]))
        (pos if value > 0 else neg).add(key)
        if " " not in key and not key.startswith("¬"):
            (neg if value > 0 else pos).add("¬" + key)
    alternatives = "|".join(sorted(map(re.escape, stems), key=len, reverse=True))
    stem_re = re.compile(rf"(?<![\w¬])({alternatives})") if stems else None
    valence_pos, valence_neg = valence_tables(use_vader)
    return {"pos": frozenset(pos), "neg": frozenset(neg), "stems": stems, "stem_re": stem_re,
            "valence_pos": valence_pos, "valence_neg": valence_neg}


class SentimentModelError(RuntimeError):
    """A sentiment model file is missing or unreadable (raised at construction)."""


class SentimentConfig(BaseModel):
    """``classify.sentiment`` in the config file."""

    model_config = ConfigDict(extra="forbid")

    model_dir: Path | None = None  # None: the models shipped in classify/models/
    lexicon_boost: float = Field(default=1.0, ge=0.0, le=5.0)  # extra logit per lexicon hit
    max_chars: int = Field(default=1000, ge=10)  # longer posts are cut before scoring


class _Model:
    """One language's linear model, loaded from an ``.npz`` artifact."""

    def __init__(self, path: Path) -> None:
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                vocab = bytes(z["vocab"]).decode().split("\n")
                self.weights = z["weights"].astype(np.float64)
                self.w_dense = z["w_dense"].astype(np.float64)
                self.bias = z["bias"].astype(np.float64)
            self.name: str = meta["name"]
            self.lang: str = meta["lang"]
            self.use_vader: bool = meta["use_vader"]
            self.temperature: float = meta["temperature"]
            self.lexicon = compile_lexicon(meta["lexicon"], self.lang, self.use_vader)
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile,
                UnicodeDecodeError, re.error) as exc:
            raise SentimentModelError(f"cannot load sentiment model {path}: {exc!r}") from exc
        if self.weights.shape != (len(vocab) + 1, 3) or self.w_dense.shape != (N_DENSE, 3) or (
            self.bias.shape != (3,)
        ):
            raise SentimentModelError(f"sentiment model {path} has inconsistent array shapes")
        # softmax ignores a shift shared by all classes, so the neutral logit stays 0 and each
        # feature stores complex(negative - neutral, positive - neutral): one C-level sum/post
        w, d, b = self.weights[1:], self.w_dense, self.bias
        self.w = dict(zip(vocab, ((w[:, 0] - w[:, 1]) + 1j * (w[:, 2] - w[:, 1])).tolist()))
        self.d = ((d[:, 0] - d[:, 1]) + 1j * (d[:, 2] - d[:, 1])).tolist()
        self.b = complex(b[0] - b[1], b[2] - b[1])

    def logits(self, feats: list[str], dense: list[float]) -> tuple[float, float]:
        """(negative, positive) logits relative to neutral, before temperature."""
        z = sum(map(self.w.get, feats, _ZEROS), self.b) + sum(map(operator.mul, dense, self.d))
        return z.real, z.imag


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

    def score(self, text: str, lang: str) -> SentimentResult:
        """Label one post written in ``lang`` (unknown languages use the English model)."""
        model = self.models.get(lang) or self.models["en"]
        text = text[: self.config.max_chars]
        feats, dense, pos, neg, valence = featurize(text, model.lang, model.lexicon)
        zn, zp = model.logits(feats, dense)
        t, boost = model.temperature, self.config.lexicon_boost
        zn, zp = zn / t + boost * neg, zp / t + boost * pos
        m = max(zn, zp, 0.0)
        en, eu, ep = math.exp(zn - m), math.exp(-m), math.exp(zp - m)
        total = en + eu + ep
        p = (en / total, eu / total, ep / total)
        best = 0 if p[0] >= p[1] and p[0] >= p[2] else (2 if p[2] > p[1] else 1)
        label = LABELS[best]
        return SentimentResult(
            label=label,
            compound=max(-1.0, min(1.0, p[2] - p[0])),
            probabilities=dict(zip(LABELS, p)),
            model=model.name,
            reason=f"sentiment {label} {p[best]:.2f} (model {model.name}; "
            f"lexicon valence {valence:+.2f}, hits +{pos}/-{neg})",
        )

    def score_many(self, texts: list[str], langs: list[str]) -> list[SentimentResult]:
        """Score several posts (same results as calling :meth:`score` on each)."""
        return [self.score(t, lang) for t, lang in zip(texts, langs, strict=True)]
