"""Calibration of a freshly exported transformer model, on rows it was not trained on.

Called by :func:`classify.training.transformer.train_transformer` after the int8 export, so
the figures describe the quantised model that ships. Fits a temperature (minimum negative
log-likelihood) and per-class decision biases (a small grid search for macro recall: the
prior shift between a neutral-heavy training set and the balanced metric).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from sklearn.metrics import recall_score

from classify.transformer import MiniLM, softmax

TEMPERATURES = np.linspace(0.5, 3.0, 51)
BIASES = np.linspace(-1.0, 1.0, 21)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature with the lowest mean negative log-likelihood."""
    def nll(t: float) -> float:
        p = softmax(logits / t)
        return float(-np.log(p[np.arange(len(labels)), labels] + 1e-12).mean())
    return float(min(TEMPERATURES, key=nll))


def fit_decision_bias(log_p: np.ndarray, labels: np.ndarray) -> tuple[list[float], float]:
    """(negative, 0, positive) biases maximising macro recall; returns them and the score."""
    best, best_score = [0.0, 0.0, 0.0], -1.0
    for neg, pos in itertools.product(BIASES, BIASES):
        bias = np.array([neg, 0.0, pos])
        score = recall_score(labels, np.argmax(log_p + bias, axis=1), average="macro")
        if score > best_score + 1e-9:
            best, best_score = [float(neg), 0.0, float(pos)], float(score)
    return best, best_score


def expected_calibration_error(p: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """Top-label ECE: |accuracy - confidence| averaged over confidence bins."""
    confidence, predicted = p.max(axis=1), p.argmax(axis=1)
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            total += inside.mean() * abs((predicted[inside] == labels[inside]).mean()
                                         - confidence[inside].mean())
    return float(total)


def calibrate(model_dir: Path, texts: list[str], labels: list[int]) -> dict:
    """Fit on ``texts``/``labels`` through the model in ``model_dir``; returns the meta dict
    (``temperature``, ``decision_bias`` and the calibration figures)."""
    (model_dir / "sentiment_minilm.json").write_text(
        '{"temperature": 1.0, "decision_bias": [0, 0, 0]}', "utf-8")
    logits, _ = MiniLM(model_dir).raw(texts)
    y = np.asarray(labels)
    logits = logits.astype(np.float64)
    temperature = fit_temperature(logits, y)
    p = softmax(logits / temperature)
    bias, macro_recall = fit_decision_bias(np.log(p + 1e-12), y)
    return {"name": "minilm-sentiment-int8", "temperature": temperature, "decision_bias": bias,
            "calibration": {"macro_recall": round(macro_recall, 4),
                            "ece_before": round(expected_calibration_error(softmax(logits), y), 4),
                            "ece_after": round(expected_calibration_error(p, y), 4)}}
