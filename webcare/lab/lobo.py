"""Leave-brand-out cross-validation of the ITSM classifiers (issue 20).

The labelled ITSM posts carry no brand field: a post's brand is the configured brand the
brands stage finds in it (``Classification.brand``; the default config lists the data set's
brands), and posts with none form their own group (:data:`NO_BRAND`). Each group is one fold:
train on the other groups, test on it. Figures are pooled over the held-out posts of every
fold (each post is predicted exactly once, by a model that never saw its brand).

Rows measured (``webcare eval``): the default classifier's rules (no training, so their
leave-brand-out figure is their plain figure on these posts; but the rules were written
reading these posts, so it is an in-sample figure all the same) and the learned heads of
:mod:`classify.heads` with two feature sets (:data:`webcare.lab.training.heads.FEATURE_SETS`).
Deterministic: the folds are sorted by brand and the heads' fit starts from zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NO_BRAND = "(no brand)"
TASKS = ("topic", "urgency", "noise", "sentiment")
METRICS = {"topic": "macro-F1", "urgency": "accuracy", "noise": "F1", "sentiment": "macro-F1"}
TARGETS = {"topic": 0.85, "urgency": 0.80, "noise": 0.90, "sentiment": 0.85}


def groups(brands: Sequence[str | None]) -> list[str]:
    """The fold key of each post: its brand, or :data:`NO_BRAND`."""
    return [brand or NO_BRAND for brand in brands]


def splits(brands: Sequence[str | None]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``(brand, train indices, test indices)`` per brand, sorted by brand name."""
    keys = np.array(groups(brands), dtype=object)
    return [(key, np.flatnonzero(keys != key), np.flatnonzero(keys == key))
            for key in sorted(set(keys))]


def score(task: str, gold: Sequence[str], predicted: Sequence[str]) -> float:
    from sklearn.metrics import accuracy_score, f1_score

    if task == "urgency":
        return float(accuracy_score(gold, predicted))
    if task == "noise":
        return float(f1_score(gold, predicted, pos_label="True", zero_division=0))
    return float(f1_score(gold, predicted, average="macro", labels=sorted(set(gold)),
                          zero_division=0))


def measure(data) -> dict:  # noqa: ANN001 - webcare.lab.training.heads.Labelled
    """Leave-brand-out figures of the rules and the learned heads on ``data``: ``summary``
    (system -> task -> value), ``per_brand`` (system -> brand -> task -> value), ``table``."""
    from webcare.lab.training.heads import FEATURE_SETS, fit

    folds = splits(data.brands)
    predicted: dict[str, dict[str, list[str]]] = {"rules": dict(data.rules)}
    for name, tasks in FEATURE_SETS.items():
        out = {task: [""] * len(data.rows) for task in tasks}
        for _, train, test in folds:
            for task, blocks in tasks.items():
                head = fit(data, task, blocks, train)
                labels = head.predict({b: v[test] for b, v in data.blocks.items()})
                for i, (label, _) in zip(test, labels, strict=True):
                    out[task][i] = label
        out["noise"] = data.rules["noise"]  # the rule noise filter in every row
        predicted[f"learned: {name}"] = out
    summary = {system: {task: score(task, data.gold[task], p[task]) for task in TASKS}
               for system, p in predicted.items()}
    per_brand = {system: {brand: {task: score(task, [data.gold[task][i] for i in test],
                                               [p[task][i] for i in test]) for task in TASKS}
                          for brand, _, test in folds} for system, p in predicted.items()}
    sizes = {brand: len(test) for brand, _, test in folds}
    return {"summary": summary, "per_brand": per_brand, "sizes": sizes,
            "table": table(summary, per_brand, sizes)}


def table(summary: dict, per_brand: dict, sizes: dict[str, int]) -> str:
    head = f"{'system':26}" + "".join(f"{t + ' ' + METRICS[t]:>20}" for t in TASKS)
    lines = [head, "-" * len(head)]
    for system, values in summary.items():
        lines.append(f"{system:26}" + "".join(f"{values[t]:20.3f}" for t in TASKS))
    lines.append("rules: written reading these posts (in-sample); their sentiment is the fast model, "
                 "trained on these posts (its 5-fold CV figure is in the main table); noise is "
                 "the rule noise filter in every row")
    lines.append("")
    lines.append("per held-out brand (topic / urgency):")
    lines.append(f"{'brand':26}{'n':>5}" + "".join(f"{s[:22]:>24}" for s in per_brand))
    for brand, n in sizes.items():
        lines.append(f"{brand:26}{n:5}" + "".join(
            f"{per_brand[s][brand]['topic']:>15.3f} / {per_brand[s][brand]['urgency']:.3f}"
            for s in per_brand))
    return "\n".join(lines)
