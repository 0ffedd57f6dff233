"""The Dutch accurate path: multilingual-e5-small embeddings, the head, its training and its
place in the cascade."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from classify.cascade import Cascade
from classify.config import CascadeConfig, SentimentConfig
from classify.e5 import HEAD_FILE, E5Encoder, E5Head, fast_logits, load_head
from classify.sentiment import SentimentScorer
from classify.transformer import TransformerModelError
from tests.classify.heads import assert_accurate_results
from webcare.lab.training.e5_head import fit_head, train_e5_head

NEGATIVE = "Mijn internet ligt er alweer uit, echt belachelijk en niemand reageert"
POSITIVE = "Bedankt voor de snelle hulp, alles werkt weer perfect! Top service"


@pytest.fixture(scope="module")
def head() -> E5Head:
    return E5Head()


@pytest.fixture(scope="module")
def encoder() -> E5Encoder:
    return E5Encoder()


def test_encoder_gives_unit_length_embeddings_that_tell_texts_apart() -> None:
    encoder = E5Encoder(batch_size=2)
    vectors = encoder.embed([NEGATIVE, POSITIVE, NEGATIVE])
    assert vectors.shape == (3, 384) and encoder.embed([]).shape == (0, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.allclose(vectors[0], vectors[2], atol=1e-5)  # batches do not change a text
    assert float(vectors[0] @ vectors[1]) < 0.99


@pytest.mark.slow
def test_fast_logits_are_log_odds_against_neutral(scorer) -> None:
    fast = scorer.score_many([NEGATIVE], ["nl"])
    p = fast[0].probabilities
    z = fast_logits(fast)
    assert z.shape == (1, 2)
    assert z[0, 0] == pytest.approx(np.log(p["negative"] / p["neutral"]))
    assert z[0, 1] == pytest.approx(np.log(p["positive"] / p["neutral"]))
    assert fast_logits([]).shape == (0, 2)


@pytest.mark.slow
def test_shipped_head_gives_calibrated_dutch_results(head, scorer) -> None:
    texts = [NEGATIVE, POSITIVE]
    results = head.refine(texts, scorer.score_many(texts, ["nl", "nl"]))
    assert_accurate_results(results, "e5-nl-head", ["negative", "positive"])
    assert results[0].compound < 0 < results[1].compound
    assert head.meta["langs"] == ["nl"] and 0.6 < head.meta["cv_macro_f1"] < 1.0


def test_missing_or_malformed_head_names_the_file(tmp_path) -> None:
    with pytest.raises(TransformerModelError, match=HEAD_FILE):
        load_head(tmp_path)
    meta = np.frombuffer(json.dumps({"name": "x"}).encode(), dtype=np.uint8)
    np.savez(tmp_path / HEAD_FILE, meta=meta, coef=np.zeros((10, 3)), bias=np.zeros(3))
    with pytest.raises(TransformerModelError, match=r"\(386, 3\)"):
        load_head(tmp_path)


def test_config_gives_each_language_one_accurate_model() -> None:
    with pytest.raises(ValidationError, match="both langs and multilingual_langs"):
        CascadeConfig(langs=["en", "nl"], multilingual_langs=["nl"])


@pytest.mark.slow
def test_a_cascade_without_minilm_languages_sends_dutch_to_the_head_only() -> None:
    cascade = Cascade(CascadeConfig(enabled=True, confidence=1.01, langs=[]))
    assert cascade.model is None and cascade.e5 is not None
    scorer = SentimentScorer(SentimentConfig())
    texts, langs = [NEGATIVE, "my internet is down again"], ["nl", "en"]
    results = cascade.apply(texts, langs, scorer.score_many(texts, langs))
    assert results[0].model == "e5-nl-head" and results[1].model != "e5-nl-head"


def _tiny_dutch() -> tuple[list[str], list[int]]:
    bad = ["{} is echt slecht", "wat een drama met {}", "{} werkt weer niet, belachelijk!"]
    neutral = ["{} begint om negen uur", "morgen vergadert {}", "de kamer bespreekt {}"]
    good = ["{} is geweldig", "top gedaan door {}", "heel blij met {}"]
    things = ["de trein", "het kabinet", "de app", "de wifi", "het nieuws", "de gemeente"]
    rows = [(t.format(w), label) for label, group in enumerate((bad, neutral, good))
            for t in group for w in things]
    return [text for text, _ in rows], [label for _, label in rows]


@pytest.mark.slow
def test_training_on_a_tiny_set_writes_a_head_the_cascade_loads(tmp_path) -> None:
    texts, labels = _tiny_dutch()
    data = tmp_path / "shared" / "data" / "dutch"
    data.mkdir(parents=True)
    with (data / "polarity_dev.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["content", "polarity"])
        writer.writerows([t, ("negative", "neutral", "positive")[y]]
                         for t, y in zip(texts, labels))
    models = tmp_path / "models"
    models.mkdir()
    fast = np.zeros((len(texts), 2))  # an unsure fast model: the head must learn from e5
    meta = {"domain": {"cv_logits": {"dutch_polarity_dev": fast.tolist()}}}
    np.savez(models / "sentiment_en.npz",
             meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    figures = train_e5_head(tmp_path / "shared", models, models, threads=1)
    assert figures["rows"] == len(texts) and figures["cv_macro_f1"] > 0.5
    assert (models / "sentiment_e5_MODEL_CARD.md").read_text("utf-8").count("Dutch") >= 2
    trained = E5Head(models)
    oof = np.asarray(trained.meta["cv_logits"]["dutch_polarity_dev"])
    assert oof.shape == (len(texts), 3)
    result = trained.refine(["de trein is echt slecht"], SentimentScorer(
        SentimentConfig()).score_many(["de trein is echt slecht"], ["nl"]))[0]
    assert result.label == "negative" and result.embedding_model == "e5"
    assert result.embedding.shape == (384,)


def test_training_refuses_logits_of_another_data_set(tmp_path) -> None:
    texts, labels = _tiny_dutch()
    data = tmp_path / "data" / "dutch"
    data.mkdir(parents=True)
    (data / "polarity_dev.csv").write_text(
        "content,polarity\n" + "\n".join(f'"{t}",negative' for t in texts) + "\n", "utf-8")
    meta = {"domain": {"cv_logits": {"dutch_polarity_dev": [[0.0, 0.0]]}}}
    np.savez(tmp_path / "sentiment_en.npz",
             meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    with pytest.raises(ValueError, match="retrain the sentiment models first"):
        train_e5_head(tmp_path, tmp_path, tmp_path / "out")
    with pytest.raises(ValueError, match="no fast sentiment model"):
        train_e5_head(tmp_path, tmp_path / "nowhere", tmp_path / "out")


@pytest.mark.slow
def test_fit_head_is_seeded(scorer, encoder) -> None:
    texts, labels = _tiny_dutch()
    fast = fast_logits(scorer.score_many(texts, ["nl"] * len(texts)))
    first, second = (fit_head(texts, labels, fast, encoder) for _ in range(2))
    assert np.array_equal(first["coef"], second["coef"]) and first["coef"].shape == (386, 3)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=400), min_size=1, max_size=3))
def test_any_text_gets_a_finite_unit_embedding(encoder, texts) -> None:
    vectors = encoder.embed(texts)
    assert vectors.shape == (len(texts), 384) and np.isfinite(vectors).all()
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)

