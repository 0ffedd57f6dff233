"""Polarity of a post: negative | neutral | positive, with calibrated probabilities.

:class:`SentimentScorer` is built once by :class:`classify.pipeline.Classifier` (loading the
shipped linear models from ``classify/models/sentiment_<lang>.npz``) and then called once per
post; ``score`` does no I/O. Each language's model is one linear function of the post's word
unigrams, bigrams, 5-character word prefixes, the words in a negation's scope (``"¬good"``
for "not good", see :mod:`classify.scopes`) and four cheap surface counts: the artifact
already folds together a general model (TweetEval / XED), the stacked ITSM domain model trained
on the general model's logits, the hand lexicon and (en) VADER word valences (see
:mod:`webcare.lab.training.sentiment`). Scoring is one normalising ``re.sub``, one ``findall`` and
C-level dictionary lookups. The tokeniser here is shared with the training code.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import zipfile
from pathlib import Path

import numpy as np

from classify.cascade import Cascade
from classify.config import SentimentConfig
from classify.scopes import SCOPES, in_scope
from classify.types import SentimentResult
from schemas.errors import WebcareError

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
LANGS: tuple[str, ...] = ("en", "nl", "fi")
MODELS_DIR = Path(__file__).parent / "models"
DENSE = ("question", "exclaim", "mention", "url")  # surface features computed at run time
N_DENSE = len(DENSE)
PREFIX = 5  # words longer than this also count by their first PREFIX characters ("~" keys)
_NORM = re.compile(r"(https?://\S+|www\.\S+)|(@\w+)|(\d+(?:[.,:]\d+)*)")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")  # all _NORM can match without "@", "http", "www."
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_ZEROS = itertools.repeat(0)  # default argument of map(dict.get, keys, _ZEROS)


def _norm(m: re.Match) -> str:
    if m.group(1):
        return " http "
    if m.group(2):
        return " @user "
    return " 0 "


def tokenize(text: str, low: str | None = None) -> list[str]:
    """Lowercased word/symbol tokens; URLs, @handles and numbers replaced (``low`` is
    ``text.lower()`` when the caller has it already)."""
    low = text.lower() if low is None else low
    if "@" in low or "http" in low or "www." in low:
        return _TOKEN.findall(_NORM.sub(_norm, low))
    return _TOKEN.findall(_NUMBER.sub(" 0 ", low))  # same result, no Python callback


def dense_features(text: str) -> list[float]:
    """The :data:`DENSE` surface features of a post."""
    return [float("?" in text), min(text.count("!"), 3) / 3, float("@" in text),
            float("http" in text or "www." in text)]


def feature_keys(toks: list[str]) -> list[str]:
    """Training-time feature names: unigrams, "a b" bigrams, "~" + prefix of long words."""
    return (toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]
            + ["~" + t[:PREFIX] for t in toks if len(t) > PREFIX])


class SentimentModelError(WebcareError, RuntimeError):
    """A sentiment model file is missing or unreadable (raised at construction)."""


class _Model:
    """One language's linear model, loaded from an ``.npz`` artifact.

    Softmax ignores a shift shared by all classes, so the neutral logit is 0 and each feature
    stores complex(negative - neutral, positive - neutral), already divided by the calibration
    temperature: the logits of a post are one C-level ``sum`` of dictionary lookups.
    """

    def __init__(self, path: Path, lexicon_boost: float = 0.0) -> None:
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                keys = bytes(z["vocab"]).decode().split("\n")
                weights = z["weights"].astype(np.float64)
                w_dense = z["w_dense"].astype(np.float64)
                bias = z["bias"].astype(np.float64)
            self.name: str = meta["name"]
            self.lang: str = meta["lang"]
            lexicon: dict = meta.get("lexicon", {})
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile,
                UnicodeDecodeError) as exc:
            raise SentimentModelError(f"cannot load sentiment model {path}: {exc!r}") from exc
        if weights.shape != (len(keys), 2) or w_dense.shape != (N_DENSE, 2) or (
            bias.shape != (2,)
        ):
            raise SentimentModelError(f"sentiment model {path} has inconsistent array shapes")
        self.words: dict = {}  # unigram str / bigram tuple -> complex weight
        self.prefixes: dict[str, complex] = {}
        # per scope (see classify.scopes): scoped word -> weight, scoped prefix -> weight
        self.scoped = {scope.marker: ({}, {}) for scope in SCOPES}
        for key, (wn, wp) in zip(keys, weights.tolist()):
            if key[:1] in self.scoped and len(key) > 1 and " " not in key:  # not a bigram
                words, prefixes = self.scoped[key[0]]
                if key[1] == "~" and len(key) > 2:
                    prefixes[key[2:]] = complex(wn, wp)
                else:
                    words[key[1:]] = complex(wn, wp)
            elif key.startswith("~") and len(key) > 1:
                self.prefixes[key[1:]] = complex(wn, wp)
            elif " " in key:
                self.words[tuple(key.split(" "))] = complex(wn, wp)
            else:
                self.words[key] = complex(wn, wp)
        if lexicon_boost:
            for term, value in lexicon.items():
                key = tuple(term.split(" ")) if " " in term else term
                boost = complex(lexicon_boost, 0) if value < 0 else complex(0, lexicon_boost)
                self.words[key] = self.words.get(key, 0j) + boost
        self.d = [complex(a, b) for a, b in w_dense.tolist()]
        self.b = complex(bias[0], bias[1])

    def logits(self, text: str, low: str | None = None) -> complex:
        """complex(negative, positive) logits relative to neutral (calibrated)."""
        toks = tokenize(text, low)
        get = self.words.get
        d = self.d
        z = (sum(map(get, toks, _ZEROS), self.b)
             + sum(map(get, zip(toks, toks[1:]), _ZEROS))
             + sum(map(self.prefixes.get, [t[:PREFIX] for t in toks if len(t) > PREFIX],
                       _ZEROS)))
        for scope in SCOPES:
            scoped = in_scope(toks, self.lang, scope)
            if scoped:
                words, prefixes = self.scoped[scope.marker]
                z += (sum(map(words.get, scoped, _ZEROS))
                      + sum(map(prefixes.get, [t[:PREFIX] for t in scoped if len(t) > PREFIX],
                                _ZEROS)))
        if "?" in text:
            z += d[0]
        if "!" in text:
            z += d[1] * (min(text.count("!"), 3) / 3)
        if "@" in text:
            z += d[2]
        if "http" in text or "www." in text:
            z += d[3]
        return z


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
            self.models[lang] = _Model(path, config.lexicon_boost)
        self.cascade = Cascade(config.cascade) if config.cascade.enabled else None

    def probabilities(self, text: str, lang: str,
                      low: str | None = None) -> tuple[float, float, float]:
        """(negative, neutral, positive) probabilities of one post (``low``: ``text.lower()``)."""
        model = self.models.get(lang) or self.models["en"]
        if len(text) > self.config.max_chars:
            text, low = text[: self.config.max_chars], None
        z = model.logits(text, low)
        zn, zp = z.real, z.imag
        m = max(zn, zp, 0.0)
        en, eu, ep = math.exp(zn - m), math.exp(-m), math.exp(zp - m)
        total = en + eu + ep
        return en / total, eu / total, ep / total

    def score(self, text: str, lang: str, low: str | None = None) -> SentimentResult:
        """Label one post written in ``lang`` (unknown languages use the English model, and
        the result says so: ``no_model``, reason); ``low`` is ``text.lower()`` when the
        caller has it already."""
        model = self.models.get(lang)
        if model is None:
            return fast_result(self.probabilities(text, lang, low), self.models["en"].name,
                               missing=lang)
        return fast_result(self.probabilities(text, lang, low), model.name)

    def score_many(self, texts: list[str], langs: list[str]) -> list[SentimentResult]:
        """Score several posts: :meth:`score` on each, then the cascade (when enabled) over
        the unsure ones in one MiniLM batch."""
        return self.score_batch(texts, langs, [None] * len(texts))

    def score_batch(self, texts: list[str], langs: list[str], lows: list[str | None],
                    about_brand: list[bool] | None = None) -> list[SentimentResult]:
        """:meth:`score_many` with each text's lowercase form when the caller has it, and
        per post whether it mentions a watched brand (the cascade's route; None: none does)."""
        results = [self.score(t, lang, low) for t, lang, low in zip(texts, langs, lows,
                                                                      strict=True)]
        if self.cascade is None:
            return results
        return self.cascade.apply([t[: self.config.max_chars] for t in texts], langs, results,
                                  about_brand)


def fast_result(p: tuple[float, float, float], model_name: str,
                missing: str | None = None) -> SentimentResult:
    """The fast model's result for (negative, neutral, positive) probabilities ``p``;
    ``missing``: the post's language, when it has no model and ``model_name`` (English) ran."""
    best = 0 if p[0] >= p[1] and p[0] >= p[2] else (2 if p[2] > p[1] else 1)
    label = LABELS[best]
    reason = f"sentiment {label} {p[best]:.2f} (model {model_name})"
    if missing is not None:
        reason += f"; sentiment: no model for {missing}, the English model used"
    return SentimentResult(
        label=label,
        compound=max(-1.0, min(1.0, p[2] - p[0])),
        probabilities=dict(zip(LABELS, p)),
        model=model_name,
        reason=reason,
        no_model=() if missing is None else ("sentiment",),
    )
