"""``webcare eval --models``: every sentiment/complaint model side by side, with its speed.

Rows: VADER (±0.05; "negative means complaint"), the fast linear models (the default), the
cascade (fast model when confident; otherwise the webcare e5 expert for posts about a watched
brand, MiniLM for other English posts, the Dutch e5 head for other Dutch ones), the accurate
models on every post, the cascade without the webcare expert, and the webcare expert on
every post.
Columns: TweetEval val macro recall, complaints dev F1, ITSM dev sentiment and topic macro-F1,
Dutch polarity macro-F1, posts/s of the whole classify stage on one core. Figures on sets a
model was trained on are its 5-fold cross-validated ones, read from the artifact (marked
``cv``); the rest are measured here. Called by the CLI; needs ``../shared/data``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, recall_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from classify.brands import BrandMatcher
from classify.cascade import Cascade, with_cascade
from classify.complaint import load_arrays
from classify.e5 import HEAD_FILE, head_results, load_head
from classify.e5_webcare import WEBCARE_FILE, combined_probabilities
from classify.language import PostText
from classify.pipeline import Classifier
from classify.sentiment import LABELS, MODELS_DIR, fast_result
from classify.transformer import softmax
from classify.training import sentiment_data as sd
from classify.training.sentiment import stored_cv_logits
from schemas import Post
from webcare.config import WebcareConfig

SPEED_POSTS = 2000
# the webcare e5 expert for every post, about a brand or not
WEBCARE_EVERYWHERE = {"langs": [], "multilingual_langs": [], "webcare_posts": "all"}
FOOTNOTE = ("ITSM sentiment: the fast model's out-of-fold probabilities (it trains on the dev "
            "set), MiniLM (en) and the e5 head (nl) over the unsure ones, the webcare expert "
            "from its own out-of-fold logits; gold languages. Dutch: the fast model's and the "
            "e5 head's out-of-fold probabilities (the webcare expert never sees them). ITSM "
            "topic: the phrase rules, written while reading the dev set (in-sample).")


def _vader_label(compound: float) -> int:
    return 0 if compound <= -0.05 else 2 if compound >= 0.05 else 1


def _itsm_posts(data: Path) -> tuple[list[Post], list[dict]]:
    rows = [json.loads(line) for line in (data / "itsm/dev.jsonl").open(encoding="utf-8")]
    rows.sort(key=lambda row: row["created_at"])
    return [Post.model_validate(row) for row in rows], [row["labels"] for row in rows]


def _tweet_posts(texts: list[str]) -> list[Post]:
    from webcare.evaluate import _text_post

    return [_text_post(i, t) for i, t in enumerate(texts)]


def _rate(classifier: Classifier, posts: list[Post]) -> float:
    started = time.perf_counter()
    classifier.classify_batch(posts)
    return len(posts) / (time.perf_counter() - started)


def cv_figures(model_dir: Path) -> dict[str, float]:
    """The cross-validated figures stored in the shipped artifacts."""
    en_meta, _ = load_arrays(model_dir / "sentiment_en.npz")
    subsets = en_meta.get("domain", {}).get("cv_macro_f1_subsets", {})
    out = {"itsm_sentiment": subsets.get("itsm_dev"), "dutch": subsets.get("dutch_polarity_dev")}
    out["complaint"] = load_arrays(model_dir / "complaint_en.npz")[0]["cv_f1"]
    head = model_dir / "complaint_minilm.npz"
    out["complaint_minilm"] = load_arrays(head)[0]["cv_f1"] if head.is_file() else None
    e5 = model_dir / HEAD_FILE
    out["dutch_e5"] = load_head(model_dir)[0]["cv_macro_f1"] if e5.is_file() else None
    webcare = model_dir / WEBCARE_FILE
    out["itsm_webcare"] = (load_head(model_dir, WEBCARE_FILE, ((384, 2), (2,)))[0]
                           ["cv_macro_f1"]["combined"] if webcare.is_file() else None)
    return out


def _probabilities(logits: np.ndarray) -> np.ndarray:
    """(n, 3) probabilities of (negative, positive) logits against neutral."""
    return softmax(np.stack([logits[:, 0], np.zeros(len(logits)), logits[:, 1]], axis=1))


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
    flags = brand_flags(brands, _tweet_posts(texts))
    routes = np.array([cascade.route("nl", flag) or "" for flag in flags])
    unsure = fast.max(1) < cascade.config.confidence
    if cascade.e5 is not None:
        head = np.asarray(cascade.e5.meta["cv_logits"]["dutch_polarity_dev"])
        predicted = np.where(unsure & (routes == "e5"), head.argmax(1), predicted)
    rows = np.flatnonzero(unsure & (routes == "webcare"))
    if len(rows):
        expert = cascade.webcare.expert_logits([texts[i] for i in rows])
        predicted[rows] = combined_probabilities(logits[rows], expert,
                                                 cascade.webcare.temperature).argmax(1)
    return float(f1_score(gold, predicted, average="macro"))


def itsm_cv_sentiment(cascade: Cascade | None, data: Path, model_dir: Path,
                      brands: BrandMatcher | None = None) -> float | None:
    """Macro-F1 of :func:`itsm_cv_labels` (None when it has none)."""
    labels = itsm_cv_labels(cascade, data, model_dir, brands)
    return None if labels is None else float(f1_score(*labels[:2], average="macro"))


def _measure(classifier: Classifier, tweets: list[Post], tweet_gold: list[int],
             itsm: list[Post], itsm_gold: list[dict]) -> dict[str, float]:
    tweet_results = classifier.classify_many(tweets)
    tweet_pred = [LABELS.index(c.sentiment.label) for c in tweet_results]
    itsm_pred = classifier.classify_many(itsm)
    return {
        "tweeteval": recall_score(tweet_gold, tweet_pred, average="macro"),
        "itsm_sentiment": f1_score([g["sentiment"] for g in itsm_gold],
                                   [c.sentiment.label for c in itsm_pred], average="macro"),
        "itsm_topic": f1_score([g["topic"] for g in itsm_gold], [c.topic for c in itsm_pred],
                               average="macro"),
        "deferred": float(np.mean([any("fast model unsure" in r for r in c.reasons)
                                   for c in tweet_results])),
    }


def model_table(config: WebcareConfig, data: Path, confidences=(0.6, 0.8)) -> str:
    """The printed comparison table (one line per model)."""
    tweets_x, tweets_y = sd.tweeteval_val(data)
    tweets = _tweet_posts(tweets_x)
    itsm, itsm_gold = _itsm_posts(data)
    speed_posts = (tweets + itsm)[:SPEED_POSTS]
    model_dir = config.classify.sentiment.model_dir or MODELS_DIR
    cv = cv_figures(model_dir)
    lines = [f"{'model':34} {'TweetEval':>9} {'complaints':>10} {'ITSM sent':>9} "
             f"{'ITSM topic':>10} {'Dutch':>6} {'posts/s':>8}  accurate share", "-" * 104]
    vader = SentimentIntensityAnalyzer()
    started = time.perf_counter()
    compounds = [vader.polarity_scores(p.text)["compound"] for p in speed_posts]
    vader_rate = len(compounds) / (time.perf_counter() - started)
    complaints_x, complaints_y = _complaints(data)
    naive = [vader.polarity_scores(t)["compound"] <= -0.05 for t in complaints_x]
    dutch_x, dutch_y = sd.dutch_polarity(data)
    lines.append(_line("VADER ±0.05 (negative = complaint)",
                       recall_score(tweets_y, [_vader_label(vader.polarity_scores(t)["compound"])
                                               for t in tweets_x], average="macro"),
                       f1_score(complaints_y, naive),
                       f1_score([g["sentiment"] for g in itsm_gold],
                                [LABELS[_vader_label(vader.polarity_scores(p.text)["compound"])]
                                 for p in itsm], average="macro"),
                       None, f1_score(dutch_y, [_vader_label(vader.polarity_scores(t)["compound"])
                                                for t in dutch_x], average="macro"),
                       vader_rate, None, "bare polarity_scores"))
    variants = [("linear, fast (default)", None, None)]
    if (MODELS_DIR / "sentiment_minilm.onnx").is_file():
        variants += [(f"cascade, confidence {c:.2f}", c, None) for c in confidences]
        variants.append(("accurate models on every post", 1.01, None))
        variants.append((f"cascade {confidences[-1]:.2f} without webcare e5",
                         confidences[-1], {"webcare_langs": []}))
    variants.append(("webcare e5 on every post", 1.01, WEBCARE_EVERYWHERE))
    for name, confidence, routes in variants:
        variant = with_cascade(config.classify, confidence, routes=routes)
        classifier = Classifier(variant)
        m = _measure(classifier, tweets, tweets_y, itsm, itsm_gold)
        with_minilm = confidence is not None and variant.sentiment.cascade.langs
        complaint = cv["complaint_minilm"] if with_minilm else cv["complaint"]
        rate = _rate(Classifier(variant), speed_posts)  # fresh state, as a new run
        cascade, brands = classifier.sentiment.cascade, classifier.brands
        itsm_cv = itsm_cv_sentiment(cascade, data, model_dir, brands)
        dutch = dutch_cv_sentiment(cascade, data, model_dir, brands) or cv["dutch"]
        note = "complaints, Dutch, ITSM sentiment: 5-fold CV"
        if itsm_cv is None:
            itsm_cv, note = m["itsm_sentiment"], "complaints, Dutch: 5-fold CV; ITSM in-sample"
        lines.append(_line(name, m["tweeteval"], complaint, itsm_cv, m["itsm_topic"],
                           dutch, rate, m["deferred"], note))
    return "\n".join(lines + ["", FOOTNOTE])


def _complaints(data: Path) -> tuple[list[str], list[int]]:
    from classify.training.complaint import read_complaints

    return read_complaints([data / "complaints" / "complaints_dev.csv"])


def _line(name, tweeteval, complaints, itsm_sent, itsm_topic, dutch, rate, deferred,
          note) -> str:  # noqa: ANN001
    cell = lambda v: f"{v:.3f}" if isinstance(v, float) else "-"  # noqa: E731
    share = f"{deferred:.0%}" if deferred is not None else "-"
    return (f"{name:34} {cell(tweeteval):>9} {cell(complaints):>10} {cell(itsm_sent):>9} "
            f"{cell(itsm_topic):>10} {cell(dutch):>6} {rate:8.0f}  {share:>5}  {note}")
