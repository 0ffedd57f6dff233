"""The sentiment cascade: the fast linear model decides when it is confident, an accurate
model otherwise: the webcare-domain e5 expert for posts about a watched brand
(``webcare_langs``, default en/nl/fi; ``webcare_posts: all`` for every post of those
languages), MiniLM (``langs``, default English) or the multilingual-e5 Dutch head
(``multilingual_langs``, default Dutch) for the rest. General tweets and posts to service
providers want different models: MiniLM and the Dutch head are better on the former, the
webcare expert on the latter.

Built by :class:`classify.sentiment.SentimentScorer` when ``classify.sentiment.cascade.enabled``
(loading the int8 ONNX model and, for ``multilingual_langs`` / ``webcare_langs``, one e5
encoder and the heads;
failure: :class:`classify.transformer.TransformerModelError`) and called once per batch by
``SentimentScorer.score_batch`` with, per post, whether it mentions a watched brand (the
brands stage's match): the posts whose fast top probability is below ``confidence`` are
re-scored in one call per model. MiniLM's calibrated
log-probabilities are mixed with the fast model's (``fast_weight``; the two models err
differently); the e5 heads combine with the fast logits themselves (:mod:`classify.e5`,
:mod:`classify.e5_webcare`).
``confidence: 0`` sends nothing, ``confidence: 1.01`` every such post (the accurate path).
MiniLM results carry the MiniLM embedding and e5 results the e5 one; the complaint stage reads
them with its head for that encoder. Both encoders keep the batch's embeddings
(:mod:`classify.encoder`; cleared at the start of each ``apply``), so a post is embedded once
per batch whichever heads read it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from classify.config import CascadeConfig
from classify.e5 import E5Encoder, E5Head
from classify.e5_webcare import WebcareHead
from classify.transformer import MiniLM, softmax
from classify.types import SentimentResult

LABELS = ("negative", "neutral", "positive")


class Cascade:
    """MiniLM, the Dutch e5 head and the webcare e5 expert behind a confidence gate."""

    def __init__(self, config: CascadeConfig) -> None:
        self.config = config
        self.model = (MiniLM(config.model_dir, config.threads, config.batch_size)
                      if config.langs else None)
        encoder = (E5Encoder(config.threads, config.batch_size)
                   if config.multilingual_langs or config.webcare_langs else None)
        self.e5 = (E5Head(config.model_dir, encoder=encoder) if config.multilingual_langs
                   else None)
        self.webcare = (WebcareHead(config.model_dir, encoder=encoder) if config.webcare_langs
                        else None)
        # the shared encoders (classify.encoder): their caches hold one batch's embeddings
        self.encoders = [e for e in (self.model and self.model.encoder, encoder) if e]
        self.langs = frozenset(config.langs)
        self.e5_langs = frozenset(config.multilingual_langs)
        self.webcare_langs = frozenset(config.webcare_langs)
        # re-scoring function of each loaded accurate model, by route name
        self.routes = {}
        if self.model:
            self.routes["minilm"] = self.refine
        if self.e5:
            self.routes["e5"] = self.e5.refine
        if self.webcare:
            self.routes["webcare"] = self.webcare.refine

    def route(self, lang: str, about_brand: bool) -> str | None:
        """The name of the accurate model for a post in ``lang`` that does (not) mention a
        watched brand; None when no model serves it."""
        if lang in self.webcare_langs and (about_brand or self.config.webcare_posts == "all"):
            return "webcare"
        return "minilm" if lang in self.langs else "e5" if lang in self.e5_langs else None

    def unsure(self, fast: SentimentResult) -> bool:
        """True when the fast model's top probability is below the confidence."""
        return max(fast.probabilities.values()) < self.config.confidence

    def apply(self, texts: list[str], langs: list[str], fast: list[SentimentResult],
              about_brand: list[bool] | None = None) -> list[SentimentResult]:
        """``fast`` with the unsure posts re-scored by their accurate model, one batch per
        model (a new list); ``about_brand``: per post, whether it mentions a watched brand
        (None: none does)."""
        flags = about_brand if about_brand is not None else [False] * len(texts)
        for encoder in self.encoders:  # a new batch: each post is embedded once in it
            encoder.clear()
        batches: dict[str, list[int]] = {}
        for i, (result, lang, brand) in enumerate(zip(fast, langs, flags, strict=True)):
            name = self.route(lang, brand)
            if name is not None and self.unsure(result):
                batches.setdefault(name, []).append(i)
        out = list(fast)
        for name, rows in batches.items():
            refined = self.routes[name]([texts[i] for i in rows], [fast[i] for i in rows])
            for i, result in zip(rows, refined, strict=True):
                out[i] = result if not fast[i].no_model else replace(
                    # a language listed in a route that no model was trained on: still none
                    result, no_model=fast[i].no_model,
                    reason=f"{result.reason}; sentiment: no model for {langs[i]}, "
                           f"{result.model} and the English model used")
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
                embedding=embedding, embedding_model="minilm"))
        return out


def with_cascade(config, confidence: float | None, threads: int = 1,
                 routes: dict[str, list[str]] | None = None):  # noqa: ANN001, ANN201
    """A copy of a :class:`classify.config.ClassifyConfig` with the cascade off (None) or on
    at ``confidence``; ``routes`` replaces language lists (``langs``, ``multilingual_langs``,
    ``webcare_langs``). Used by the evaluation and the benchmark to compare the paths."""
    sentiment = config.sentiment
    update = {"enabled": confidence is not None, "confidence": confidence or 0.0,
              "threads": threads, **(routes or {})}
    cascade = CascadeConfig.model_validate({**sentiment.cascade.model_dump(), **update})
    return config.model_copy(update={"sentiment": sentiment.model_copy(
        update={"cascade": cascade})})
