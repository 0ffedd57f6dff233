"""classify.pipeline: shared text views and the fast paths give exactly the per-stage results."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.config import JudgementConfig
from classify.dedup import _keys, _normalise
from classify.language import PostText, drop_markup, strip_markup
from classify.noise_rules import bot_evidence, spam_evidence, triggers_in
from classify.patterns import words
from classify.pipeline import Classifier, StageFailure
from classify.sentiment import _NORM, _TOKEN, _norm, tokenize
from schemas import Classification, Post
from webcare.job.assembly import demo_file
from webcare.job.config import load_config

PIECES = list("aZ 09.,:@#/$€%!?’'-_\n\tÄöİ😀") + ["http://x.y/1", "www.", "RT @a: ", "v1.2"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(load_config().classify)


@pytest.fixture(scope="module")
def posts() -> list[Post]:
    lines = demo_file().read_text("utf-8").splitlines()
    return [Post.model_validate_json(line) for line in lines]


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_post_text_views_equal_the_helpers(text: str) -> None:
    views = PostText(text)
    assert (views.unmarked, views.clean, views.low, views.words) == (
        drop_markup(text), strip_markup(text), text.lower(), words(text))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_tokenize_fast_path_equals_the_general_one(text: str) -> None:
    low = text.lower()
    assert tokenize(text) == tokenize(text, low) == _TOKEN.findall(_NORM.sub(_norm, low))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sampled_from(["@anna", "@status_bot", "@outage_radar"]))
def test_one_trigger_scan_gives_the_same_evidence(text: str, handle: str) -> None:
    low, present = text.lower(), triggers_in(text.lower())
    assert spam_evidence(text, low, present) == spam_evidence(text)
    assert bot_evidence(handle, text, low, present) == bot_evidence(handle, text)


def test_duplicate_keys_are_stable_crc32_min_hashes() -> None:
    norm = _normalise("RT @someone: My Lumen internet has been down since 8am, nothing works at all!")
    assert norm == "my lumen internet has been down since am nothing works at all"
    assert _keys(norm, 6, "@Anna") == (711889798, 4963557054, 8881748251, 12902178053, 18187272784)
    assert _keys("kort bericht", 6, "@Anna") == (2198965671,)


@pytest.mark.slow
def test_batch_with_shared_views_equals_stage_by_stage(classifier: Classifier,
                                                       posts: list[Post]) -> None:
    config = load_config().classify.model_copy(update={"judgement": JudgementConfig()})
    fresh = Classifier(config)  # the rules path, stage by stage below
    batch = fresh.classify_batch(posts)
    ref = Classifier(config)
    for post, got in zip(posts, batch, strict=True):
        lang = ref.language.detect(post.text, post.lang)
        brand = ref.brands.match(post)
        noise = ref.noise.check(post, brand, lang)
        topic = ref.topic.classify(post.text, lang.lang)
        sentiment = ref.sentiment.score(post.text, lang.lang)
        urgency = ref.urgency.assess(post, lang, brand, noise, topic, sentiment)
        assert (got.lang, got.lang_confidence, got.brand, got.noise_reason, got.topic,
                got.topic_confidence, got.sentiment.compound, got.urgency, got.priority) == (
            lang.lang, lang.confidence, brand.brand, noise.reason, topic.topic,
            topic.confidence, sentiment.compound, urgency.urgency, urgency.priority)
        assert not isinstance(got, StageFailure)
        assert Classification.model_validate(got.model_dump()) == got
