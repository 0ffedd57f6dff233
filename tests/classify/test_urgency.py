"""Unit tests of classify.urgency: levels, priority range, reasons, LRU bound, config."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from classify.config import UrgencyConfig
from classify.topic import TopicClassifier
from classify.types import BrandMatch, LanguageResult, NoiseResult, SentimentResult
from classify.urgency import CUE_LANGS, DEFAULT_CUES, UrgencyScorer
from schemas import Post

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
TOPICS = TopicClassifier()
NEG = SentimentResult("negative", -0.6, {}, "test", "negative")
NEU = SentimentResult("neutral", 0.0, {}, "test", "neutral")
POS = SentimentResult("positive", 0.8, {}, "test", "positive")
CLEAN = NoiseResult(False, None, "")
BRAND = BrandMatch("Acme", True, ("@AcmeHelp",))


def _assess(scorer, text, lang="en", sentiment=NEG, noise=CLEAN, brand=BRAND, followers=100,
            verified=False, handle="@someone", when=T0):
    post = Post(id=f"t:{handle}:{when.isoformat()}", text=text, created_at=when,
                author={"handle": handle, "followers": followers, "verified": verified})
    topic = TOPICS.classify(text, lang)
    return scorer.assess(post, LanguageResult(lang, 1.0, lang), brand, noise, topic, sentiment)


@pytest.fixture()
def scorer() -> UrgencyScorer:
    return UrgencyScorer(UrgencyConfig())


@pytest.mark.parametrize(("text", "lang", "urgency"), [
    ("someone logged into my Acme account and changed my email, it wasn't me", "en", "critical"),
    ("Acme is down for everyone in our office, nobody can work", "en", "critical"),
    ("Storing bij Acme, hele wijk zonder internet", "nl", "critical"),
    ("can't log in to Acme since this morning, password reset never arrives", "en", "high"),
    ("Ik kan niet inloggen bij Acme, mijn account is geblokkeerd", "nl", "high"),
    ("En pääse kirjautumaan Acmeen, tunnus lukittu", "fi", "high"),
    ("how do I change the billing address on my Acme account?", "en", "medium"),
    ("Acme charged me twice this month, please refund one", "en", "medium"),
    ("the Acme app is really slow today", "en", "medium"),
])
def test_levels(scorer, text, lang, urgency) -> None:
    result = _assess(scorer, text, lang)
    assert result.urgency == urgency, result.reasons
    assert result.actionable


def test_praise_is_low_and_not_actionable(scorer) -> None:
    result = _assess(scorer, "thank you Acme, brilliant support today!", sentiment=POS)
    assert result.urgency == "low" and not result.actionable


def test_noise_is_low_not_actionable(scorer) -> None:
    noise = NoiseResult(True, "spam", "link farm")
    result = _assess(scorer, "Acme is down!! buy followers here", noise=noise)
    assert (result.urgency, result.actionable) == ("low", False)
    assert result.reasons and "noise" in result.reasons[0]


def test_reach_escalates(scorer) -> None:
    small = _assess(scorer, "the Acme app is really slow today", followers=50)
    big = _assess(scorer, "the Acme app is really slow today", followers=500_000, verified=True)
    assert (small.urgency, big.urgency) == ("medium", "high")
    assert big.priority > small.priority


def test_neutral_question_without_brand_is_not_actionable(scorer) -> None:
    nobrand = BrandMatch(None, False)
    assert not _assess(scorer, "@shop is this jacket also in blue?", sentiment=NEU,
                       brand=nobrand).actionable
    assert _assess(scorer, "@shop my order still hasn't arrived after 3 weeks",
                   brand=nobrand).actionable


def test_repeat_complaints_escalate(scorer) -> None:
    levels = [_assess(scorer, "Acme app is slow again", when=T0 + timedelta(hours=i)).urgency
              for i in range(3)]
    assert levels[0] == "medium" and levels[-1] == "high"


def test_repeat_memory_is_bounded() -> None:
    scorer = UrgencyScorer(UrgencyConfig(repeat_max_authors=5))
    for i in range(50):
        _assess(scorer, "Acme billing charged me twice", handle=f"@user{i}")
    assert len(scorer.repeats) == 5
    assert "@user49" in scorer.repeats.seen and "@user0" not in scorer.repeats.seen


@pytest.mark.parametrize("text", ["", "🔥", "Acme", "x" * 5000,
                                  "everyone hacked down can't log in £ 900 gone " * 20])
def test_priority_range_and_reasons(scorer, text) -> None:
    for sentiment in (NEG, NEU, POS):
        result = _assess(scorer, text, sentiment=sentiment, followers=10**9, verified=True)
        assert 0 <= result.priority <= 100
        assert result.reasons and all(isinstance(r, str) and r for r in result.reasons)
        assert result.urgency in ("critical", "high", "medium", "low")


def test_config_validation() -> None:
    with pytest.raises(ValidationError):
        UrgencyConfig(unknown_knob=1)
    with pytest.raises(ValidationError):
        UrgencyConfig(repeat_max_authors=0)
    with pytest.raises(ValueError):
        UrgencyScorer(UrgencyConfig(cues="/nonexistent/cues.yaml"))


def test_the_complaint_head_follows_the_encoder_of_the_sentiment_embedding() -> None:
    """A result the cascade re-scored carries its encoder's embedding: the complaint
    probability is refined by that encoder's head (MiniLM or e5); without one, the fast
    model's probability stands."""
    import numpy as np

    scorer = UrgencyScorer(UrgencyConfig(), complaint_head=True)
    text = "Acme charged me twice this month and nobody answers, refund me"
    probabilities = {"negative": 0.8, "neutral": 0.15, "positive": 0.05}
    embedding = np.random.default_rng(1).normal(size=384)
    embedding /= np.linalg.norm(embedding)
    results = {}
    for encoder in (None, "minilm", "e5"):
        sentiment = SentimentResult("negative", -0.75, probabilities, "test", "negative",
                                    embedding=None if encoder is None else embedding,
                                    embedding_model=encoder)
        results[encoder] = _assess(scorer, text, sentiment=sentiment).complaint
    assert len({results[None], results["minilm"], results["e5"]}) == 3
    for encoder in ("minilm", "e5"):
        assert results[encoder] == pytest.approx(
            scorer.complaint.refine(results[None], embedding, encoder))


def test_languages_without_cues_or_complaint_model_say_so(scorer) -> None:
    text = "Acme charged me twice this month, please refund one"
    english = _assess(scorer, text)
    assert english.no_model == () and english.complaint_source == "complaint-en-linear"
    dutch = _assess(scorer, "Acme heeft twee keer afgeschreven, graag terugbetalen", "nl")
    assert dutch.no_model == ("complaint",) and dutch.complaint is None
    assert "complaint: no model for nl, the urgency rules decide alone" in dutch.reasons
    german = _assess(scorer, "Acme hat zweimal abgebucht, bitte erstatten", "de")
    assert german.no_model == ("urgency", "complaint") and german.complaint_source is None
    assert "urgency: no cues for de, the en/nl/fi ones used" in german.reasons
    noise = _assess(scorer, "Acme Gewinnspiel!!", "de", noise=NoiseResult(True, "spam", "x"))
    assert noise.no_model == ()  # noise: neither cues nor the complaint model ran


def test_complaint_off_is_not_a_missing_model() -> None:
    off = UrgencyScorer(UrgencyConfig(complaint={"enabled": False}))
    result = _assess(off, "Acme hat zweimal abgebucht", "de")
    assert result.no_model == ("urgency",)
    assert not any(r.startswith("complaint") for r in result.reasons)


def test_a_cue_file_with_unusable_languages_is_refused(tmp_path) -> None:
    path = tmp_path / "cues.yaml"
    path.write_text("langs:\ncues: {blocking: [can't]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot load urgency cues"):
        UrgencyScorer(UrgencyConfig(cues=path))


def test_the_shipped_cue_file_names_its_languages() -> None:
    assert UrgencyScorer(UrgencyConfig()).cues.langs == CUE_LANGS == ("en", "nl", "fi")
    assert yaml.safe_load(DEFAULT_CUES.read_text("utf-8"))["langs"] == list(CUE_LANGS)


CODES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=3)


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.none(), CODES, st.lists(CODES, max_size=4)), CODES)
def test_a_cue_file_s_languages_decide_the_no_cues_reason(tmp_path_factory, langs, lang,
                                                           ) -> None:
    """``langs:`` of a cue file (a list or one code; absent: en/nl/fi) is what the reasons
    go by."""
    data = {"cues": {"blocking": ["geht nicht", "can't"]}}
    if langs is not None:
        data["langs"] = langs
    path = tmp_path_factory.mktemp("cues") / "cues.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    scorer = UrgencyScorer(UrgencyConfig(cues=path, complaint={"enabled": False}))
    covered = (CUE_LANGS if langs is None else (langs,) if isinstance(langs, str)
               else tuple(langs))
    assert scorer.cues.langs == covered
    result = _assess(scorer, "Acme geht nicht", lang)
    assert ("urgency" in result.no_model) is (lang not in covered)
    assert any(r.startswith(f"urgency: no cues for {lang}") for r in result.reasons) is (
        lang not in covered)
