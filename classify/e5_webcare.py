"""The webcare-domain accurate sentiment path: multilingual-e5-small embeddings scored by an
*expert* (a linear model plus the labels of its nearest training posts) whose logits are added
to the fast model's.

Built once by :class:`classify.cascade.Cascade` when the cascade is on and ``webcare_langs``
is not empty (loading ``classify/models/sentiment_e5_webcare.npz`` and the encoder; failure:
:class:`classify.transformer.TransformerModelError`), and called once per batch with the
posts of those languages the fast model is unsure of. The expert is a logistic regression
over the 384-d ``query:`` embedding trained on the project's invented webcare posts and the
ITSM dev posts (:mod:`webcare.lab.training.e5_webcare`), in en, nl and fi, plus the weighted
label shares of the post's nearest invented posts (cosine, an int8 copy of their embeddings
ships in the artifact), as log-odds scaled by ``beta``. It does not take the
fast logits as inputs (the fast model trains on the invented posts, so their fast logits are
in-sample); instead the two models' (negative, positive) log-odds against neutral are summed
(a product of experts) and divided by a temperature fitted on the ITSM dev posts' out-of-fold
sums, so the probabilities are calibrated. It is better than MiniLM and the Dutch head on
posts to service providers and worse on general tweets: choose it per deployment.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from classify.e5 import MODELS_DIR, E5Encoder, fast_logits, head_results, load_head
from classify.transformer import TransformerModelError, against_neutral, softmax, with_neutral
from classify.types import SentimentResult

WEBCARE_FILE = "sentiment_e5_webcare.npz"
SMOOTHING = 0.5  # added to each class's prior-scaled neighbour weight before taking log-odds


def quantised(embedded: np.ndarray) -> np.ndarray:
    """The int8 copy (x 127) of unit-length embeddings that the artifact stores."""
    return np.round(np.asarray(embedded) * 127).astype(np.int8)


def dequantised(stored: np.ndarray) -> np.ndarray:
    """The float32 unit-length embeddings of a :func:`quantised` copy."""
    return np.asarray(stored).astype(np.float32) / 127.0


def neighbour_logits(embedded: np.ndarray, memory: np.ndarray, labels: np.ndarray,
                     k: int) -> np.ndarray:
    """(n, 2) log-odds of negative and positive against neutral from the ``k`` most similar
    ``memory`` rows (dot product of unit vectors) of each embedded post: each class's count
    among them, divided by the class's share of the memory (so a common class does not win by
    its size), plus :data:`SMOOTHING`."""
    embedded = np.asarray(embedded, dtype=np.float32).reshape(-1, memory.shape[1])
    if not len(embedded):
        return np.zeros((0, 2))
    k = min(k, len(memory))
    nearest = np.argpartition(-(embedded @ memory.T), k - 1, axis=1)[:, :k]
    prior = np.bincount(labels, minlength=3) / len(labels)
    share = np.stack([(labels[nearest] == c).sum(1) for c in range(3)],
                     axis=1) / np.maximum(prior, 1e-12)
    return against_neutral(np.log(share + SMOOTHING))


def combined_probabilities(fast: np.ndarray, expert: np.ndarray,
                           temperature: float) -> np.ndarray:
    """(n, 3) probabilities of the summed (n, 2) fast and expert log-odds (against neutral)
    at ``temperature``; the evaluation calls it with stored out-of-fold expert logits."""
    return softmax(with_neutral(np.asarray(fast) + np.asarray(expert)) / temperature)


def load_memory(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(unit-length float32 embeddings, labels 0..2) of the expert's neighbour memory in
    ``path`` (stored as int8 x 127); raises :class:`TransformerModelError` naming the file
    when they are missing or do not fit together."""
    try:
        with np.load(path, allow_pickle=False) as z:
            memory = dequantised(z["memory"])
            labels = z["memory_labels"].astype(np.int64)
    except (OSError, ValueError, KeyError) as exc:
        raise TransformerModelError(f"cannot load the neighbour memory of {path}: {exc!r}") from exc
    if memory.shape != (len(labels), 384) or not len(labels) or labels.min() < 0 \
            or labels.max() > 2:
        raise TransformerModelError(f"{path}: the neighbour memory's arrays do not fit together "
                                    f"({memory.shape}, labels {labels.shape})")
    return memory, labels


class WebcareHead:
    """The encoder and the webcare expert; :meth:`refine` re-scores unsure posts."""

    def __init__(self, model_dir: Path | None = None, threads: int = 1,
                 batch_size: int = 32, encoder: E5Encoder | None = None) -> None:
        self.meta, self.coef, self.bias = load_head(model_dir, WEBCARE_FILE, ((384, 2), (2,)))
        self.temperature = float(self.meta.get("temperature", 0.0))
        if not self.temperature > 0:
            raise TransformerModelError(f"{WEBCARE_FILE} has no positive temperature in its "
                                        "meta; retrain it with webcare train --task e5")
        self.memory, self.labels = load_memory(
            Path(model_dir or MODELS_DIR) / WEBCARE_FILE)
        self.k, self.beta = int(self.meta.get("k", 10)), float(self.meta.get("beta", 0.0))
        self.name = str(self.meta.get("name", "e5-webcare"))
        self.encoder = encoder or E5Encoder(threads, batch_size)

    def expert_logits(self, embedded: np.ndarray) -> np.ndarray:
        """(n, 2) the expert's log-odds of negative and positive against neutral for posts
        whose e5 embeddings are ``embedded``."""
        return embedded @ self.coef + self.bias + self.beta * neighbour_logits(
            embedded, self.memory, self.labels, self.k)

    def refine(self, texts: list[str], fast: list[SentimentResult]) -> list[SentimentResult]:
        """The combined results for ``texts`` (whose fast results are ``fast``), in order."""
        embedded = self.encoder.embed(texts)
        probabilities = combined_probabilities(fast_logits(fast), self.expert_logits(embedded),
                                               self.temperature)
        return head_results(probabilities, self.name, fast, embedded)
