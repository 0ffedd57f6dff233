"""``webcare eval``: measure the classifiers on every labelled set in ``../shared/data``.

Each set that exists is measured and printed as one table row with the target; a missing
set is listed as skipped (the data is never shipped with the project).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    recall_score,
)

from classify.language import LanguageDetector
from classify.pipeline import Classifier
from classify.sentiment import MODELS_DIR, SentimentScorer
from schemas import Post
from webcare.job.config import WebcareConfig
from webcare.lab.training.posts import text_post


@dataclass(frozen=True)
class Row:
    dataset: str
    metric: str
    value: float
    target: float | None
    n: int
    detail: str = ""

    def line(self) -> str:
        target = f"≥ {self.target:.2f}" if self.target is not None else ""
        verdict = "" if self.target is None else ("ok" if self.value >= self.target else "BELOW")
        return (f"{self.dataset:22} {self.metric:32} {self.value:6.3f}  {target:7} "
                f"{verdict:5} n={self.n}")


def default_shared_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def shared_data_dir(given: Path | None) -> Path:
    """The labelled-data folder: ``given`` (the shared checkout or its ``data/``) or the
    default; called by ``webcare eval`` and ``webcare train`` before reading any set."""
    from webcare.lab.training.sentiment_data import data_dir

    return default_shared_dir() if given is None else data_dir(given)


class Sentiment:
    """Language detection + the sentiment stage, as the pipeline runs them."""

    def __init__(self, config: WebcareConfig) -> None:
        self.config = config
        self.language = LanguageDetector(config.classify.language)
        self.scorer = SentimentScorer(config.classify.sentiment)

    def labels(self, texts: list[str], lang: str | None = None) -> list[str]:
        return [self.scorer.score(t, lang or self.language.detect(t, None).lang).label
                for t in texts]


def eval_itsm(config: WebcareConfig, data: Path) -> list[Row]:
    rows = [json.loads(line) for line in (data / "itsm/dev.jsonl").open(encoding="utf-8")]
    rows.sort(key=lambda row: row["created_at"])
    classifier = Classifier(config.classify)  # the config lists the data set's brands
    predicted = classifier.classify_many([Post.model_validate(row) for row in rows])
    gold = [row["labels"] for row in rows]
    n = len(rows)
    topic = ([g["topic"] for g in gold], [p.topic for p in predicted])
    urgency = ([g["urgency"] for g in gold], [p.urgency for p in predicted])
    noise = ([str(g["noise_reason"]) for g in gold], [str(p.noise_reason) for p in predicted])
    sentiment = ([g["sentiment"] for g in gold], [p.sentiment.label for p in predicted])
    learned = "learned, in-sample " if config.classify.judgement.enabled else ""  # dev trains it
    return [
        Row("itsm dev", f"{learned}topic macro-F1", _macro_f1(*topic), 0.90, n, _detail(*topic)),
        Row("itsm dev", f"{learned}urgency accuracy", accuracy_score(*urgency), 0.80, n,
            _detail(*urgency)),
        Row("itsm dev", "noise F1", f1_score([g["noise"] for g in gold],
                                             [p.noise for p in predicted]), 0.90, n,
            _detail(*noise)),
        Row("itsm dev", "sentiment macro-F1 (in-sample)", _macro_f1(*sentiment), None, n,
            _detail(*sentiment)),
    ] + _itsm_cv_rows(config, classifier, data, n)


def _itsm_cv_rows(config: WebcareConfig, classifier: Classifier, data: Path,
                  n: int) -> list[Row]:
    """The honest ITSM sentiment figure (out-of-fold; ``classifier``'s cascade over the
    unsure posts), with its confusion matrix and per language, when the artifact stores the
    out-of-fold logits of this dev set."""
    from webcare.lab.oof_figures import itsm_cv_labels

    metric = "sentiment macro-F1 (5-fold CV)"
    cv = itsm_cv_labels(classifier.sentiment.cascade, data,
                        config.classify.sentiment.model_dir or MODELS_DIR, classifier.brands)
    stored = _cv(config)
    # the webcare-domain accurate path (fast + webcare e5 expert on every post), when shipped
    webcare = ([Row("itsm dev", "webcare e5 macro-F1 (5-fold CV)", stored["itsm_webcare"],
                    0.85, n)] if stored["itsm_webcare"] is not None else [])
    if cv is None:
        return [Row("itsm dev", metric, stored["itsm_sentiment"], 0.85, n), *webcare]
    gold, predicted, langs = cv
    rows = [Row("itsm dev", metric, _macro_f1(gold, predicted), 0.85, n,
                _detail(gold, predicted))]
    for lang in sorted(set(langs)):
        pick = [i for i, g in enumerate(langs) if g == lang]
        rows.append(Row(f"itsm dev, {lang}", metric, _macro_f1([gold[i] for i in pick],
                                                               [predicted[i] for i in pick]),
                        None, len(pick)))
    return rows + webcare


def eval_lobo(config: WebcareConfig, data: Path) -> list[Row]:
    """Leave-brand-out figures of the rules and the learned heads (:mod:`webcare.lab.lobo`)."""
    from webcare.lab.lobo import METRICS, TARGETS, measure
    from webcare.lab.training.heads import labelled

    figures = measure(labelled(config.classify, data))
    n = sum(figures["sizes"].values())
    return [Row("itsm leave-brand-out", f"{system.removeprefix('learned: ')} {task} "
                f"{METRICS[task]}", value, TARGETS[task] if task != "sentiment" else None, n,
                figures["table"] if (system, task) == ("rules", "topic") else "")
            for system, values in figures["summary"].items() for task, value in values.items()]


def eval_corpus(config: WebcareConfig) -> list[Row]:
    """The project's corpus of brands nobody tuned for (:mod:`webcare.lab.corpus`): the
    configured classifier on the rules path with the corpus's brands (names, aliases, handles
    only; the rules never saw the corpus, so these are held-out figures), and the learned
    topic/urgency's leave-brand-out figures stored when it was trained (the shipped model
    trains on the corpus: run on it, it would report in-sample figures)."""
    from classify.config import JudgementConfig
    from classify.judgement import MODELS_DIR as JUDGEMENT_DIR
    from classify.pipeline import Classifier
    from schemas import Post
    from webcare.lab import corpus
    from webcare.lab.lobo import score
    from webcare.lab.training.judgement import stored_meta

    rows = corpus.read_rows()
    cfg = corpus.configured(config.classify, corpus.read_brands())
    rules = cfg.model_copy(update={"judgement": JudgementConfig()})
    answers = Classifier(rules).classify_many([Post.model_validate(r) for r in rows])
    gold = corpus.gold(rows)
    predicted = {"topic": [a.topic for a in answers], "urgency": [a.urgency for a in answers],
                 "noise": [str(a.noise) for a in answers],
                 "sentiment": [a.sentiment.label for a in answers]}
    targets = {"topic": 0.85, "urgency": 0.80, "noise": 0.90, "sentiment": 0.80}
    metrics = {"topic": "macro-F1", "urgency": "accuracy", "noise": "F1",
               "sentiment": "macro-F1"}
    out = [Row("corpus, unseen brands", f"{'rules ' if t in ('topic', 'urgency') else ''}"
               f"{t} {metrics[t]}", score(t, gold[t], predicted[t]), targets[t], len(rows),
               _detail(gold[t], predicted[t]) if t == "topic" else "")
           for t in ("topic", "urgency", "noise", "sentiment")]
    meta = stored_meta(cfg.judgement.model_dir or JUDGEMENT_DIR)
    stored = meta.get("figures", {})
    learned = stored.get("corpus, leave-brand-out", {}).get("learned", {})
    out += [Row("corpus, brand-out CV", f"learned {t} {metrics[t]} (at training)", value,
                targets[t], len(rows)) for t, value in learned.items()]
    to_dev = stored.get("ITSM dev, trained on the corpus only", {}).get("learned", {})
    out += [Row("itsm dev", f"learned {t} {metrics[t]} (corpus-trained)", value, targets[t],
                meta.get("dev_posts", 0)) for t, value in to_dev.items()]
    return out


def _cv(config: WebcareConfig) -> dict[str, float]:
    """Cross-validated figures stored in the artifacts, for sets the models train on."""
    from webcare.lab.oof_figures import cv_figures

    return cv_figures(config.classify.sentiment.model_dir or MODELS_DIR)


def _detail(gold: list[str], predicted: list[str]) -> str:
    """Per-class precision/recall/F1 and the confusion matrix (rows gold, columns predicted)."""
    labels = sorted(set(gold) | set(predicted))
    matrix = confusion_matrix(gold, predicted, labels=labels)
    width = max(8, *(len(label) for label in labels))
    rows = [" " * width + "".join(f"{label[:width]:>{width + 1}}" for label in labels)]
    rows += [f"{label:>{width}}" + "".join(f"{count:>{width + 1}}" for count in line)
             for label, line in zip(labels, matrix)]
    report = classification_report(gold, predicted, labels=labels, zero_division=0, digits=3)
    return report + "\nconfusion (rows gold, columns predicted):\n" + "\n".join(rows)


def eval_tweeteval(sentiment: Sentiment, data: Path) -> list[Row]:
    texts = (data / "tweeteval/val_text.txt").read_text("utf-8").splitlines()
    names = {"0": "negative", "1": "neutral", "2": "positive"}
    gold = [names[x.strip()] for x in (data / "tweeteval/val_labels.txt").open()]
    predicted = sentiment.labels(texts)
    value = recall_score(gold, predicted, average="macro")
    return [Row("tweeteval val", "sentiment macro recall", value, 0.70, len(gold),
                _detail(gold, predicted))]


def eval_vader(sentiment: Sentiment, data: Path) -> list[Row]:
    gold, texts = [], []
    for line in (data / "vader/tweets_GroundTruth.txt").open(encoding="utf-8", errors="replace"):
        parts = line.rstrip("\n").split("\t", 2)
        if len(parts) == 3:
            mean = float(parts[1]) / 4
            gold.append("positive" if mean >= 0.05 else "negative" if mean <= -0.05 else "neutral")
            texts.append(parts[2])
    value = _macro_f1(gold, sentiment.labels(texts))
    return [Row("vader ground truth", "3-class macro-F1 (±0.05)", value, None, len(gold))]


def eval_complaints(config: WebcareConfig, data: Path) -> list[Row]:
    with (data / "complaints/complaints_dev.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    classifier = Classifier(config.classify.model_copy(update={"brands": []}))
    threshold = classifier.urgency.complaint.threshold
    results = classifier.classify_many([text_post(i, r["text"]) for i, r in enumerate(rows)])
    gold = [r["is_complaint"] == "1" for r in rows]
    complains = [(c.complaint or 0.0) >= threshold for c in results]
    cv = _cv(config)
    return [Row("complaints dev", "complaint F1 (in-sample)", f1_score(gold, complains), None,
                len(rows)),
            Row("complaints dev", "complaint F1 (5-fold CV)", cv["complaint"], 0.80, len(rows)),
            *(Row("complaints dev", f"{name} head complaint F1 (CV)",
                  cv[f"complaint_{encoder}"], 0.80, len(rows))
              for encoder, name in (("minilm", "MiniLM"), ("e5", "e5"))
              if cv.get(f"complaint_{encoder}") is not None),
            Row("complaints dev", "actionable F1 (webcare queue)",
                f1_score(gold, [c.actionable for c in results]), None, len(rows))]


def eval_dutch(sentiment: Sentiment, data: Path) -> list[Row]:
    with (data / "dutch/polarity_dev.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("polarity")]
    predicted = sentiment.labels([r["content"] for r in rows], "nl")
    value = _macro_f1([r["polarity"].strip() for r in rows], predicted)
    cv = _cv(sentiment.config)
    out = [Row("dutch polarity dev", "sentiment macro-F1 (in-sample)", value, None, len(rows)),
           Row("dutch polarity dev", "sentiment macro-F1 (5-fold CV)", cv["dutch"], 0.65,
               len(rows))]
    if cv["dutch_e5"] is not None:  # the accurate path (cascade), on every Dutch post
        out.append(Row("dutch polarity dev", "e5 head macro-F1 (5-fold CV)", cv["dutch_e5"],
                       0.65, len(rows)))
    return out


def eval_airline(sentiment: Sentiment, data: Path) -> list[Row]:
    with (data / "eval_only/airline_tweets.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    predicted = sentiment.labels([r["text"] for r in rows])
    value = _macro_f1([r["airline_sentiment"] for r in rows], predicted)
    return [Row("airline (eval only)", "sentiment macro-F1", value, None, len(rows))]


def _macro_f1(gold: list[str], predicted: list[str]) -> float:
    return f1_score(gold, predicted, average="macro", labels=sorted(set(gold)), zero_division=0)


def corpus_file() -> Path:
    """A file of the project's corpus (absolute: it ships with the project, not in shared)."""
    from webcare.lab.corpus import CORPUS_DIR

    return CORPUS_DIR / "a.jsonl"


def run_all(config: WebcareConfig, shared: Path | None = None, details: bool = False) -> str:
    """Measure every available set; returns the printed table (plus per-class scores and
    confusion matrices with ``details``)."""
    data = shared or default_shared_dir()
    sentiment = Sentiment(config)
    suites: list[tuple[str, Callable[[], list[Row]]]] = [
        ("itsm/dev.jsonl", lambda: eval_itsm(config, data)),
        ("itsm/dev.jsonl", lambda: eval_lobo(config, data)),  # leave-brand-out (issue 20)
        (str(corpus_file()), lambda: eval_corpus(config)),  # unseen brands (issue 20)
        ("tweeteval/val_text.txt", lambda: eval_tweeteval(sentiment, data)),
        ("vader/tweets_GroundTruth.txt", lambda: eval_vader(sentiment, data)),
        ("complaints/complaints_dev.csv", lambda: eval_complaints(config, data)),
        ("dutch/polarity_dev.csv", lambda: eval_dutch(sentiment, data)),
        ("eval_only/airline_tweets.csv", lambda: eval_airline(sentiment, data)),
    ]
    lines = [f"{'data set':22} {'metric':32} {'value':>6}  {'target':7} {'':5} size", "-" * 90]
    rows: list[Row] = []
    for relative, suite in suites:
        if not (data / relative).is_file():
            lines.append(f"{relative:55} skipped: not found under {data}")
            continue
        measured = suite()
        rows += measured
        lines += [row.line() for row in measured]
    if details:
        lines += [f"\n== {row.dataset}: {row.metric} ==\n{row.detail}" for row in rows if row.detail]
    return "\n".join(lines)
