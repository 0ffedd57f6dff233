"""The accurate sentiment model: fine-tuned all-MiniLM-L6-v2, int8 ONNX, run by onnxruntime.

Built once (by :class:`classify.sentiment.SentimentScorer` when the cascade is on, or by the
evaluation) from ``classify/models/sentiment_minilm.onnx`` + ``minilm_tokenizer.json`` +
``sentiment_minilm.json`` (calibration); construction fails with
:class:`TransformerModelError` when a file is missing or unreadable. No torch at run time.

:meth:`MiniLM.run` returns, per text, the calibrated (negative, neutral, positive)
probabilities and the pooled 384-d embedding (the input of the complaint head). Texts are
normalised as in training (URLs → ``http``, handles → ``@user``), cut to :data:`MAX_TOKENS`
tokens, and batched by length so padding stays small.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from schemas.errors import WebcareError

MAX_TOKENS = 64
MODELS_DIR = Path(__file__).parent / "models"
ONNX_FILE, TOKENIZER_FILE, META_FILE = ("sentiment_minilm.onnx", "minilm_tokenizer.json",
                                        "sentiment_minilm.json")
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<!\w)@\w+")


def normalise(text: str) -> str:
    """The text as the model saw it in training."""
    return _HANDLE.sub("@user", _URL.sub("http", text))


class TransformerModelError(WebcareError, RuntimeError):
    """The transformer model files are missing or unreadable (raised at construction)."""


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
    """One onnxruntime session over the shipped (or a given) model directory."""

    def __init__(self, model_dir: Path | None = None, threads: int = 1,
                 batch_size: int = 32) -> None:
        model_dir = Path(model_dir or MODELS_DIR)
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            meta = json.loads((model_dir / META_FILE).read_text("utf-8"))
            self.temperature = float(meta["temperature"])
            self.decision_bias = np.array(meta["decision_bias"], dtype=np.float64)
            self.tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            self.session = ort.InferenceSession(str(model_dir / ONNX_FILE), options,
                                                providers=["CPUExecutionProvider"])
        except (OSError, ValueError, KeyError, TypeError, ImportError, RuntimeError) as exc:
            raise TransformerModelError(
                f"cannot load the transformer sentiment model from {model_dir}: {exc!r}") from exc
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.name = str(meta.get("name", "minilm"))
        self.batch_size = batch_size

    def raw(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Uncalibrated logits (n, 3) and pooled embeddings (n, 384), in input order."""
        n = len(texts)
        logits = np.zeros((n, 3), dtype=np.float32)
        pooled = np.zeros((n, 384), dtype=np.float32)
        if not n:
            return logits, pooled
        encoded = [e.ids for e in self.tokenizer.encode_batch([normalise(t) for t in texts])]
        order = sorted(range(n), key=lambda i: len(encoded[i]))
        for start in range(0, n, self.batch_size):
            chunk = order[start:start + self.batch_size]
            width = max(len(encoded[i]) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                ids[row, : len(encoded[i])] = encoded[i]
                mask[row, : len(encoded[i])] = 1
            out_logits, out_pooled = self.session.run(
                ["logits", "embedding"], {"input_ids": ids, "attention_mask": mask})
            logits[chunk], pooled[chunk] = out_logits, out_pooled
        return logits, pooled

    def run(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated probabilities (n, 3) and embeddings (n, 384)."""
        logits, pooled = self.raw(texts)
        return softmax(logits.astype(np.float64) / self.temperature), pooled

    def labels(self, probabilities: np.ndarray) -> np.ndarray:
        """Decision: argmax of log-probabilities plus the per-class decision bias (fitted for
        macro recall on the calibration slice); 0 negative, 1 neutral, 2 positive."""
        return np.argmax(np.log(probabilities + 1e-12) + self.decision_bias, axis=1)
