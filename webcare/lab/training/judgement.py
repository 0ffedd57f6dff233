"""Training and leave-brand-out figures of the learned topic and urgency model
(:mod:`classify.judgement`): ``webcare train --task judgement``.

Data: the project's corpus (:mod:`webcare.lab.corpus`, 30 invented brands, en/nl/fi, each
slice's brands masked with that slice's configuration) plus the ITSM dev posts (masked with
the default configuration's brands). Figures, all printed in the model card:

* leave-brand-out on the corpus (train on every other brand's posts, corpus and dev, test on
  the brand's), pooled over folds, beside the default rules on the same posts (the rules never
  saw the corpus, so theirs is a held-out figure too);
* corpus → ITSM dev: trained on the corpus alone, tested on the dev posts (another writer,
  other brands), beside the rules' in-sample figure there.

Deterministic (liblinear-free lbfgs from zero, folds sorted by brand).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from classify.char_ngrams import CharTfidf
from classify.judgement import MODEL_FILE, TASKS, BrandMask, JudgementModel

NGRAMS = (2, 5)
MIN_DF = 2
C = 3.0  # inverse L2 strength of the logistic regressions (the only setting; not tuned on dev)


@dataclass
class Posts:
    """Masked texts with gold labels per task and the brand (fold) of each post."""

    texts: list[str]
    gold: dict[str, list[str]]
    brands: list[str | None]

    def __add__(self, other: Posts) -> Posts:
        return Posts(self.texts + other.texts,
                     {t: self.gold[t] + other.gold[t] for t in self.gold},
                     self.brands + other.brands)

    def subset(self, index: np.ndarray) -> Posts:
        return Posts([self.texts[i] for i in index],
                     {t: [v[i] for i in index] for t, v in self.gold.items()},
                     [self.brands[i] for i in index])


def posts(rows: list[dict], brands, brand_of=None) -> Posts:  # noqa: ANN001 - BrandConfigs
    """``rows`` (labelled posts) masked with ``brands``; the fold of a row is its ``brand``
    field, or ``brand_of(row)`` when given."""
    mask = BrandMask(brands)
    return Posts([mask(r["text"]) for r in rows],
                 {t: [str(r["labels"][t]) for r in rows] for t in TASKS},
                 [brand_of(r) if brand_of else r.get("brand") for r in rows])


def fit(data: Posts, c: float = C) -> JudgementModel:
    """The model trained on every post of ``data``."""
    from sklearn.linear_model import LogisticRegression

    vectoriser = CharTfidf.fit(data.texts, *NGRAMS, MIN_DF)
    x = vectoriser.matrix(data.texts)
    heads = {}
    for task in TASKS:
        model = LogisticRegression(C=c, max_iter=500).fit(x, data.gold[task])
        labels = [str(label) for label in model.classes_]
        coef, bias = model.coef_, model.intercept_
        if len(labels) == 2:  # binary: one row for the second class; make it a softmax pair
            coef, bias = np.vstack([-coef / 2, coef / 2]), np.array([-bias[0] / 2, bias[0] / 2])
        heads[task] = (labels, np.asarray(coef), np.asarray(bias))
    return JudgementModel(vectoriser, heads)


def predict(model: JudgementModel, texts: list[str]) -> dict[str, list[str]]:
    verdicts = [model.judge(text) for text in texts]
    return {task: [v[task].label for v in verdicts] for task in TASKS}


def leave_brand_out(corpus: Posts, extra: Posts) -> dict[str, list[str]]:
    """Predictions for every corpus post by a model trained without its brand's posts
    (``extra``: posts always in the training side, the ITSM dev set)."""
    from webcare.lab.lobo import splits

    out = {task: [""] * len(corpus.texts) for task in TASKS}
    for _, train, test in splits(corpus.brands):
        model = fit(corpus.subset(train) + extra)
        for task, labels in predict(model, [corpus.texts[i] for i in test]).items():
            for i, label in zip(test, labels, strict=True):
                out[task][i] = label
    return out


def train_judgement(corpus: Posts, dev: Posts, rules: dict[str, dict[str, list[str]]],
                    target: Path) -> dict:
    """Measure, then fit the shipped model on corpus + dev and write it with its card.
    ``rules``: the default classifier's answers on ``{"corpus": ..., "dev": ...}``."""
    from webcare.lab.lobo import score

    held_out = leave_brand_out(corpus, dev)
    to_dev = predict(fit(corpus), dev.texts)
    figures = {
        "corpus, leave-brand-out": {
            "rules": {t: score(t, corpus.gold[t], rules["corpus"][t]) for t in TASKS},
            "learned": {t: score(t, corpus.gold[t], held_out[t]) for t in TASKS}},
        "ITSM dev, trained on the corpus only": {
            "rules (in-sample)": {t: score(t, dev.gold[t], rules["dev"][t]) for t in TASKS},
            "learned": {t: score(t, dev.gold[t], to_dev[t]) for t in TASKS}}}
    model = fit(corpus + dev)
    meta = {"trained": date.today().isoformat(), "corpus_posts": len(corpus.texts),
            "dev_posts": len(dev.texts), "columns": len(model.vectoriser.keys), "C": C,
            "figures": figures}
    target.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(target / MODEL_FILE, **model.arrays(), meta=np.frombuffer(
        json.dumps(meta).encode(), dtype=np.uint8))
    write_card(target / "judgement_MODEL_CARD.md", meta)
    return meta


def table(figures: dict) -> str:
    lines = [f"{'data / system':52}{'topic macro-F1':>16}{'urgency accuracy':>18}"]
    for data, systems in figures.items():
        for system, values in systems.items():
            lines.append(f"{data + ': ' + system:52}{values['topic']:16.3f}"
                         f"{values['urgency']:18.3f}")
    return "\n".join(lines)


def write_card(path: Path, meta: dict) -> None:
    path.write_text(f"""# Model card: learned topic and urgency (`{MODEL_FILE}`)

Issue 20. Trained {meta['trained']} by `webcare train --task judgement`
(`webcare/lab/training/judgement.py`); served by `classify/judgement.py` when
`classify.judgement.enabled` is on (on in the shipped configuration; see docs/models.md).

* **Model**: per task a multinomial logistic regression (scikit-learn lbfgs, C {meta['C']})
  over the unit-length tf-idf of character 2–5-grams inside word boundaries
  ({meta['columns']} n-grams seen in at least {MIN_DF} posts), the post's configured brand
  names, aliases and handles masked first (one token), so the model never learns a brand.
* **Data**: {meta['corpus_posts']} posts of the project's own corpus
  (`webcare/lab/training/data/itsm_posts/`, 30 invented brands, en/nl/fi, five writers,
  labelled by docs/labelling.md; none written reading an evaluation set) and the
  {meta['dev_posts']} ITSM dev posts (`../shared/data/itsm/dev.jsonl`, project data).
* **Quality** (the rules: the default phrase rules and cues; they were written reading the
  ITSM dev posts, never the corpus):

```
{table(meta['figures'])}
```

* **Limits**: one model for en/nl/fi (other languages get whatever n-grams they share);
  relevance (the brand vs. the fish, the berry, the bird) is not learned yet: the same
  n-gram model scored far below the rules on it leave-brand-out.
""", encoding="utf-8")


def stored_meta(model_dir: Path) -> dict:
    """What was recorded when the artifact in ``model_dir`` was trained (``figures``,
    ``dev_posts``, ...; {} if none)."""
    path = model_dir / MODEL_FILE
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as arrays:
        if "meta" not in arrays.files:
            return {}
        return json.loads(bytes(arrays["meta"]).decode())
