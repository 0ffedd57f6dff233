"""Re-fits the MiniLM sentiment head on the shared encoder's embeddings (issue 20).

Run by ``webcare train --task encoder`` (after ``--task transformer`` when that is re-run;
``--task encoder`` then re-fits the complaint heads too, see :mod:`webcare.lab.train`). No
torch: only onnxruntime, tokenizers and scikit-learn.

Why: the shipped tokenizer file pads every text to 128 word pieces and the fine-tuning and the
old runtime attended to all of them (mask 1), so each post cost a full 128-token pass (26
posts/s on one core). :class:`classify.encoder.SharedEncoder` runs the same int8 graph on the
real word pieces (at most 64, padding masked, batches bucketed by length), 5-8x faster; the
pooled embedding then differs from the one the graph's own head was trained on, so that head
loses accuracy (TweetEval val macro recall 0.634 against 0.709). This script fits a new
head (``sentiment_minilm_head.npz``: a logistic regression, coef (384, 3) and bias, or a
one-hidden-layer MLP, hidden_w/hidden_b too; temperature, decision bias)
on the encoder's embeddings of the same TweetEval train + SemEval tweets the transformer was
fine-tuned on, with the same seeded 4 % calibration slice held out, the same class weights
(inverse frequency, square root), then fits the temperature and decision biases on the
slice as :mod:`webcare.lab.training.transformer_calibration` does.

Seeded (the split, the MLP); writes only at the end. The int8 embeddings depend a little on
the thread count (threads 1 and 2 moved the calibration-slice figures by up to 0.008).
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import numpy as np

from classify.encoder import LinearHead, SharedEncoder
from classify.transformer import HEAD_FILE, MiniLM, softmax
from webcare.lab.training import sentiment_data as sd

SETTINGS = {"C_grid": [0.03, 0.1, 0.3, 1.0], "mlp_hidden": 256, "mlp_alpha_grid": [1e-3, 1e-2],
            "calibration_share": 0.04, "max_train": 60_000, "seed": 0,
            "threads": 1, "batch": 32}  # as the cascade runs it (int8 results vary a little)


def split(texts: list[str], labels: list[int], share: float, limit: int, seed: int):
    """The transformer's seeded (train, calibration) split (same rows)."""
    from webcare.lab.training.transformer import split as transformer_split

    return transformer_split(texts, labels, share, limit, seed)


def fit_head(x: np.ndarray, y: np.ndarray, c: float) -> dict[str, np.ndarray]:
    """Arrays (coef (384, 3), bias (3,)) of a class-weighted multinomial logistic
    regression."""
    from sklearn.linear_model import LogisticRegression

    counts = np.bincount(y, minlength=3)
    weights = dict(enumerate((counts.sum() / (3 * counts)) ** 0.5))
    model = LogisticRegression(C=c, max_iter=3000, class_weight=weights).fit(x, y)
    return {"coef": model.coef_.T.astype(np.float32),
            "bias": model.intercept_.astype(np.float32)}


def fit_mlp(x: np.ndarray, y: np.ndarray, hidden: int, alpha: float,
            seed: int) -> dict[str, np.ndarray]:
    """Arrays (hidden_w, hidden_b, coef, bias) of a one-hidden-layer ReLU network (softmax
    output, so ``coef``/``bias`` give logits), early stopping on a seeded 10 % of ``x``."""
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier((hidden,), alpha=alpha, early_stopping=True, random_state=seed,
                          max_iter=50).fit(x, y)
    (w1, w2), (b1, b2) = model.coefs_, model.intercepts_
    return {"hidden_w": w1.astype(np.float32), "hidden_b": b1.astype(np.float32),
            "coef": w2.astype(np.float32), "bias": b2.astype(np.float32)}


def save_head(path: Path, meta: dict, arrays: dict[str, np.ndarray]) -> None:
    encoded = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez_compressed(path, meta=encoded, **arrays)


def train_encoder_head(shared_data_dir: Path, model_dir: Path, out_dir: Path,
                       settings: dict | None = None, log=print) -> dict:
    """Fit and write ``sentiment_minilm_head.npz`` into ``out_dir`` over the encoder in
    ``model_dir``; returns its meta (calibration and TweetEval val figures)."""
    from sklearn.metrics import f1_score, recall_score

    from webcare.lab.training.transformer_calibration import (
        expected_calibration_error,
        fit_decision_bias,
        fit_temperature,
    )

    settings = {**SETTINGS, **(settings or {})}
    texts, labels = sd.tweeteval_train(shared_data_dir)
    (train_x, train_y), (cal_x, cal_y) = split(texts, labels, settings["calibration_share"],
                                               settings["max_train"], settings["seed"])
    encoder = SharedEncoder(model_dir, settings["threads"], settings["batch"])
    started = time.time()
    x_train, x_cal = encoder.encode(train_x), encoder.encode(cal_x)
    log(f"embedded {len(train_x) + len(cal_x)} tweets in {time.time() - started:.0f} s")
    y_train, y_cal = np.asarray(train_y), np.asarray(cal_y)
    # the head (linear at each C, or the MLP at each alpha) chosen by macro recall on the
    # calibration slice, never on a dev set; ties go to the first (simplest) candidate
    candidates = [(f"linear C {c}", lambda c=c: fit_head(x_train, y_train, c))
                  for c in settings["C_grid"]]
    candidates += [(f"mlp {settings['mlp_hidden']} alpha {a}",
                    lambda a=a: fit_mlp(x_train, y_train, settings["mlp_hidden"], a,
                                        settings["seed"]))
                   for a in settings["mlp_alpha_grid"]]
    fits = []
    for rank, (kind, fit) in enumerate(candidates):
        arrays = fit()
        logits = LinearHead(arrays["coef"], arrays["bias"], arrays.get("hidden_w"),
                            arrays.get("hidden_b"))(x_cal)
        temperature = fit_temperature(logits, y_cal)
        p = softmax(logits / temperature)
        decision_bias, cal_recall = fit_decision_bias(np.log(p + 1e-12), y_cal)
        log(f"{kind}: calibration-slice macro recall {cal_recall:.4f}")
        fits.append((cal_recall, -rank, kind, arrays, logits, temperature, p, decision_bias))
    cal_recall, _, kind, arrays, logits, temperature, p, decision_bias = max(
        fits, key=lambda f: (f[0], f[1]))
    meta = {"name": "minilm-sentiment-int8-shared", "temperature": temperature,
            "decision_bias": decision_bias, "head": kind, "settings": settings,
            "train_rows": len(train_x), "calibration_rows": len(cal_x),
            "trained": date.today().isoformat(),
            "calibration": {"macro_recall": round(cal_recall, 4),
                            "ece_before": round(expected_calibration_error(softmax(logits),
                                                                           y_cal), 4),
                            "ece_after": round(expected_calibration_error(p, y_cal), 4)}}
    work = out_dir / f".{HEAD_FILE}.tmp.npz"
    out_dir.mkdir(parents=True, exist_ok=True)
    save_head(work, meta, arrays)
    # the dev figures through the runtime path itself (MiniLM over the shared encoder)
    scratch = out_dir / ".encoder-tmp"
    scratch.mkdir(exist_ok=True)
    try:
        for name in ("sentiment_minilm.json",):
            (scratch / name).write_bytes((model_dir / name).read_bytes())
        work.replace(scratch / HEAD_FILE)
        model = MiniLM(scratch, encoder=encoder)
        te_x, te_y = sd.tweeteval_val(shared_data_dir)
        vg_x, vg_y = sd.vader_groundtruth(shared_data_dir)
        meta["dev"] = {
            "tweeteval_val_macro_recall": round(float(recall_score(
                te_y, model.labels(model.run(te_x)[0]), average="macro")), 4),
            "vader_groundtruth_macro_f1": round(float(f1_score(
                vg_y, model.labels(model.run(vg_x)[0]), average="macro")), 4)}
        save_head(out_dir / HEAD_FILE, meta, arrays)
    finally:
        for item in scratch.iterdir():
            item.unlink()
        scratch.rmdir()
    return meta
