"""Honest (out-of-fold) figures of the sentiment paths on the sets the models train on.

The ITSM dev and Dutch polarity posts are training data of the fast models, the Dutch e5 head
and the webcare expert, so their figures come from the out-of-fold logits each training
stores in its artifact, with the cascade put over them as it runs in the pipeline (routed by
the brands the brands stage finds). Called by ``webcare eval`` and ``webcare eval --models``;
needs ``../shared/data``; None where an artifact stores no logits of the set.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from classify.brands import BrandMatcher
from classify.cascade import Cascade
from classify.complaint import EMBEDDING_HEADS, load_arrays
from classify.e5 import HEAD_FILE, head_results, load_head
from classify.e5_webcare import WEBCARE_FILE, combined_probabilities
from classify.language import PostText
from classify.sentiment import LABELS, fast_result
from classify.transformer import softmax, with_neutral
from schemas import Post
from webcare.lab.training import sentiment_data as sd
from webcare.lab.training.posts import text_post
from webcare.lab.training.sentiment import stored_cv_logits


def tweet_posts(texts: list[str]) -> list[Post]:
    return [text_post(i, t) for i, t in enumerate(texts)]


def cv_figures(model_dir: Path) -> dict[str, float]:
    """The cross-validated figures stored in the shipped artifacts."""
    en_meta, _ = load_arrays(model_dir / "sentiment_en.npz")
    subsets = en_meta.get("domain", {}).get("cv_macro_f1_subsets", {})
    out = {"itsm_sentiment": subsets.get("itsm_dev"), "dutch": subsets.get("dutch_polarity_dev")}
    out["complaint"] = load_arrays(model_dir / "complaint_en.npz")[0]["cv_f1"]
    for encoder, file in EMBEDDING_HEADS.items():
        head = model_dir / file
        out[f"complaint_{encoder}"] = load_arrays(head)[0]["cv_f1"] if head.is_file() else None
    e5 = model_dir / HEAD_FILE
    out["dutch_e5"] = load_head(model_dir)[0]["cv_macro_f1"] if e5.is_file() else None
    webcare = model_dir / WEBCARE_FILE
    out["itsm_webcare"] = (load_head(model_dir, WEBCARE_FILE, ((384, 2), (2,)))[0]
                           ["cv_macro_f1"]["combined"] if webcare.is_file() else None)
    return out


def _probabilities(logits: np.ndarray) -> np.ndarray:
    """(n, 3) probabilities of (negative, positive) logits against neutral."""
    return softmax(with_neutral(logits))


def brand_flags(brands: BrandMatcher | None, posts: list[Post]) -> list[bool]:
    """Per post, whether the brands stage finds a watched brand in it (the cascade's route);
    all False without a matcher."""
    if brands is None:
        return [False] * len(posts)
    return [brands.match(post, PostText(post.text).unmarked).brand is not None
            for post in posts]


def itsm_cv_labels(cascade: Cascade | None, data: Path, model_dir: Path,
                   brands: BrandMatcher | None = None,
                   ) -> tuple[list[str], list[str], list[str]] | None:
    """(gold, predicted, language) sentiment labels of the ITSM dev posts from the fast
    model's out-of-fold logits stored in the artifact; ``cascade`` (a classifier's, None for
    the fast path) re-scores the unsure posts as it would at run time (routed by the brands
    ``brands`` finds), the webcare expert (which trains on these posts) from its own stored
    out-of-fold logits, so the figure of every path is honest. None when the artifact has no
    such logits or they are not of this set."""
    texts, gold, langs = sd.itsm_dev(data)
    logits = stored_cv_logits(model_dir, "itsm_dev", len(texts))
    if logits is None:
        return None
    results = [fast_result(tuple(p), "fast, out-of-fold") for p in _probabilities(logits)]
    if cascade is not None:
        rows = [json.loads(line) for line in (data / "itsm/dev.jsonl").open(encoding="utf-8")]
        flags = brand_flags(brands, [Post.model_validate(row) for row in rows])
        expert = [i for i, (lang, flag) in enumerate(zip(langs, flags, strict=True))
                  if cascade.route(lang, flag) == "webcare"]
        others = sorted(set(range(len(texts))) - set(expert))
        refined = cascade.apply([texts[i] for i in others], [langs[i] for i in others],
                                [results[i] for i in others], [flags[i] for i in others])
        unsure = [i for i in expert if cascade.unsure(results[i])]
        if unsure:
            stored = np.asarray(cascade.webcare.meta["cv_logits"]["itsm_dev"])[unsure]
            probabilities = combined_probabilities(logits[unsure], stored,
                                                   cascade.webcare.temperature)
            refined += head_results(probabilities, cascade.webcare.name,
                                    [results[i] for i in unsure])
        for i, result in zip(others + unsure, refined, strict=True):
            results[i] = result
    return [LABELS[g] for g in gold], [r.label for r in results], langs


def dutch_cv_sentiment(cascade: Cascade | None, data: Path, model_dir: Path,
                       brands: BrandMatcher | None = None) -> float | None:
    """Macro-F1 on the Dutch polarity set from out-of-fold logits only: the fast model's
    (stored by sentiment training) and, for the posts ``cascade`` would send to the Dutch e5
    head, the head's own (stored by its training); the webcare expert, which never trains on
    these tweets, scores the posts routed to it live. None when the fast logits are not
    stored."""
    texts, gold = sd.dutch_polarity(data)
    logits = stored_cv_logits(model_dir, "dutch_polarity_dev", len(gold))
    if logits is None:
        return None
    fast = _probabilities(logits)
    predicted = fast.argmax(1)
    if cascade is None:
        return float(f1_score(gold, predicted, average="macro"))
    flags = brand_flags(brands, tweet_posts(texts))
    routes = np.array([cascade.route("nl", flag) or "" for flag in flags])
    unsure = fast.max(1) < cascade.config.confidence
    if cascade.e5 is not None:
        head = np.asarray(cascade.e5.meta["cv_logits"]["dutch_polarity_dev"])
        predicted = np.where(unsure & (routes == "e5"), head.argmax(1), predicted)
    rows = np.flatnonzero(unsure & (routes == "webcare"))
    if len(rows):
        expert = cascade.webcare.expert_logits(
            cascade.webcare.encoder.embed([texts[i] for i in rows]))
        predicted[rows] = combined_probabilities(logits[rows], expert,
                                                 cascade.webcare.temperature).argmax(1)
    return float(f1_score(gold, predicted, average="macro"))


def itsm_cv_sentiment(cascade: Cascade | None, data: Path, model_dir: Path,
                      brands: BrandMatcher | None = None) -> float | None:
    """Macro-F1 of :func:`itsm_cv_labels` (None when it has none)."""
    labels = itsm_cv_labels(cascade, data, model_dir, brands)
    return None if labels is None else float(f1_score(*labels[:2], average="macro"))
