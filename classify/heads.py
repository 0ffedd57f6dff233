"""Learned topic and urgency heads over the shared encoder's embeddings (issue 20).

Each head is a regularised multinomial logistic regression (softmax, L2) over named feature
blocks: ``minilm`` (the shared encoder's 384-d embedding, :class:`classify.encoder.SharedEncoder`,
scaled to unit length here) and, as cheap extra features, the phrase rules' own answers as
one-hot blocks (``rule_topic``, ``rule_urgency``, ``rule_noise``; see :func:`one_hot`). The
artifact (``classify/models/heads_minilm.npz``, ``webcare train --task heads``) stores per
head its labels, its input blocks, the weights and its training rows (float16), so a team
that adds a label gives a few examples (:meth:`Head.add_examples`) and the head is re-fitted
in milliseconds with numpy (few-shot over the encoder, no regexes).

Not the default classifier (yet): :class:`classify.pipeline.Classifier` still runs the
rules; the lab measures both leave-brand-out (``webcare eval``, :mod:`webcare.lab.lobo`).
Construction fails with :class:`HeadsModelError` when the artifact is missing or malformed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from schemas.errors import WebcareError

MODELS_DIR = Path(__file__).parent / "models"
HEADS_FILE = "heads_minilm.npz"
URGENCY_LEVELS = ("critical", "high", "medium", "low")
DEFAULT_L2 = 1e-3  # mean cross-entropy + l2/2 * |W|^2 (about scikit-learn's C = 1 / (l2 n))
ITERATIONS = 1500


class HeadsModelError(WebcareError, RuntimeError):
    """The heads artifact is missing, unreadable or does not fit its inputs."""


def unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float64)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norm > 0, norm, 1.0)


def one_hot(values: Sequence[object], labels: Sequence[object]) -> np.ndarray:
    """(n, len(labels)) indicator block; a value not in ``labels`` is a zero row."""
    index = {label: j for j, label in enumerate(labels)}
    out = np.zeros((len(values), len(labels)))
    for i, value in enumerate(values):
        if value in index:
            out[i, index[value]] = 1.0
    return out


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_softmax(x: np.ndarray, y: np.ndarray, k: int, l2: float = DEFAULT_L2,
                iterations: int = ITERATIONS,
                weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by Nesterov-accelerated gradient descent on
    mean cross-entropy + ``l2``/2 |W|^2 (bias not penalised); deterministic (zero start).
    ``y``: label indices in ``range(k)``; ``weights``: per-row weights (default 1)."""
    x = np.asarray(x, dtype=np.float64)
    n, d = x.shape
    w_rows = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    w_rows = w_rows / w_rows.sum()
    target = np.zeros((n, k))
    target[np.arange(n), y] = 1.0
    step = 1.0 / (0.5 * float(np.max(np.sum(x * x, axis=1), initial=0.0)) + 0.5 + l2)
    coef, bias = np.zeros((d, k)), np.zeros(k)
    prev_coef, prev_bias = coef, bias
    for t in range(1, iterations + 1):
        momentum = (t - 1) / (t + 2)
        look_coef = coef + momentum * (coef - prev_coef)
        look_bias = bias + momentum * (bias - prev_bias)
        residual = (softmax(x @ look_coef + look_bias) - target) * w_rows[:, None]
        prev_coef, prev_bias = coef, bias
        coef = look_coef - step * (x.T @ residual + l2 * look_coef)
        bias = look_bias - step * residual.sum(axis=0)
    return coef, bias


class Head:
    """One head: ``labels``, the names of its input ``blocks``, weights, training rows."""

    def __init__(self, labels: Sequence[str], blocks: Sequence[str], coef: np.ndarray,
                 bias: np.ndarray, train_x: np.ndarray, train_y: np.ndarray,
                 l2: float = DEFAULT_L2, block_dims: Sequence[int] | None = None) -> None:
        self.labels, self.blocks = list(labels), list(blocks)
        self.coef, self.bias = np.asarray(coef, np.float64), np.asarray(bias, np.float64)
        self.train_x, self.train_y = np.asarray(train_x, np.float64), np.asarray(train_y, int)
        self.l2 = l2
        self.block_dims = list(block_dims) if block_dims is not None else None
        if self.coef.shape != (self.train_x.shape[1], len(self.labels)) or \
                self.bias.shape != (len(self.labels),):
            raise HeadsModelError(f"head shapes do not fit: coef {self.coef.shape}, "
                                  f"{len(self.labels)} labels, rows {self.train_x.shape}")

    @classmethod
    def fit(cls, blocks: Mapping[str, np.ndarray], names: Sequence[str], gold: Sequence[str],
            labels: Sequence[str] | None = None, l2: float = DEFAULT_L2) -> Head:
        """Fit on the blocks ``names`` of ``blocks`` against the ``gold`` labels."""
        labels = list(labels) if labels is not None else sorted(set(gold))
        x = cls.stack(blocks, names)
        y = np.array([labels.index(g) for g in gold], dtype=int)
        coef, bias = fit_softmax(x, y, len(labels), l2)
        return cls(labels, names, coef, bias, x, y, l2,
                   [np.asarray(blocks[name]).shape[1] for name in names])

    @staticmethod
    def stack(blocks: Mapping[str, np.ndarray], names: Sequence[str]) -> np.ndarray:
        missing = [name for name in names if name not in blocks]
        if missing:
            raise HeadsModelError(f"feature blocks missing: {', '.join(missing)}")
        return np.hstack([unit(blocks[n]) if n == "minilm" else np.asarray(blocks[n], np.float64)
                          for n in names])

    def probabilities(self, blocks: Mapping[str, np.ndarray]) -> np.ndarray:
        """(n, len(labels)) probabilities, rows summing to 1."""
        x = self.stack(blocks, self.blocks)
        if x.shape[1] != self.coef.shape[0]:
            raise HeadsModelError(f"inputs have {x.shape[1]} features, the head {self.coef.shape[0]}")
        return softmax(x @ self.coef + self.bias)

    def predict(self, blocks: Mapping[str, np.ndarray]) -> list[tuple[str, float]]:
        """(label, probability) of the most probable label per row."""
        p = self.probabilities(blocks)
        best = p.argmax(axis=1)
        return [(self.labels[j], float(p[i, j])) for i, j in enumerate(best)]

    def add_examples(self, label: str, blocks: Mapping[str, np.ndarray],
                     weight: float = 1.0) -> None:
        """Few-shot: add examples of ``label`` (a new label or an existing one) and re-fit.
        Blocks that are indicator features of other labels (``rule_*``) are given as the
        rules see the examples; a new label simply has no rule column."""
        x = self.stack(blocks, self.blocks)
        if label not in self.labels:
            self.labels.append(label)
        y = np.full(len(x), self.labels.index(label), dtype=int)
        self.train_x = np.vstack([self.train_x, x])
        self.train_y = np.concatenate([self.train_y, y])
        rows = np.concatenate([np.ones(len(self.train_x) - len(x)), np.full(len(x), weight)])
        self.coef, self.bias = fit_softmax(self.train_x, self.train_y, len(self.labels),
                                           self.l2, weights=rows)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        meta = {"labels": self.labels, "blocks": self.blocks, "l2": self.l2,
                "block_dims": self.block_dims}
        return {f"{prefix}meta": np.array(json.dumps(meta)), f"{prefix}coef": self.coef,
                f"{prefix}bias": self.bias, f"{prefix}train_x": self.train_x.astype(np.float16),
                f"{prefix}train_y": self.train_y.astype(np.int16)}


class Heads:
    """The shipped heads by task (``topic``, ``urgency``), loaded from the artifact."""

    def __init__(self, model_dir: Path | None = None, file: str = HEADS_FILE) -> None:
        path = Path(model_dir or MODELS_DIR) / file
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
            tasks = json.loads(str(arrays["tasks"]))
            self.meta = json.loads(str(arrays["meta"]))
            self.heads = {}
            for task in tasks:
                meta = json.loads(str(arrays[f"{task}.meta"]))
                self.heads[task] = Head(meta["labels"], meta["blocks"], arrays[f"{task}.coef"],
                                        arrays[f"{task}.bias"], arrays[f"{task}.train_x"],
                                        arrays[f"{task}.train_y"], meta["l2"],
                                        meta.get("block_dims"))
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise HeadsModelError(f"cannot load the heads from {path}: {exc!r}") from exc

    def __getitem__(self, task: str) -> Head:
        return self.heads[task]

    def predict(self, task: str, blocks: Mapping[str, np.ndarray]) -> list[tuple[str, float]]:
        return self.heads[task].predict(blocks)


def save_heads(path: Path, heads: Mapping[str, Head], meta: Mapping[str, object]) -> None:
    """Write ``heads`` (by task) and ``meta`` (training facts) to one npz."""
    arrays: dict[str, np.ndarray] = {"tasks": np.array(json.dumps(list(heads))),
                                     "meta": np.array(json.dumps(dict(meta)))}
    for task, head in heads.items():
        arrays.update(head.arrays(f"{task}."))
    np.savez_compressed(path, **arrays)
