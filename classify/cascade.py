"""The sentiment cascade: the fast linear model decides when it is confident, an accurate
model otherwise (MiniLM for English, the multilingual-e5 head for Dutch).

Built by :class:`classify.sentiment.SentimentScorer` when ``classify.sentiment.cascade.enabled``
(loading the int8 ONNX model and, for ``multilingual_langs``, the e5 encoder and head;
failure: :class:`classify.transformer.TransformerModelError`) and called once per batch by
``SentimentScorer.score_batch``: the posts of the cascade languages whose fast top
probability is below ``confidence`` are re-scored in one call per model. MiniLM's calibrated
log-probabilities are mixed with the fast model's (``fast_weight``; the two models err
differently); the e5 head takes the fast logits as inputs itself (:mod:`classify.e5`).
``confidence: 0`` sends nothing, ``confidence: 1.01`` every such post (the accurate path).
MiniLM results carry the MiniLM embedding, which the complaint stage's MiniLM head reads.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from classify.e5 import E5Head
from classify.transformer import MiniLM, softmax
from classify.types import SentimentResult

LABELS = ("negative", "neutral", "positive")


class CascadeConfig(BaseModel):
    """``classify.sentiment.cascade`` in the config file."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    model_dir: Path | None = None  # None: the model shipped in classify/models/
    confidence: float = Field(default=0.8, ge=0.0, le=1.01, description=(
        "fast top probability at or above which the fast model decides; 1.01 = the accurate "
        "models always"))
    langs: list[str] = Field(default_factory=lambda: ["en"],
                             description="languages MiniLM decides (it is English-trained)")
    multilingual_langs: list[str] = Field(default_factory=lambda: ["nl"], description=(
        "languages the multilingual-e5 head decides (it is trained on Dutch tweets)"))
    fast_weight: float = Field(default=0.3, ge=0.0, le=1.0, description=(
        "weight of the fast model's log-probabilities in MiniLM's decision (a product of "
        "experts; 0 = MiniLM alone). 0.3 was chosen on the VADER ground-truth set"))
    threads: int = Field(default=1, ge=1, le=64,
                         description="threads of onnxruntime (MiniLM) and of the e5 engine")
    batch_size: int = Field(default=32, ge=1, le=1024)

    @model_validator(mode="after")
    def _one_model_per_language(self) -> CascadeConfig:
        both = sorted(set(self.langs) & set(self.multilingual_langs))
        if both:
            raise ValueError(f"languages {both} are in both langs and multilingual_langs; "
                             "each language has one accurate model")
        if not self.langs and not self.multilingual_langs:
            raise ValueError("langs and multilingual_langs are both empty: nothing to cascade")
        return self


class Cascade:
    """MiniLM and the e5 head behind a confidence gate."""

    def __init__(self, config: CascadeConfig) -> None:
        self.config = config
        self.model = (MiniLM(config.model_dir, config.threads, config.batch_size)
                      if config.langs else None)
        self.e5 = (E5Head(config.model_dir, config.threads, config.batch_size)
                   if config.multilingual_langs else None)
        self.langs = frozenset(config.langs)
        self.e5_langs = frozenset(config.multilingual_langs)
        # (languages, re-scoring function) of each loaded accurate model
        self.routes = [(self.langs, self.refine)] if self.model else []
        if self.e5:
            self.routes.append((self.e5_langs, self.e5.refine))

    def wants(self, fast: SentimentResult, lang: str) -> bool:
        """True when an accurate model should decide this post."""
        return ((lang in self.langs or lang in self.e5_langs)
                and max(fast.probabilities.values()) < self.config.confidence)

    def apply(self, texts: list[str], langs: list[str],
              fast: list[SentimentResult]) -> list[SentimentResult]:
        """``fast`` with the posts an accurate model should decide re-scored, one batch per
        model (a new list)."""
        out = list(fast)
        for model_langs, refine in self.routes:
            unsure = [i for i, (r, lang) in enumerate(zip(fast, langs, strict=True))
                      if lang in model_langs and self.wants(r, lang)]
            if unsure:
                refined = refine([texts[i] for i in unsure], [fast[i] for i in unsure])
                for i, result in zip(unsure, refined):
                    out[i] = result
        return out

    def refine(self, texts: list[str], fast: list[SentimentResult]) -> list[SentimentResult]:
        """MiniLM results for ``texts`` (whose fast results are ``fast``), in order."""
        minilm, pooled = self.model.run(texts)
        w = self.config.fast_weight
        fast_p = np.array([[f.probabilities[k] for k in LABELS] for f in fast]).reshape(-1, 3)
        log_mix = (1 - w) * np.log(minilm + 1e-12) + w * np.log(fast_p + 1e-12)
        probabilities = softmax(log_mix)
        labels = np.argmax(log_mix + (1 - w) * self.model.decision_bias, axis=1)
        out = []
        for p, label_id, embedding, before in zip(probabilities, labels, pooled, fast):
            label = LABELS[int(label_id)]
            probs = dict(zip(LABELS, (float(x) for x in p)))
            out.append(SentimentResult(
                label=label, compound=max(-1.0, min(1.0, probs["positive"] - probs["negative"])),
                probabilities=probs, model=self.model.name,
                reason=(f"sentiment {label} {probs[label]:.2f} (model {self.model.name}; fast "
                        f"model unsure: {max(before.probabilities.values()):.2f})"),
                embedding=embedding))
        return out


def with_cascade(config, confidence: float | None, threads: int = 1):  # noqa: ANN001, ANN201
    """A copy of a :class:`classify.config.ClassifyConfig` with the cascade off (None) or on
    at ``confidence``; used by the evaluation and the benchmark to compare both paths."""
    sentiment = config.sentiment
    cascade = sentiment.cascade.model_copy(update={
        "enabled": confidence is not None, "confidence": confidence or 0.0, "threads": threads})
    return config.model_copy(update={"sentiment": sentiment.model_copy(
        update={"cascade": cascade})})
