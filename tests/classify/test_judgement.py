"""The learned topic and urgency (classify/judgement.py): brands masked before the model
reads a post, a model that round-trips through its artifact, verdicts that are
distributions, a clear error for a bad artifact, and the classifier using it when enabled."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from classify.config import BrandConfig, ClassifyConfig, JudgementConfig
from classify.judgement import (
    BRAND_TOKEN,
    HANDLE_TOKEN,
    MODEL_FILE,
    MODELS_DIR,
    BrandMask,
    JudgementModel,
    JudgementModelError,
)
from tests.conftest import make_post
from webcare.lab.training import judgement as training

BRANDS = [BrandConfig(name="Saaripankki", aliases=["Saaripankki", "Saari Bank"],
                      own_accounts=["@SaariHelp"], support_handles=["@SaariHelp"]),
          BrandConfig(name="Pike", aliases=["Pike"])]


def test_names_inflections_and_handles_are_masked():
    mask = BrandMask(BRANDS)
    text = mask("@SaariHelp Saaripankin sovellus ja Saari Bank ja #Pike app, not spike")
    assert text.count(BRAND_TOKEN) == 3 and text.count(HANDLE_TOKEN) == 1
    assert "spike" in text and "saari" not in text.lower().replace(BRAND_TOKEN, "")


@given(st.text(max_size=80))
def test_any_text_masks_without_error(text):
    masked = BrandMask(BRANDS)(text)
    assert isinstance(masked, str)
    assert BrandMask([])(text) == text


def _tiny_model() -> JudgementModel:
    texts = ["zbrandz app is down for everyone", "cannot log in, code rejected",
             "zbrandz down again, site not loading", "my password reset mail never came",
             "love the new zbrandz update", "thanks for the quick fix"] * 3
    gold = {"topic": ["outage", "access", "outage", "access", "feedback", "feedback"] * 3,
            "urgency": ["critical", "high", "critical", "high", "low", "low"] * 3}
    return training.fit(training.Posts(texts, gold, [None] * len(texts)))


def test_verdicts_are_distributions_and_survive_the_artifact(tmp_path):
    model = _tiny_model()
    np.savez_compressed(tmp_path / MODEL_FILE, **model.arrays())
    loaded = JudgementModel.load(tmp_path)
    for text in ("zbrandz is down", "", "😀", "code rejected at login"):
        verdicts, again = model.judge(text), loaded.judge(text)
        for task, verdict in verdicts.items():
            assert abs(sum(verdict.probabilities.values()) - 1) < 1e-6
            assert verdict.label == max(verdict.probabilities, key=verdict.probabilities.get)
            assert again[task].label == verdict.label
            assert abs(again[task].probability - verdict.probability) < 1e-3
    assert model.judge("the site is down, not loading")["topic"].label == "outage"


def test_a_missing_or_foreign_artifact_is_a_clear_error(tmp_path):
    with pytest.raises(JudgementModelError, match="judgement model"):
        JudgementModel.load(tmp_path)
    arrays = _tiny_model().arrays()
    arrays["topic_coef"] = arrays["topic_coef"][:, :3]
    np.savez_compressed(tmp_path / MODEL_FILE, **arrays)
    with pytest.raises(JudgementModelError, match="do not fit"):
        JudgementModel.load(tmp_path)


@pytest.mark.skipif(not (MODELS_DIR / MODEL_FILE).exists(), reason="no shipped judgement model")
def test_the_classifier_uses_the_learned_topic_and_urgency_when_enabled():
    from classify.pipeline import Classifier

    config = ClassifyConfig(brands=BRANDS, judgement=JudgementConfig(enabled=True))
    post = make_post(1, text="@SaariHelp the Saaripankki app has been down for an hour, "
                               "nobody can pay")
    result = Classifier(config)(post)
    assert result.sources["topic"] == "learned" and result.sources["urgency"] == "learned"
    assert result.topic_probs and abs(sum(result.topic_probs.values()) - 1) < 1e-6
    assert any("(learned" in reason for reason in result.reasons)
    off = Classifier(ClassifyConfig(brands=BRANDS))(post)
    assert off.sources["topic"] == "rules"
