"""The webcare-domain accurate path: the e5 expert whose logits are added to the fast model's,
its training, its place in the cascade and its calibration."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pydantic import ValidationError

from classify.cascade import Cascade, with_cascade
from classify.config import CascadeConfig
from classify.e5 import E5Encoder
from classify.e5_webcare import (
    WEBCARE_FILE,
    WebcareHead,
    combined_probabilities,
    neighbour_logits,
)
from classify.pipeline import Classifier
from classify.transformer import TransformerModelError, softmax
from schemas import Post
from tests.classify.heads import assert_accurate_results
from webcare.job.config import load_config
from webcare.lab.training.e5_webcare import fit_expert, train_webcare_expert

NEGATIVE = "@GlowwireCares no internet since 6am, router lights green, nothing loads. useless"
POSITIVE = "Thanks @KettleSupport, the new admin console is brilliant. fixed in minutes!"
ONLY_WEBCARE = {"langs": [], "multilingual_langs": [], "webcare_posts": "all"}


@pytest.fixture(scope="module")
def expert() -> WebcareHead:
    return WebcareHead()


@pytest.mark.slow
def test_shipped_expert_gives_calibrated_webcare_results(expert, scorer) -> None:
    texts = [NEGATIVE, POSITIVE]
    results = expert.refine(texts, scorer.score_many(texts, ["en", "en"]))
    assert_accurate_results(results, "e5-webcare", ["negative", "positive"])
    meta = expert.meta
    assert meta["langs"] == ["en", "fi", "nl"] and len(meta["cv_logits"]["itsm_dev"]) == 320
    # the stored figures: fast + expert beats the fast model alone out-of-fold
    assert meta["cv_macro_f1"]["combined"] > meta["cv_macro_f1"]["fast"]
    assert meta["cv_macro_f1"]["calibration_error"]["combined"] < 0.1  # temperature-scaled


@settings(max_examples=80, deadline=None)
@given(arrays(np.float64, (4, 2), elements=st.floats(-30, 30)),
       arrays(np.float64, (4, 2), elements=st.floats(-30, 30)),
       st.floats(0.3, 3.0))
def test_combined_probabilities_are_the_tempered_product_of_both_models(fast, expert, t) -> None:
    p = combined_probabilities(fast, expert, t)
    z = (fast + expert) / t
    assert np.allclose(p, softmax(np.stack([z[:, 0], np.zeros(4), z[:, 1]], axis=1)))
    assert np.allclose(p.sum(1), 1.0) and np.isfinite(p).all()


def test_missing_malformed_or_untempered_expert_names_the_file(tmp_path) -> None:
    with pytest.raises(TransformerModelError, match=WEBCARE_FILE):
        WebcareHead(tmp_path)
    meta = np.frombuffer(json.dumps({"name": "x"}).encode(), dtype=np.uint8)
    np.savez(tmp_path / WEBCARE_FILE, meta=meta, coef=np.zeros((386, 3)), bias=np.zeros(3))
    with pytest.raises(TransformerModelError, match=r"\(384, 2\)"):
        WebcareHead(tmp_path)
    np.savez(tmp_path / WEBCARE_FILE, meta=meta, coef=np.zeros((384, 2)), bias=np.zeros(2))
    with pytest.raises(TransformerModelError, match="temperature"):
        WebcareHead(tmp_path)
    tempered = np.frombuffer(json.dumps({"temperature": 1.5}).encode(), dtype=np.uint8)
    np.savez(tmp_path / WEBCARE_FILE, meta=tempered, coef=np.zeros((384, 2)), bias=np.zeros(2))
    with pytest.raises(TransformerModelError, match="neighbour memory"):
        WebcareHead(tmp_path)
    np.savez(tmp_path / WEBCARE_FILE, meta=tempered, coef=np.zeros((384, 2)), bias=np.zeros(2),
             memory=np.zeros((3, 384), np.int8), memory_labels=np.array([0, 1, 3], np.uint8))
    with pytest.raises(TransformerModelError, match="do not fit together"):
        WebcareHead(tmp_path)


def test_neighbours_vote_against_the_class_prior() -> None:
    memory = np.eye(384, dtype=np.float32)[:4]
    labels = np.array([0, 1, 2, 1])
    z = neighbour_logits(memory[:1], memory, labels, k=1)
    assert z[0, 0] > 0 and z[0, 1] == pytest.approx(0.0)  # its own label, the others tie
    z = neighbour_logits(memory[2:3], memory, labels, k=1)
    assert z[0, 1] > z[0, 0] == pytest.approx(0.0)
    # neutral is half the memory: one neutral and one negative neighbour favour negative
    z = neighbour_logits((memory[0] + memory[1])[None] / np.sqrt(2), memory, labels, 2)
    assert z[0, 0] > 0
    assert neighbour_logits(np.zeros((0, 384)), memory, labels, 3).shape == (0, 2)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float32, (3, 384), elements=st.floats(-1, 1, width=32)),
       st.integers(1, 40))
def test_neighbour_logits_are_finite_for_any_post(embedded, k) -> None:
    rng = np.random.default_rng(0)
    memory = rng.normal(size=(20, 384)).astype(np.float32)
    memory /= np.linalg.norm(memory, axis=1, keepdims=True)
    z = neighbour_logits(embedded, memory, rng.integers(0, 3, 20), k)
    assert z.shape == (3, 2) and np.isfinite(z).all()


def test_config_gives_each_post_one_accurate_model() -> None:
    CascadeConfig()  # brand posts to the expert, the other posts by language
    with pytest.raises(ValidationError, match="'nl' is in both multilingual_langs and webcare"):
        CascadeConfig(langs=[], webcare_langs=["nl", "fi"], webcare_posts="all")
    with pytest.raises(ValidationError, match="nothing to cascade"):
        CascadeConfig(langs=[], multilingual_langs=[], webcare_langs=[])
    with pytest.raises(ValidationError, match="webcare_posts"):
        CascadeConfig(webcare_posts="some")


def test_posts_about_a_watched_brand_go_to_the_expert_the_rest_by_language(scorer) -> None:
    cascade = Cascade(CascadeConfig(enabled=True, confidence=1.01))
    texts = [NEGATIVE, NEGATIVE, "Kabelwijk internet ligt er weer uit, echt slecht",
             "het internet ligt er weer uit, echt slecht", "netti ei toimi taas", "netti ei toimi"]
    langs = ["en", "en", "nl", "nl", "fi", "fi"]
    about_brand = [True, False, True, False, True, False]
    fast = scorer.score_many(texts, langs)
    models = [r.model for r in cascade.apply(texts, langs, fast, about_brand)]
    assert models[0] == models[2] == models[4] == "e5-webcare"
    assert models[1].startswith("minilm") and models[3] == "e5-nl-head"
    assert models[5] == fast[5].model  # no accurate model for Finnish posts without a brand
    assert [r.model for r in cascade.apply(texts, langs, fast)][:2] == [models[1]] * 2


def test_the_webcare_path_sends_every_language_to_the_expert_only(scorer) -> None:
    cascade = Cascade(CascadeConfig(enabled=True, confidence=1.01, **ONLY_WEBCARE))
    assert cascade.model is None and cascade.e5 is None and cascade.webcare is not None
    texts = [NEGATIVE, "Kabelwijk internet ligt er weer uit", "Tuulin netti ei toimi", "hi"]
    langs = ["en", "nl", "fi", "de"]
    results = cascade.apply(texts, langs, scorer.score_many(texts, langs))
    assert [r.model for r in results[:3]] == ["e5-webcare"] * 3
    assert results[3].model != "e5-webcare"  # a language no accurate model serves


def test_dutch_head_and_expert_share_one_encoder() -> None:
    cascade = Cascade(CascadeConfig(enabled=True, langs=[], multilingual_langs=["nl"],
                                    webcare_langs=["en"]))
    assert cascade.e5.encoder is cascade.webcare.encoder


def _write_jsonl(path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


TINY = {
    "negative": ["{} is down again, useless", "{} broke my login, furious",
                 "still no {} after two days, awful service", "{} keeps crashing, fed up"],
    "neutral": ["how do I reset {}?", "what time does {} support open?",
                "does {} work abroad?", "is there a guide for {}?"],
    "positive": ["{} is brilliant, thanks!", "love the new {}, great work",
                 "{} fixed it in minutes, thank you", "really happy with {}"],
}
THINGS = ["the app", "my router", "the VPN", "webmail", "the portal", "my card"]


def _tiny_shared(tmp_path):
    dev, invented = [], []
    for label, templates in TINY.items():
        for i, template in enumerate(templates):
            dev.append({"id": f"d{label}{i}", "lang": ("en", "nl", "fi")[i % 3],
                        "text": template.format("Kettle"), "labels": {"sentiment": label}})
            invented += [{"id": f"i{label}{i}{j}", "lang": "en", "text": template.format(w),
                          "sentiment": label, "kind": "x", "template": f"en/{label}/{i}"}
                         for j, w in enumerate(THINGS)]
    _write_jsonl(tmp_path / "shared" / "data" / "itsm" / "dev.jsonl", dev)
    _write_jsonl(tmp_path / "invented.jsonl", invented)
    models = tmp_path / "models"
    models.mkdir()
    fast = np.zeros((len(dev), 2))  # an unsure fast model: the figures are the expert's
    meta = {"domain": {"cv_logits": {"itsm_dev": fast.tolist()}}}
    np.savez(models / "sentiment_en.npz",
             meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    return models, len(dev), len(invented)


@pytest.mark.slow
def test_training_on_a_tiny_set_writes_an_expert_the_cascade_loads(tmp_path, scorer) -> None:
    models, n_dev, n_invented = _tiny_shared(tmp_path)
    relabels = tmp_path / "relabels.jsonl"
    _write_jsonl(relabels, [{"text": "the app is awful", "lang": "en",
                             "labels": {"sentiment": "negative"}}])
    figures = train_webcare_expert(tmp_path / "shared", models, models, threads=1,
                                   invented_path=tmp_path / "invented.jsonl",
                                   relabel_paths=[relabels])
    assert figures["rows"] == {"invented": n_invented, "relabels": 1, "itsm_dev": n_dev,
                               "memory": n_invented}  # only invented posts are neighbours
    cv = figures["cv_macro_f1"]
    assert cv["fast"] < 0.5 < cv["expert"] == cv["combined"]  # fast logits all zero
    assert set(cv["combined_by_lang"]) == {"en", "nl", "fi"}
    card = (models / "sentiment_e5_webcare_MODEL_CARD.md").read_text("utf-8")
    assert 0 <= cv["calibration_error"]["combined"] <= 1 and "calibration error" in card
    assert f"{n_invented} invented" in card and "| fast + expert (this path) |" in card
    trained = WebcareHead(models)
    assert np.asarray(trained.meta["cv_logits"]["itsm_dev"]).shape == (n_dev, 2)
    text = "the portal is down again, useless"
    assert trained.refine([text], scorer.score_many([text], ["en"]))[0].label == "negative"


def test_training_needs_the_fast_out_of_fold_logits_of_the_dev_set(tmp_path) -> None:
    models, _, _ = _tiny_shared(tmp_path)
    meta = {"domain": {"cv_logits": {"itsm_dev": [[0.0, 0.0]]}}}
    np.savez(models / "sentiment_en.npz",
             meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    args = dict(invented_path=tmp_path / "invented.jsonl", threads=1)
    with pytest.raises(ValueError, match="retrain the sentiment models first"):
        train_webcare_expert(tmp_path / "shared", models, tmp_path / "out", **args)
    with pytest.raises(ValueError, match="no fast sentiment model"):
        train_webcare_expert(tmp_path / "shared", tmp_path / "nowhere", tmp_path / "out", **args)


@pytest.mark.slow
def test_fit_expert_is_seeded_and_needs_every_class_twice() -> None:
    encoder = E5Encoder()
    texts = [t.format(w) for label in TINY.values() for t in label for w in THINGS[:2]]
    labels = np.repeat([0, 1, 2], 8)
    x = encoder.embed(texts)
    invented, dev = (x[::2], labels[::2]), (x[1::2], labels[1::2])
    first, second = (fit_expert(invented, dev, np.zeros((12, 2))) for _ in range(2))
    assert np.array_equal(first["coef"], second["coef"]) and first["coef"].shape == (384, 2)
    assert first["cv_logits"].shape == (12, 2) and first["temperature"] > 0
    assert first["memory"].dtype == np.int8  # the invented posts, as the artifact stores them
    assert np.array_equal(first["memory"], np.round(invented[0] * 127).astype(np.int8))
    assert list(first["memory_labels"]) == list(invented[1])
    relabelled = fit_expert(invented, dev, np.zeros((12, 2)), relabels=(x[:2], labels[:2]))
    assert not np.array_equal(relabelled["coef"], first["coef"])  # they train the linear part
    assert np.array_equal(relabelled["memory"], first["memory"])  # but are no neighbours
    with pytest.raises(ValueError, match="at least two posts of every sentiment"):
        fit_expert(invented, (x[:3], np.array([0, 1, 2])), np.zeros((3, 2)))


@pytest.mark.slow
def test_the_pipeline_routes_by_the_brands_stage() -> None:
    classifier = Classifier(with_cascade(load_config().classify, 1.01))
    texts = ["@LumenCare my Lumen internet is down again, useless",
             "my internet is down again, useless"]
    posts = [Post(id=f"b{i}", platform="x", text=text, author={"handle": "@someone"},
                  created_at=datetime(2026, 12, 4, tzinfo=timezone.utc))
             for i, text in enumerate(texts)]
    branded, plain = classifier.classify_many(posts)
    assert branded.brand == "Lumen Telecom" and branded.sentiment.model == "e5-webcare"
    assert plain.brand is None and plain.sentiment.model.startswith("minilm")
