import pytest
from pydantic import ValidationError

from route.rules import RouteConfig, Router
from tests.conftest import make_classification, make_post

RULES = {
    "default": "monitor",
    "rules": [
        {"name": "drop-noise", "when": {"noise": True}, "action": "drop"},
        {"name": "security", "when": {"topic": ["security"], "min_urgency": "critical"},
         "action": "incident"},
        {"name": "vip", "when": {"min_followers": 50000, "actionable": True}, "action": "incident"},
        {"name": "phishing-words", "when": {"keywords": ["phishing", "oplichting"]},
         "action": "webcare"},
        {"name": "attention", "when": {"actionable": True, "lang": ["en", "nl"]},
         "action": "webcare"},
    ],
}


@pytest.fixture
def router() -> Router:
    return Router(RouteConfig.model_validate(RULES))


def test_first_match_wins_and_records_rule(router):
    post = make_post()
    decision = router(post, make_classification(post, noise=True, noise_reason="spam"))
    assert (decision.action, decision.rule) == ("drop", "drop-noise")
    assert "noise=True" in decision.reasons


def test_min_urgency_and_incident_key(router):
    post = make_post()
    decision = router(post, make_classification(post, topic="security", urgency="critical"))
    assert decision.action == "incident"
    assert decision.incident_key == f"single:{post.id}"
    high = router(post, make_classification(post, topic="security", urgency="high"))
    assert high.rule == "attention"


def test_followers_condition(router):
    post = make_post(author={"handle": "@big", "followers": 120000})
    assert router(post, make_classification(post)).rule == "vip"


def test_keywords_match_whole_words_only(router):
    post = make_post(text="Is this phishing? @LumenCare")
    assert router(post, make_classification(post, actionable=False)).rule == "phishing-words"
    other = make_post(text="antiphishingtool released")
    assert router(other, make_classification(other, actionable=False)).rule == "default"


def test_default_when_nothing_matches(router):
    post = make_post()
    decision = router(post, make_classification(post, actionable=True, lang="fi"))
    assert (decision.action, decision.rule) == ("monitor", "default")
    assert decision.incident_key is None


def test_bad_rules_fail_with_key():
    with pytest.raises(ValidationError, match="rules.0.when.colour"):
        RouteConfig.model_validate({"rules": [{"name": "x", "when": {"colour": "red"},
                                               "action": "drop"}]})
    with pytest.raises(ValidationError, match="repeated: a"):
        RouteConfig.model_validate({"rules": [{"name": "a", "action": "drop"},
                                              {"name": "a", "action": "monitor"}]})
    with pytest.raises(ValidationError):
        RouteConfig.model_validate({"rules": [{"name": "x", "action": "escalate"}]})


def test_complaint_probability_threshold_is_a_rule_condition():
    router = Router(RouteConfig.model_validate({"default": "monitor", "rules": [
        {"name": "likely-complaint", "when": {"min_complaint": 0.7}, "action": "webcare"}]}))
    post = make_post()
    sure = router(post, make_classification(post, complaint=0.85))
    assert sure.rule == "likely-complaint" and "complaint 0.85 ≥ 0.7" in sure.reasons
    assert router(post, make_classification(post, complaint=0.4)).rule == "default"
    assert router(post, make_classification(post, complaint=None)).rule == "default"
    with pytest.raises(ValidationError, match="min_complaint"):
        RouteConfig.model_validate({"rules": [{"name": "x", "when": {"min_complaint": 2},
                                               "action": "drop"}]})
