"""classify.language: hand-written en/nl/fi posts, hints, config errors, properties, dev accuracy."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from classify.config import LanguageConfig
from classify.language import LanguageDetector, strip_markup
from classify.types import LanguageResult
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def det() -> LanguageDetector:
    return LanguageDetector(LanguageConfig())


@pytest.mark.parametrize(("text", "lang"), [
    ("@AcmeHelp my broadband has been down since this morning, any news? https://t.co/x1", "en"),
    ("Waarom werkt de app van Acme al de hele dag niet? Ik kan niet inloggen #storing", "nl"),
    ("Acmen verkko on ollut poikki koko päivän, milloin tämä korjataan? 😡", "fi"),
    ("Die App stürzt seit dem letzten Update ständig ab, bitte beheben", "de"),
    ("Impossible de me connecter à mon compte depuis ce matin", "fr"),
])
def test_detects_language(det: LanguageDetector, text: str, lang: str) -> None:
    result = det.detect(text, None)
    assert result.lang == lang
    assert 0.0 < result.confidence <= 1.0
    assert result.reason.startswith(f"lang {lang}")


@pytest.mark.parametrize("text", ["", "   ", "@AcmeHelp", "🔥🔥🔥", "...", "https://x.example/a 123 #1"])
def test_no_letters_is_und(det: LanguageDetector, text: str) -> None:
    assert det.detect(text, "en") == LanguageResult("und", 0.0, "lang und: no letters")


def test_strip_markup_removes_mentions_urls_hashes_emoji() -> None:
    assert strip_markup("@Acme #KettleDown 😡 see https://x.example/a now!") == "KettleDown see now!"


def test_hint_policies() -> None:
    short = "ok"  # too short to trust the model
    assert LanguageDetector(LanguageConfig(hint_policy="fallback")).detect(short, "nl").lang == "nl"
    assert LanguageDetector(LanguageConfig(hint_policy="prefer")).detect(
        "this is clearly English text", "nl-NL").lang == "nl"
    assert LanguageDetector(LanguageConfig(hint_policy="never")).detect(short, "nl").lang != "nl"
    # a hint outside the configured languages is ignored
    assert LanguageDetector(LanguageConfig(hint_policy="prefer")).detect(
        "this is clearly English text", "ja").lang == "en"


def test_restricted_languages_fall_back_to_und() -> None:
    det = LanguageDetector(LanguageConfig(languages=["nl"], hint_policy="never"))
    assert det.detect("this is clearly an English sentence about my router", None).lang == "und"


@pytest.mark.parametrize("bad", [
    {"languages": []}, {"languages": ["english!"]}, {"min_confidence": 1.5},
    {"hint_policy": "always"}, {"unknown": 1},
])
def test_config_validation(bad: dict) -> None:
    with pytest.raises(ValidationError):
        LanguageConfig(**bad)


def test_config_normalises_codes() -> None:
    assert LanguageConfig(languages=["EN", "nb", "en-GB"]).languages == ["en", "no"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=8)))
def test_any_text_gives_valid_result(text: str, hint: str | None) -> None:
    result = LanguageDetector().detect(text, hint)
    assert isinstance(result, LanguageResult)
    assert 0.0 <= result.confidence <= 1.0
    assert result.lang == "und" or result.lang.isalpha()


@pytest.mark.shared
def test_dev_accuracy() -> None:
    """Speed is measured by benchmarks/classify_throughput.py, never asserted here."""
    rows = [json.loads(line) for line in shared_path("data/itsm/dev.jsonl").open()]
    det = LanguageDetector()
    correct = sum(det.detect(r["text"], None).lang == r["lang"] for r in rows)
    assert correct / len(rows) >= 0.97


def test_the_prediction_cache_stays_bounded_and_changes_no_result(monkeypatch) -> None:
    import classify.language as module

    texts = ["the wifi is down again", "de wifi doet het niet", "wifi ei toimi taas",
             "the wifi is down again", "Die Verbindung ist weg", "de wifi doet het niet"]
    expected = [LanguageDetector()._predict_uncached(strip_markup(t)) for t in texts]
    monkeypatch.setattr(module, "CACHED_TEXTS", 2)
    cached = LanguageDetector()
    for _ in range(2):  # the second pass reads what the first remembered (or forgot)
        assert [cached._predict(strip_markup(t)) for t in texts] == expected
        assert len(cached._cache) <= 2
