"""Training of the optional topic textcat from labelled JSONL (``labels.topic`` per line).

Called by ``webcare train --task topic``; deterministic for a given seed and input. Also
cross-validates rules alone vs rules + model, so a model is only switched on when it helps.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone
from pathlib import Path

from sklearn.metrics import f1_score
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from classify.config import DEFAULT_LABELS, TopicConfig
from classify.textcat import MAX_CHARS, META_FILE, build_pipeline
from classify.topic import TopicClassifier
from webcare.lab.training import sentiment_data as sd


def read_labelled(paths: list[Path]) -> list[tuple[str, str, str]]:
    """(text, lang, topic) of every line with a topic label; other lines are skipped."""
    return sd.read_labelled(paths, "topic")


def fit(rows: list[tuple[str, str, str]], labels: list[str], seed: int = 0, epochs: int = 12):
    """Train a textcat on ``rows``; returns the spaCy pipeline."""
    fix_random_seed(seed)
    nlp = build_pipeline(labels)
    examples = [Example.from_dict(nlp.make_doc(text[:MAX_CHARS].lower()),
                                  {"cats": {label: float(label == topic) for label in labels}})
                for text, _, topic in rows]
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(seed)
    for _ in range(epochs):
        order.shuffle(examples)
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    return nlp


def train_topic(paths: list[Path], out_dir: Path, seed: int = 0,
                labels: list[str] | None = None) -> dict:
    """Train on all ``paths`` and write the model to ``out_dir``; returns its metadata."""
    labels = labels or list(DEFAULT_LABELS)
    rows = [row for row in read_labelled(paths) if row[2] in labels]
    if len(rows) < 2 * len(labels):
        raise ValueError(f"too little labelled data: {len(rows)} rows for {len(labels)} labels")
    nlp = fit(rows, labels, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    meta = {"labels": labels, "rows": len(rows), "seed": seed,
            "sources": [str(path) for path in paths],
            "trained_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")}
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


def cross_validate(paths: list[Path], work_dir: Path, folds: int = 5, seed: int = 0) -> dict:
    """Macro-F1 of the rules alone and of rules + a model trained on the other folds."""
    rows = read_labelled(paths)
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    gold, rules_only, combined = [], [], []
    rules = TopicClassifier(TopicConfig())
    for fold in range(folds):
        test = [rows[i] for i in order[fold::folds]]
        train = [rows[i] for i in order if i not in set(order[fold::folds])]
        train_path = work_dir / f"fold{fold}.jsonl"
        train_path.write_text("".join(json.dumps({"text": t, "lang": lang, "labels": {"topic": y}})
                                      + "\n" for t, lang, y in train), encoding="utf-8")
        train_topic([train_path], work_dir / f"model{fold}", seed)
        blended = TopicClassifier(TopicConfig(model=work_dir / f"model{fold}"))
        for text, lang, topic in test:
            gold.append(topic)
            rules_only.append(rules.classify(text, lang).topic)
            combined.append(blended.classify(text, lang).topic)
    score = lambda predicted: f1_score(gold, predicted, average="macro")  # noqa: E731
    return {"folds": folds, "rows": len(rows), "rules_macro_f1": round(score(rules_only), 4),
            "rules_plus_model_macro_f1": round(score(combined), 4)}
