"""Unit tests of classify.topic on hand-written en/nl/fi posts (not taken from the dev set)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from classify.config import DEFAULT_LABELS, TopicConfig
from classify.topic import TopicClassifier
from classify.types import TopicResult

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "itsm" / "dev.jsonl"


@pytest.fixture(scope="module")
def clf() -> TopicClassifier:
    return TopicClassifier(TopicConfig())


@pytest.mark.parametrize(("text", "lang", "topic"), [
    ("The Acme portal is down again, error 503 on every page", "en", "outage"),
    ("Storing bij Acme? De site is niet bereikbaar", "nl", "outage"),
    ("Acmen palvelu kaatui taas, ei toimi mikään", "fi", "outage"),
    ("I can't log in since the update, password reset link never arrives", "en", "access"),
    ("Ik kan niet inloggen, mijn wachtwoord wordt niet geaccepteerd", "nl", "access"),
    ("En pääse kirjautumaan, salasana ei kelpaa", "fi", "access"),
    ("the app is so slow today, every screen takes ages", "en", "performance"),
    ("De app is traag, alles duurt een eeuwigheid", "nl", "performance"),
    ("Sovellus on tosi hidas tänään", "fi", "performance"),
    ("no internet since this morning, router blinking red", "en", "connectivity"),
    ("Mijn wifi valt steeds weg en de verbinding is slecht", "nl", "connectivity"),
    ("Mobiilidata ei toimi ja netti pätkii", "fi", "connectivity"),
    ("you charged me twice on my last invoice, I want a refund", "en", "billing"),
    ("Mijn factuur is veel hoger dan vorige maand", "nl", "billing"),
    ("Laskussa on outo lisämaksu", "fi", "billing"),
    ("got a phishing email pretending to be Acme, fake login page", "en", "security"),
    ("Mijn account is gehackt, iemand heeft mijn gegevens veranderd", "nl", "security"),
    ("Acmen nimissä liikkuu huijausviestejä", "fi", "security"),
    ("how do I change the email address on my account?", "en", "how_to"),
    ("Hoe kan ik mijn abonnement aanpassen?", "nl", "how_to"),
    ("Miten vaihdan laskutusosoitteen?", "fi", "how_to"),
    ("thank you Acme support, great help today!", "en", "feedback"),
    ("Complimenten aan de klantenservice, top geholpen", "nl", "feedback"),
    ("Kiitos nopeasta avusta, suosittelen!", "fi", "feedback"),
    ("what a lovely sunny afternoon at the beach", "en", "other"),
])
def test_examples(clf: TopicClassifier, text: str, lang: str, topic: str) -> None:
    result = clf.classify(text, lang)
    assert result.topic == topic, result.reason
    assert 0.0 <= result.confidence <= 1.0
    assert result.reason.startswith(f"topic {topic}")


def test_reason_lists_matched_phrases(clf: TopicClassifier) -> None:
    result = clf.classify("Kettle is down, nobody can work", "en")
    assert result.topic == "outage"
    assert "is down" in result.matched
    assert "'is down'" in result.reason


def test_finnish_prefix_layer(clf: TopicClassifier) -> None:
    result = clf.classify("Palvelu kaatuili koko aamun", "fi")
    assert result.topic == "outage"
    assert any(m.startswith("kaatu") for m in result.matched)


def test_unknown_language_falls_back(clf: TopicClassifier) -> None:
    assert clf.classify("the website is down", "zz").topic == "outage"
    assert clf.classify("", "und").topic == "other"


def test_config_rejects_extra_keys() -> None:
    with pytest.raises(ValidationError):
        TopicConfig(labels=DEFAULT_LABELS, colour="blue")
    with pytest.raises(ValidationError):
        TopicConfig(labels=[])


def test_default_labels() -> None:
    assert TopicConfig().labels == [
        "outage", "access", "performance", "connectivity", "billing",
        "security", "how_to", "feedback", "other",
    ]


def test_rule_topic_outside_labels_fails() -> None:
    with pytest.raises(ValueError):
        TopicClassifier(TopicConfig(labels=["outage", "other"]))


def test_missing_rule_file_fails(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        TopicClassifier(TopicConfig(rules=tmp_path / "missing.yaml"))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400), lang=st.sampled_from(["en", "nl", "fi", "xx", "und", "de"]))
def test_any_text_gives_valid_result(text: str, lang: str) -> None:
    result = _SHARED_CLF.classify(text, lang)
    assert isinstance(result, TopicResult)
    assert result.topic in DEFAULT_LABELS
    assert 0.0 <= result.confidence <= 1.0
    assert result.reason


_SHARED_CLF = TopicClassifier()


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data/itsm/dev.jsonl not available")
def test_dev_macro_f1(clf: TopicClassifier) -> None:
    from sklearn.metrics import f1_score

    rows = [json.loads(line) for line in SHARED.read_text(encoding="utf-8").splitlines()]
    gold = [r["labels"]["topic"] for r in rows]
    pred = [clf.classify(r["text"], r["lang"]).topic for r in rows]
    assert f1_score(gold, pred, average="macro") >= 0.85


def _phrase_matcher_hits(matcher, lowers: tuple[str, ...]) -> list[tuple]:  # noqa: ANN001
    """The phrase hits as a spaCy PhraseMatcher over a Doc of the words gives them (the way
    the phrase layer matched before its trie): unknown words as a placeholder."""
    from spacy.tokens import Doc

    if matcher.vocabulary.isdisjoint(lowers):
        return []
    doc = Doc(matcher.vocab, words=[w if w in matcher.vocabulary else matcher.PLACEHOLDER
                                    for w in lowers])
    return [(s, e, *matcher.keys[k]) for k, s, e in matcher.matcher(doc)]


_MATCHERS = TopicClassifier()._matchers.values()
_PHRASES = sorted({tuple(p.split()) for m in _MATCHERS for _, _, p in m.keys.values()})
_PHRASE_WORDS = sorted({w for m in _MATCHERS for w in m.vocabulary})
# a chunk: a whole phrase (often several: overlaps, shared phrases), a phrase word or another
_CHUNK = (st.sampled_from(_PHRASES) | st.sampled_from(_PHRASE_WORDS).map(lambda w: (w,))
          | st.sampled_from(["the", "my", "?", "\u2063"]).map(lambda w: (w,)))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(lang=st.sampled_from(["en", "nl", "fi", "xx"]), chunks=st.lists(_CHUNK, max_size=12))
@example(lang="en", chunks=[("it",), ("logs", "me", "out"), ("logs", "me", "out")])  # 2 topics
def test_phrase_trie_gives_the_phrase_matchers_hits_in_its_order(clf, lang, chunks) -> None:
    lowers = tuple(w for chunk in chunks for w in chunk)
    matcher = clf._matcher(lang)
    hits = matcher.hits("", lowers)
    patterns = len(matcher.patterns.find(lowers))
    assert hits[patterns:] == _phrase_matcher_hits(matcher, lowers)
