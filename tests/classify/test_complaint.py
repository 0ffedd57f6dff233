"""Unit tests of classify.complaint and its training code (webcare.lab.training.complaint)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from classify.complaint import ComplaintModelError, ComplaintScorer, complaint_features
from classify.config import ComplaintConfig
from webcare.lab.training.complaint import read_complaints, train_fast, train_head

NEG = {"negative": 0.9, "neutral": 0.08, "positive": 0.02}
POS = {"negative": 0.02, "neutral": 0.08, "positive": 0.9}


@pytest.fixture(scope="module")
def scorer() -> ComplaintScorer:
    return ComplaintScorer(ComplaintConfig())


def test_shipped_model_separates_complaint_from_praise(scorer) -> None:
    complaint = scorer.probability(
        "@AcmeAir my bag is lost again and nobody answers, third email this week", "en",
        {"complaint": "again"}, "other", NEG)
    praise = scorer.probability("@AcmeAir thanks for the lovely flight, great crew!", "en",
                                {}, "feedback", POS)
    assert 0.0 <= praise < scorer.threshold <= complaint <= 1.0
    assert scorer.is_complaint(complaint) and not scorer.is_complaint(praise)


def test_languages_without_a_model_get_none(scorer) -> None:
    assert scorer.probability("mijn internet doet het weer niet", "nl", {}, "outage", NEG) is None
    assert not scorer.is_complaint(None)


def test_features_name_every_input() -> None:
    features = complaint_features("Why is it down? @acme", {"complaint": "why is"}, "outage",
                                  NEG)
    assert features["cue:complaint"] == 1.0 and features["topic:outage"] == 1.0
    assert features["sent:negative"] == 0.9 and features["question"] == 1.0
    assert features["mention"] == 1.0 and "w:down" in features


def test_threshold_from_config_overrides_the_trained_one() -> None:
    assert ComplaintScorer(ComplaintConfig(threshold=0.9)).threshold == 0.9
    with pytest.raises(ValidationError):
        ComplaintConfig(threshold=1.5)
    with pytest.raises(ValidationError):
        ComplaintConfig(thresold=0.5)


def test_corrupt_or_missing_model_names_the_file(tmp_path) -> None:
    with pytest.raises(ComplaintModelError, match="complaint_en.npz"):
        ComplaintScorer(ComplaintConfig(model_dir=tmp_path))
    (tmp_path / "complaint_en.npz").write_bytes(b"not a zip")
    with pytest.raises(ComplaintModelError, match="complaint_en.npz"):
        ComplaintScorer(ComplaintConfig(model_dir=tmp_path))


def _tiny_set() -> tuple[list[str], list[dict], np.ndarray]:
    bad = ["my {} is broken again", "{} never arrived, refund me", "still no {} after 3 days"]
    good = ["love my new {}", "the {} arrived early, thanks", "what a great {}"]
    things = ["parcel", "phone", "router", "ticket", "order", "laptop", "bike", "card"]
    rows = [(t.format(w), 1) for t in bad for w in things] + [
        (t.format(w), 0) for t in good for w in things]
    features = [complaint_features(text, {}, "other", NEG if y else POS) for text, y in rows]
    return [text for text, _ in rows], features, np.array([y for _, y in rows])


@pytest.mark.slow
def test_training_on_a_tiny_set_writes_a_loadable_calibrated_model(tmp_path) -> None:
    texts, features, y = _tiny_set()
    result = train_fast(texts, features, y, tmp_path, "tiny")
    assert result["cv_f1"] >= 0.9 and 0.0 <= result["cv_brier"] <= 0.25
    assert len(result["oof"]) == len(y) and ((result["oof"] >= 0) & (result["oof"] <= 1)).all()
    tiny = ComplaintScorer(ComplaintConfig(model_dir=tmp_path))
    assert tiny.threshold == result["threshold"]
    assert tiny.probability("my bike is broken again", "en", {}, "other", NEG) > \
        tiny.probability("love my new bike", "en", {}, "other", POS)
    again = train_fast(texts, features, y, tmp_path / "again" if (tmp_path / "again").mkdir() is None
                       else tmp_path, "tiny")
    assert again["cv_f1"] == result["cv_f1"]  # seeded: the same data gives the same model


@pytest.mark.slow
def test_the_character_ngrams_move_the_probability(tmp_path) -> None:
    """The shipped model's character part is loaded and used: a post's logit changes when
    only its spelling does (same word keys are absent either way)."""
    scorer = ComplaintScorer(ComplaintConfig())
    assert scorer.chars.keys and len(scorer.char_weights) == len(scorer.chars.keys)
    plain = scorer.chars.dot("disconnectsss", scorer.char_weights)
    assert plain != 0.0
    texts, features, y = _tiny_set()
    train_fast(texts, features, y, tmp_path, "tiny")
    tiny = ComplaintScorer(ComplaintConfig(model_dir=tmp_path))
    assert tiny.chars.dot("brokennn", tiny.char_weights) > tiny.chars.dot("lovelyyy",
                                                                            tiny.char_weights)


@pytest.mark.slow
def test_a_model_without_its_character_part_is_refused(tmp_path) -> None:
    texts, features, y = _tiny_set()
    train_fast(texts, features, y, tmp_path, "tiny")
    with np.load(tmp_path / "complaint_en.npz") as z:
        arrays = {name: z[name] for name in z.files if name != "char_idf"}
    np.savez_compressed(tmp_path / "complaint_en.npz", **arrays)
    with pytest.raises(ComplaintModelError, match="incomplete"):
        ComplaintScorer(ComplaintConfig(model_dir=tmp_path))


def test_reading_labelled_rows(tmp_path) -> None:
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("text,is_complaint\nit broke,1\nlovely,0\n", "utf-8")
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text('{"text": "late again", "labels": {"complaint": true}}\n', "utf-8")
    assert read_complaints([csv_path, jsonl]) == (["it broke", "lovely", "late again"], [1, 0, 1])
    jsonl.write_text('{"text": "no label"}\n', "utf-8")
    with pytest.raises(ValueError, match="row 1"):
        read_complaints([jsonl])


@pytest.mark.slow
def test_each_cascade_encoder_gets_its_own_trained_head(tmp_path) -> None:
    """Heads trained on a tiny set load by encoder; refining uses the head of the
    embedding's encoder and its threshold, and a missing head file is an error."""
    texts, features, y = _tiny_set()
    fast = train_fast(texts, features, y, tmp_path, "tiny")
    rng = np.random.default_rng(0)
    embedded = rng.normal(size=(len(y), 384)) + np.outer(2 * y - 1, np.ones(384)) * 0.2
    embedded /= np.linalg.norm(embedded, axis=1, keepdims=True)
    heads = {encoder: train_head(embedded, y, fast["oof"], tmp_path, encoder)
             for encoder in ("minilm", "e5")}
    assert all(meta["cv_f1"] >= 0.9 for meta in heads.values())
    scorer = ComplaintScorer(ComplaintConfig(model_dir=tmp_path), with_embedding_head=True)
    assert set(scorer.heads) == {"minilm", "e5"}
    complaint_like, praise_like = embedded[y == 1][0], embedded[y == 0][0]
    for encoder in ("minilm", "e5"):
        assert scorer.refine(0.5, complaint_like, encoder) > scorer.refine(0.5, praise_like,
                                                                            encoder)
        threshold = heads[encoder]["threshold"]
        assert scorer.is_complaint(threshold, encoder)
    assert scorer.is_complaint(fast["threshold"]) and not scorer.is_complaint(None, "e5")
    (tmp_path / "complaint_e5.npz").unlink()
    with pytest.raises(ComplaintModelError, match="complaint_e5"):
        ComplaintScorer(ComplaintConfig(model_dir=tmp_path), with_embedding_head=True)
