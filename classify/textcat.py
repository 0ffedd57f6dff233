"""An optional spaCy ``textcat`` topic model, trained by ``webcare train --task topic``.

Loaded once by :class:`classify.topic.TopicClassifier` when ``classify.topic.model`` names a
directory written by :func:`webcare.lab.training.topic.train_topic`; its probabilities are added
to the phrase-rule scores (``model_weight`` × p). Loading fails with :class:`TopicModelError`
naming the directory when it is missing, unreadable or trained on other labels.
"""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from spacy.language import Language

from schemas.errors import WebcareError

META_FILE = "webcare_topic.json"
MAX_CHARS = 2000  # longer posts are cut: the model reads a tweet-sized window


class TopicModelError(WebcareError, RuntimeError):
    """The configured topic model cannot be used (message names the directory and why)."""


def build_pipeline(labels: list[str]) -> Language:
    """A blank multilingual pipeline with an exclusive bag-of-words textcat over ``labels``."""
    nlp = spacy.blank("xx")
    textcat = nlp.add_pipe("textcat", config={"model": {
        "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True,
        "ngram_size": 2, "no_output_layer": False, "length": 262144}})
    for label in labels:
        textcat.add_label(label)
    return nlp


class TopicModel:
    """Predicts a probability per topic label for one text."""

    def __init__(self, path: Path, labels: list[str]) -> None:
        meta_path = path / META_FILE
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
            self.nlp = spacy.load(path)
        except (OSError, ValueError) as error:
            raise TopicModelError(f"topic model {path}: cannot load ({error})") from error
        unknown = sorted(set(meta.get("labels", [])) - set(labels))
        if unknown:
            raise TopicModelError(f"topic model {path}: labels {unknown} are not in topic.labels")
        self.meta = meta
        self.name = f"textcat@{meta.get('trained_at', '?')}"

    def probabilities(self, text: str) -> dict[str, float]:
        return dict(self.nlp(text[:MAX_CHARS].lower()).cats)
