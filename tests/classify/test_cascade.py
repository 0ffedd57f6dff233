"""The MiniLM sentiment model, its calibration and the fast→MiniLM cascade."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from classify.config import CascadeConfig, ClassifyConfig, SentimentConfig
from classify.pipeline import Classifier
from classify.sentiment import SentimentScorer
from classify.transformer import MiniLM, TransformerModelError, normalise, softmax
from schemas import Post
from webcare.lab.training.transformer_calibration import (
    expected_calibration_error,
    fit_decision_bias,
    fit_temperature,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TEXTS = ["@AcmeCare my internet has been down since yesterday, this is a disgrace",
         "Thank you @AcmeCare, the engineer fixed it in ten minutes. Brilliant service!",
         "The Acme store in town opens at 9 on Saturdays.",
         "worst update ever, the app crashes every time I open it"]


@pytest.fixture(scope="module")
def minilm() -> MiniLM:
    return MiniLM()


def _cascade(confidence: float) -> SentimentScorer:
    return SentimentScorer(SentimentConfig(cascade=CascadeConfig(enabled=True,
                                                                 confidence=confidence)))


def test_temperature_fit_recovers_a_known_temperature() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(6000, 3))
    p = softmax(logits / 2.0)
    labels = np.array([rng.choice(3, p=row) for row in p])
    assert abs(fit_temperature(logits, labels) - 2.0) <= 0.15
    calibrated = softmax(logits / fit_temperature(logits, labels))
    assert expected_calibration_error(calibrated, labels) < expected_calibration_error(
        softmax(logits), labels)


@pytest.mark.slow
def test_decision_bias_raises_macro_recall_of_a_skewed_model() -> None:
    rng = np.random.default_rng(1)
    labels = rng.choice(3, size=3000, p=[0.15, 0.7, 0.15])
    logits = rng.normal(0, 1, size=(3000, 3))
    logits[np.arange(3000), labels] += 1.2
    logits[:, 1] += 1.0  # the model over-predicts the majority class
    bias, score = fit_decision_bias(np.log(softmax(logits)), labels)
    from sklearn.metrics import recall_score
    plain = recall_score(labels, logits.argmax(1), average="macro")
    assert score > plain + 0.05 and bias[0] > 0 and bias[2] > 0 and bias[1] == 0.0


def test_normalise_masks_handles_and_links() -> None:
    assert normalise("@Acme_Care see https://x.co/a b@c.d") == "@user see http b@c.d"


@pytest.mark.slow
def test_minilm_gives_calibrated_probabilities_and_embeddings(minilm) -> None:
    probabilities, pooled = minilm.run(TEXTS)
    assert probabilities.shape == (4, 3) and pooled.shape == (4, 384)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    labels = minilm.labels(probabilities).tolist()
    assert labels[0] == 0 and labels[1] == 2 and labels[3] == 0
    empty_p, empty_e = minilm.run([])
    assert empty_p.shape == (0, 3) and empty_e.shape == (0, 384)


def test_minilm_results_do_not_depend_much_on_the_batch(minilm) -> None:
    together, _ = minilm.run(TEXTS)
    alone = np.vstack([minilm.run([t])[0] for t in TEXTS])
    # int8 activations are quantised per batch: tiny differences, never a different label
    assert np.abs(together - alone).max() < 0.05
    assert (minilm.labels(together) == minilm.labels(alone)).all()


def test_missing_model_names_the_directory(tmp_path) -> None:
    with pytest.raises(TransformerModelError, match=str(tmp_path)):
        MiniLM(tmp_path)


@pytest.mark.slow
def test_cascade_sends_only_unsure_posts_of_its_languages() -> None:
    never, always = _cascade(0.0), _cascade(1.01)
    langs = ["en", "en", "en", "nl"]
    texts = TEXTS[:3] + ["Mijn internet doet het weer niet, belachelijk"]
    assert all(not r.model.startswith("minilm") for r in never.score_many(texts, langs))
    results = always.score_many(texts, langs)
    assert [r.model.startswith("minilm") for r in results] == [True, True, True, False]
    assert all(r.embedding is not None and r.embedding.shape == (384,) for r in results[:3])
    assert results[3].model == "e5-nl-head" and results[3].embedding_model == "e5"
    assert "fast model unsure" in results[0].reason
    middle = _cascade(0.8).score_many(texts, langs)
    fast = never.score_many(texts, langs)
    for m, f, lang in zip(middle, fast, langs):
        unsure = max(f.probabilities.values()) < 0.8
        assert m.model.startswith("minilm") == (lang == "en" and unsure)
        assert (m.model == "e5-nl-head") == (lang == "nl" and unsure)
        assert m == f or unsure  # a confident fast result is kept as it is


@pytest.mark.slow
def test_pipeline_with_cascade_refines_complaints() -> None:
    config = ClassifyConfig(sentiment=SentimentConfig(cascade=CascadeConfig(enabled=True,
                                                                            confidence=1.01)))
    classifier = Classifier(config)
    posts = [Post(id=f"c{i}", platform="x", text=t, created_at=T0, author={"handle": f"@u{i}"})
             for i, t in enumerate(TEXTS)]
    results = classifier.classify_many(posts)
    assert all(0.0 <= r.complaint <= 1.0 for r in results)
    assert results[0].complaint > results[1].complaint
    assert results[0].sentiment.model.startswith("minilm")
    assert any(reason.startswith("complaint ") for reason in results[0].reasons)


@pytest.mark.slow
def test_a_failing_batch_falls_back_to_one_post_at_a_time(monkeypatch) -> None:
    classifier = Classifier(ClassifyConfig())
    posts = [Post(id=f"f{i}", platform="x", text=t, created_at=T0, author={"handle": f"@f{i}"})
             for i, t in enumerate(TEXTS)]
    expected = classifier.classify_many(posts)
    real = classifier.sentiment.score_batch

    def fails_on_batches(texts, langs, lows, about_brand):
        if len(texts) > 1:
            raise RuntimeError("batch failed")
        return real(texts, langs, lows, about_brand)

    monkeypatch.setattr(classifier.sentiment, "score_batch", fails_on_batches)
    again = Classifier(ClassifyConfig())
    again.sentiment = classifier.sentiment
    assert [r.sentiment for r in again.classify_many(posts)] == [r.sentiment for r in expected]


def test_a_rescored_post_without_a_model_for_its_language_still_says_so(scorer) -> None:
    """A language listed in a cascade route (here MiniLM's, by a fake model) has no fast
    model: the accurate model's result keeps ``no_model`` and says what ran."""
    from classify.cascade import Cascade
    from classify.types import SentimentResult

    def fake(texts, fast):  # noqa: ANN001, ANN202
        return [SentimentResult("negative", -0.5, {"negative": 0.7, "neutral": 0.2,
                                                   "positive": 0.1}, "minilm-fake",
                                "sentiment negative 0.70 (model minilm-fake)") for _ in texts]

    cascade = Cascade.__new__(Cascade)  # the routing only: no model is loaded
    cascade.config = CascadeConfig(enabled=True, confidence=1.01, langs=["en", "de"])
    cascade.encoders, cascade.routes = [], {"minilm": fake}
    cascade.langs, cascade.e5_langs = frozenset({"en", "de"}), frozenset()
    cascade.webcare_langs = frozenset()
    texts = ["das ist schlecht", "this is bad"]
    fast = [scorer.score(t, lang) for t, lang in zip(texts, ["de", "en"])]
    german, english = cascade.apply(texts, ["de", "en"], fast)
    assert german.no_model == ("sentiment",) and english.no_model == ()
    assert german.model == english.model == "minilm-fake"
    assert german.reason.endswith("sentiment: no model for de, minilm-fake and the English "
                                  "model used")
