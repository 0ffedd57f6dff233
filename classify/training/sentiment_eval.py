"""Measures trained sentiment models on the dev sets and writes the model card.

Called by :func:`classify.training.sentiment.train_sentiment` after training (and usable on
its own to re-measure shipped models). The dev sets are for measuring only: nothing here
feeds back into training.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from sklearn.metrics import f1_score, recall_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from classify.sentiment import LABELS, SentimentConfig, SentimentScorer
from classify.training import sentiment_data as sd

LICENCES = """| data | used for | licence / terms |
|---|---|---|
| TweetEval sentiment train (SemEval 2013-2016 tweets, reconstructed) | en model | SemEval / Twitter terms, research use; TweetEval: no extra restrictions |
| SemEval-2017 Task 4A extra tweets | en model | same as above |
| XED nl projections (Helsinki-NLP/XED @ 76666d2) | nl model | CC BY 4.0 |
| XED fi annotated + neu_fi (Helsinki-NLP/XED @ 76666d2) | fi model | CC BY 4.0 |
| hand-written word lists (classify/training/sentiment_lexicon.py) | all models | project's own |
| VADER lexicon (vaderSentiment 3.3.2, read from the installed package) | en valence features | MIT |

Not used for training: eval_only/ (airline tweets, CC BY-NC-SA), sentiment140 (academic use),
and the dev sets below (measurement only)."""


def _vader_label(compound: float) -> int:
    return 0 if compound <= -0.05 else 2 if compound >= 0.05 else 1


def evaluate(data: Path, model_dir: Path | None = None, repeats: int = 3) -> dict:
    """Metrics of VADER (±0.05) and of the models in ``model_dir`` on each dev set."""
    scorer = SentimentScorer(SentimentConfig(model_dir=model_dir))
    vader = SentimentIntensityAnalyzer()
    te_x, te_y = sd.tweeteval_val(data)
    vg_x, vg_y = sd.vader_groundtruth(data)
    nl_x, nl_y = sd.dutch_polarity(data)
    it_x, it_y, it_l = sd.itsm_dev(data)
    sets = {
        "tweeteval_val (macro recall)": (te_x, te_y, ["en"] * len(te_x), "recall"),
        "vader_groundtruth (macro F1)": (vg_x, vg_y, ["en"] * len(vg_x), "f1"),
        "dutch_polarity_dev (macro F1)": (nl_x, nl_y, ["nl"] * len(nl_x), "f1"),
        "itsm_dev (macro F1)": (it_x, it_y, it_l, "f1"),
    }
    for lang in ("en", "nl", "fi"):
        rows = [i for i, code in enumerate(it_l) if code == lang]
        sets[f"itsm_dev {lang} (macro F1)"] = ([it_x[i] for i in rows], [it_y[i] for i in rows],
                                               [lang] * len(rows), "f1")
    metrics: dict = {"dev": {}}
    for name, (texts, gold, langs, kind) in sets.items():
        metric = recall_score if kind == "recall" else f1_score
        base = [_vader_label(vader.polarity_scores(t)["compound"]) for t in texts]
        ours = [LABELS.index(r.label) for r in scorer.score_many(texts, langs)]
        metrics["dev"][name] = {
            "vader": round(float(metric(gold, base, average="macro")), 4),
            "ours": round(float(metric(gold, ours, average="macro")), 4),
            "rows": len(texts),
        }
    metrics["speed_us_per_post"] = measure_speed(scorer, te_x + it_x, it_l, repeats)
    return metrics


def measure_speed(scorer: SentimentScorer, texts: list[str], itsm_langs: list[str],
                  repeats: int = 3) -> dict:
    """Best-of-``repeats`` µs/post: bare VADER vs ``scorer.score`` (en texts, and ITSM langs)."""
    vader = SentimentIntensityAnalyzer()
    langs = ["en"] * (len(texts) - len(itsm_langs)) + itsm_langs

    def best(fn) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) / len(texts) * 1e6)
        return round(min(times), 1)

    bare = best(lambda: [vader.polarity_scores(t) for t in texts])
    ours = best(lambda: [scorer.score(t, lang) for t, lang in zip(texts, langs)])
    return {"vader": bare, "ours": ours, "ratio": round(ours / bare, 3)}


def write_card(path: Path, metrics: dict, seed: int) -> None:
    rows = "\n".join(f"| {name} | {m['rows']} | {m['vader']:.3f} | {m['ours']:.3f} |"
                     for name, m in metrics["dev"].items())
    speed = metrics["speed_us_per_post"]
    train_rows = ", ".join(f"{k}: {v}" for k, v in metrics.get("train_rows", {}).items())
    path.write_text(f"""# Sentiment models (classify/models/sentiment_{{en,nl,fi}}.npz)

Trained {date.today().isoformat()} with `classify.training.sentiment.train_sentiment`
(seed {seed}); training rows {train_rows}.

Multinomial logistic regression over word uni/bigrams (negation scope marked), character
4-grams within words and dense features (VADER-lexicon word valences for en, hand-written
lexicon hits, '?', '!', negations); temperature-calibrated on a 10 % held-out split.
At run time a configurable `lexicon_boost` adds a fixed logit per lexicon hit (domain prior
for customer posts about IT services). Unknown languages use the en model.

## Data and licences

{LICENCES}

## Metrics on the dev sets (measurement only, never trained on)

| set | rows | VADER ±0.05 | ours |
|---|---|---|---|
{rows}

## Speed

Bare VADER `polarity_scores`: {speed['vader']} µs/post; `SentimentScorer.score`:
{speed['ours']} µs/post (ratio {speed['ratio']}), TweetEval val + ITSM dev texts.
""", encoding="utf-8")
