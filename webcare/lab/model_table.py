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

from classify.cascade import with_cascade
from classify.pipeline import Classifier
from classify.sentiment import LABELS, MODELS_DIR
from schemas import Post
from webcare.job.config import WebcareConfig
from webcare.lab.oof_figures import cv_figures, dutch_cv_sentiment, itsm_cv_sentiment, tweet_posts
from webcare.lab.training import sentiment_data as sd

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


def _rate(classifier: Classifier, posts: list[Post]) -> float:
    started = time.perf_counter()
    classifier.classify_batch(posts)
    return len(posts) / (time.perf_counter() - started)


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
    tweets = tweet_posts(tweets_x)
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
    from webcare.lab.training.complaint import read_complaints

    return read_complaints([data / "complaints" / "complaints_dev.csv"])


def _line(name, tweeteval, complaints, itsm_sent, itsm_topic, dutch, rate, deferred,
          note) -> str:  # noqa: ANN001
    cell = lambda v: f"{v:.3f}" if isinstance(v, float) else "-"  # noqa: E731
    share = f"{deferred:.0%}" if deferred is not None else "-"
    return (f"{name:34} {cell(tweeteval):>9} {cell(complaints):>10} {cell(itsm_sent):>9} "
            f"{cell(itsm_topic):>10} {cell(dutch):>6} {rate:8.0f}  {share:>5}  {note}")
