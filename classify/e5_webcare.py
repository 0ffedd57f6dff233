"""The webcare-domain accurate sentiment path: multilingual-e5-small embeddings scored by a
linear *expert* whose logits are added to the fast model's.

Built once by :class:`classify.cascade.Cascade` when the cascade is on and ``webcare_langs``
is not empty (loading ``classify/models/sentiment_e5_webcare.npz`` and the encoder; failure:
:class:`classify.transformer.TransformerModelError`), and called once per batch with the
posts of those languages the fast model is unsure of. The expert is a logistic regression
over the 384-d ``query:`` embedding trained on the project's invented webcare posts and the
ITSM dev posts (:mod:`classify.training.e5_webcare`), in en, nl and fi. It does not take the
fast logits as inputs (the fast model trains on the invented posts, so their fast logits are
in-sample); instead the two models' (negative, positive) log-odds against neutral are summed
(a product of experts) and divided by a temperature fitted on the ITSM dev posts' out-of-fold
sums, so the probabilities are calibrated. It is better than MiniLM and the Dutch head on
posts to service providers and worse on general tweets: choose it per deployment.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from classify.e5 import E5Encoder, fast_logits, head_results, load_head
from classify.transformer import TransformerModelError, softmax
from classify.types import SentimentResult

WEBCARE_FILE = "sentiment_e5_webcare.npz"


def combined_probabilities(fast: np.ndarray, expert: np.ndarray,
                           temperature: float) -> np.ndarray:
    """(n, 3) probabilities of the summed (n, 2) fast and expert log-odds (against neutral)
    at ``temperature``; the evaluation calls it with stored out-of-fold expert logits."""
    z = (np.asarray(fast, dtype=np.float64) + np.asarray(expert, dtype=np.float64)) / temperature
    return softmax(np.stack([z[:, 0], np.zeros(len(z)), z[:, 1]], axis=1))


class WebcareHead:
    """The encoder and the webcare expert; :meth:`refine` re-scores unsure posts."""

    def __init__(self, model_dir: Path | None = None, threads: int = 1,
                 batch_size: int = 32, encoder: E5Encoder | None = None) -> None:
        self.meta, self.coef, self.bias = load_head(model_dir, WEBCARE_FILE, ((384, 2), (2,)))
        self.temperature = float(self.meta.get("temperature", 0.0))
        if not self.temperature > 0:
            raise TransformerModelError(f"{WEBCARE_FILE} has no positive temperature in its "
                                        "meta; retrain it with webcare train --task e5")
        self.name = str(self.meta.get("name", "e5-webcare"))
        self.encoder = encoder or E5Encoder(threads, batch_size)

    def expert_logits(self, texts: list[str]) -> np.ndarray:
        """(n, 2) the expert's log-odds of negative and positive against neutral."""
        return self.encoder.embed(texts) @ self.coef + self.bias

    def refine(self, texts: list[str], fast: list[SentimentResult]) -> list[SentimentResult]:
        """The combined results for ``texts`` (whose fast results are ``fast``), in order."""
        probabilities = combined_probabilities(fast_logits(fast), self.expert_logits(texts),
                                               self.temperature)
        return head_results(probabilities, self.name, fast)
