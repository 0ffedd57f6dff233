"""The accurate sentiment model: fine-tuned all-MiniLM-L6-v2, int8 ONNX, run by onnxruntime.

Built once (by :class:`classify.sentiment.SentimentScorer` when the cascade is on, or by the
evaluation) from ``classify/models/sentiment_minilm.onnx`` + ``minilm_tokenizer.json`` (the
shared encoder, :mod:`classify.encoder`), ``sentiment_minilm_head.npz`` (the sentiment head
over its embedding, with its calibration) or, without it, the graph's own logits and
``sentiment_minilm.json``; construction fails with :class:`TransformerModelError` when a file
is missing or unreadable. No torch at run time.

:meth:`MiniLM.run` returns, per text, the calibrated (negative, neutral, positive)
probabilities and the pooled 384-d embedding (the input of the complaint head), embedded once
per batch through the encoder's cache. Texts are normalised as in training (URLs → ``http``,
handles → ``@user``), cut to :data:`MAX_TOKENS` tokens, unpadded, and batched by length.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from classify.encoder import (
    MAX_TOKENS,
    MODELS_DIR,
    ONNX_FILE,
    TOKENIZER_FILE,
    LinearHead,
    SharedEncoder,
    TransformerModelError,
    normalise,
)

META_FILE = "sentiment_minilm.json"
HEAD_FILE = "sentiment_minilm_head.npz"  # the head re-fitted on the shared encoder's output
__all__ = ["MAX_TOKENS", "MODELS_DIR", "ONNX_FILE", "TOKENIZER_FILE", "MiniLM",
           "TransformerModelError", "normalise"]


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def with_neutral(log_odds: np.ndarray) -> np.ndarray:
    """(n, 2) log-odds of negative and positive against neutral -> (n, 3) class scores
    (negative, neutral = 0, positive), the form softmax and argmax take."""
    z = np.asarray(log_odds, dtype=np.float64)
    return np.stack([z[:, 0], np.zeros(len(z)), z[:, 1]], axis=1)


def against_neutral(scores: np.ndarray) -> np.ndarray:
    """(n, 3) class scores (negative, neutral, positive) -> (n, 2) log-odds against neutral."""
    return scores[:, [0, 2]] - scores[:, [1]]


class MiniLM:
    """The sentiment head over the :class:`classify.encoder.SharedEncoder` (given, or one
    session over the shipped or a given model directory).

    With ``sentiment_minilm_head.npz`` in the directory (``webcare train --task encoder``)
    the logits are that head's over the cached embedding, so the complaint head and the
    other heads read the same single pass; without it (right after ``--task transformer``)
    they are the graph's own ``logits`` output, with the calibration of
    ``sentiment_minilm.json``."""

    def __init__(self, model_dir: Path | None = None, threads: int = 1,
                 batch_size: int = 32, encoder: SharedEncoder | None = None) -> None:
        model_dir = Path(model_dir or MODELS_DIR)
        try:
            meta = json.loads((model_dir / META_FILE).read_text("utf-8"))
            self.temperature = float(meta["temperature"])
            self.decision_bias = np.array(meta["decision_bias"], dtype=np.float64)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise TransformerModelError(
                f"cannot load the transformer sentiment model from {model_dir}: {exc!r}") from exc
        self.name = str(meta.get("name", "minilm"))
        self.encoder = encoder or SharedEncoder(model_dir, threads, batch_size)
        self.head: LinearHead | None = None
        if (model_dir / HEAD_FILE).is_file():
            head = load_sentiment_head(model_dir / HEAD_FILE)
            self.head, self.temperature, self.decision_bias, self.name = head
        self.batch_size = batch_size

    def raw(self, texts: list[str],
            keys: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Uncalibrated logits (n, 3) and pooled embeddings (n, 384), in input order;
        ``keys``: the posts' cache keys (default their texts)."""
        if self.head is None:
            logits, pooled = self.encoder.forward(texts, ("logits", "embedding"))
            return logits, pooled
        pooled = self.encoder.embed(texts, keys)
        return self.head(pooled).astype(np.float32), pooled

    def run(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated probabilities (n, 3) and embeddings (n, 384)."""
        logits, pooled = self.raw(texts)
        return softmax(logits.astype(np.float64) / self.temperature), pooled

    def labels(self, probabilities: np.ndarray) -> np.ndarray:
        """Decision: argmax of log-probabilities plus the per-class decision bias (fitted for
        macro recall on the calibration slice); 0 negative, 1 neutral, 2 positive."""
        return np.argmax(np.log(probabilities + 1e-12) + self.decision_bias, axis=1)


def load_sentiment_head(path: Path) -> tuple[LinearHead, float, np.ndarray, str]:
    """(head, temperature, decision bias, name) of a ``sentiment_minilm_head.npz``; raises
    :class:`TransformerModelError` naming the file when it is unreadable or malformed."""
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            hidden = (z["hidden_w"], z["hidden_b"]) if "hidden_w" in z.files else (None, None)
            head = LinearHead(z["coef"], z["bias"], *hidden)
        temperature = float(meta["temperature"])
        bias = np.array(meta["decision_bias"], dtype=np.float64)
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile,
            UnicodeDecodeError) as exc:
        raise TransformerModelError(f"cannot load the MiniLM sentiment head {path}: "
                                    f"{exc!r}") from exc
    if (head.input_dim, head.coef.shape[1]) != (384, 3) or bias.shape != (3,) \
            or not temperature > 0:
        raise TransformerModelError(f"{path}: shapes {head.coef.shape}, {bias.shape} or "
                                    f"temperature {temperature} do not fit")
    return head, temperature, bias, str(meta.get("name", "minilm-sentiment"))
