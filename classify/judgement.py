"""Learned topic and urgency over a post's character n-grams, its brand masked (issue 20).

The phrase rules (``classify/rules/topics.yaml``) and cue lists were written reading one set
of posts; on posts of brands nobody tuned for they fall far behind (``webcare eval``: the
corpus rows). This model is a multinomial logistic regression per task over the unit-length
tf-idf of the post's character 2–5-grams inside word boundaries
(:class:`classify.char_ngrams.CharTfidf`), trained by ``webcare train --task judgement`` on
the project's own corpus of 30 invented brands in en/nl/fi
(:mod:`webcare.lab.corpus`) plus the ITSM dev posts. Before the n-grams are taken, every
configured brand's names, aliases (with their inflections) and handles are replaced by one
token (:class:`BrandMask`), so the model learns how people write about a service, not which
brand they name: a team's own brands need no training.

Built once by the classifier when ``classify.judgement.enabled`` is on (construction fails
with :class:`JudgementModelError` when the artifact is missing or malformed); called once per
post, never raises on any text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classify.brands import with_gradation
from classify.char_ngrams import CharTfidf
from classify.config import BrandConfig, JudgementConfig, normalise_handle
from classify.types import TopicResult
from schemas.errors import WebcareError

MODELS_DIR = Path(__file__).parent / "models"
MODEL_FILE = "judgement.npz"
TASKS = ("topic", "urgency")
BRAND_TOKEN = "zbrandz"
HANDLE_TOKEN = "@zhandlez"


class JudgementModelError(WebcareError, RuntimeError):
    """The judgement artifact is missing, unreadable or does not fit its inputs."""


class BrandMask:
    """Replaces the configured brands' names, aliases (and their inflected forms: a short
    word tail, Finnish weak grades) by :data:`BRAND_TOKEN` and their handles by
    :data:`HANDLE_TOKEN`."""

    def __init__(self, brands: Sequence[BrandConfig]) -> None:
        handles = sorted({normalise_handle(h) for b in brands
                          for h in (*b.own_accounts, *b.support_handles)}, key=len, reverse=True)
        terms = sorted({t for b in brands for t in with_gradation([b.name, *b.aliases])},
                       key=len, reverse=True)
        words = [re.escape(t[:-1]) + r"\w*" if t.endswith("*") else re.escape(t) + r"\w{0,4}"
                 for t in terms if t.rstrip("*").strip()]
        self._handles = (re.compile(r"@(?:" + "|".join(map(re.escape, handles)) + r")\b", re.I)
                         if handles else None)
        self._names = (re.compile(r"(?<!\w)#?(?:" + "|".join(words) + r")(?!\w)", re.I)
                       if words else None)

    def __call__(self, text: str) -> str:
        if self._handles is not None:
            text = self._handles.sub(f" {HANDLE_TOKEN} ", text)
        if self._names is not None:
            text = self._names.sub(f" {BRAND_TOKEN} ", text)
        return text


@dataclass(frozen=True, slots=True)
class Verdict:
    """One task's answer: the label, its probability and every label's probability."""

    label: str
    probability: float
    probabilities: dict[str, float]


class JudgementModel:
    """The trained n-gram vocabulary and one softmax layer per task (:data:`TASKS`)."""

    def __init__(self, vectoriser: CharTfidf, heads: dict[str, tuple[list[str], np.ndarray,
                                                                     np.ndarray]]) -> None:
        self.vectoriser = vectoriser
        self.heads = heads  # task -> (labels, coef (labels x columns), bias)
        # every task's weights side by side, one row per n-gram: a post gathers its rows once
        self._rows = np.ascontiguousarray(np.hstack([coef.T for _, coef, _ in heads.values()]))
        self._bias = np.concatenate([bias for _, _, bias in heads.values()])
        ends = np.cumsum([len(labels) for labels, _, _ in heads.values()])
        self._slices = [(task, labels, slice(end - len(labels), end))
                        for (task, (labels, _, _)), end in zip(heads.items(), ends)]

    @classmethod
    def load(cls, model_dir: Path | None = None) -> JudgementModel:
        path = (model_dir or MODELS_DIR) / MODEL_FILE
        try:
            with np.load(path, allow_pickle=False) as arrays:
                stored = {key: arrays[key] for key in arrays.files}
            heads = {task: (bytes(stored[f"{task}_labels"]).decode().split("\n"),
                            stored[f"{task}_coef"].astype(np.float64),
                            stored[f"{task}_bias"].astype(np.float64)) for task in TASKS}
            vectoriser = CharTfidf.from_arrays(stored)
        except (OSError, KeyError, ValueError) as error:
            raise JudgementModelError(f"judgement model {path}: {error}") from error
        for task, (labels, coef, bias) in heads.items():
            if coef.shape != (len(labels), len(vectoriser.keys)) or bias.shape != (len(labels),):
                raise JudgementModelError(f"judgement model {path}: {task} weights do not "
                                          "fit the vocabulary")
        return cls(vectoriser, heads)

    def arrays(self) -> dict[str, np.ndarray]:
        """What the artifact stores (see :meth:`load`)."""
        out = dict(self.vectoriser.arrays())
        for task, (labels, coef, bias) in self.heads.items():
            out[f"{task}_labels"] = np.frombuffer("\n".join(labels).encode(), dtype=np.uint8)
            out[f"{task}_coef"] = coef.astype(np.float32)
            out[f"{task}_bias"] = bias.astype(np.float32)
        return out

    def judge(self, masked_text: str) -> dict[str, Verdict]:
        """Each task's verdict on a post whose brands :class:`BrandMask` has masked."""
        weighted = self.vectoriser.weighted(masked_text)
        columns = np.fromiter(weighted.keys(), dtype=np.int64, count=len(weighted))
        values = np.fromiter(weighted.values(), dtype=np.float64, count=len(weighted))
        logits = values @ self._rows[columns] + self._bias
        out = {}
        for task, labels, part in self._slices:
            probs = np.exp(logits[part] - logits[part].max())
            probs /= probs.sum()
            best = int(probs.argmax())
            out[task] = Verdict(labels[best], float(probs[best]),
                                dict(zip(labels, probs.tolist())))
        return out


class Judge:
    """The classifier's learned topic and urgency: the model plus the configured brands'
    mask. Built once by :class:`classify.pipeline.Classifier` when enabled."""

    def __init__(self, config: JudgementConfig, brands: Sequence[BrandConfig]) -> None:
        self.model = JudgementModel.load(config.model_dir)
        self.mask = BrandMask(brands)

    def __call__(self, text: str) -> dict[str, Verdict]:
        return self.model.judge(self.mask(text))

    @staticmethod
    def topic(rules: TopicResult, verdict: Verdict) -> TopicResult:
        """The learned topic in place of the rules' (which stay in the reason)."""
        said = f"; rules: {rules.topic}" if rules.topic != verdict.label else ""
        return TopicResult(verdict.label, verdict.probability, rules.matched,
                           f"topic {verdict.label} {verdict.probability:.2f} (learned{said})",
                           rules.scores, verdict.probabilities, "learned", rules.no_model)
