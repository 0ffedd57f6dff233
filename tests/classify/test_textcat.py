"""The optional topic textcat: training, loading, blending with the rules, bad models."""

import json

import pytest

from classify.config import TopicConfig
from classify.textcat import TopicModel, TopicModelError
from classify.topic import TopicClassifier
from webcare.lab.training.topic import read_labelled, train_topic

ROWS = [("the whole network is down again, nothing loads", "outage"),
        ("everything offline, total blackout of the service", "outage"),
        ("service down for everyone in town", "outage"),
        ("charged twice on my invoice this month", "billing"),
        ("refund my double payment please, wrong bill", "billing"),
        ("why is my invoice higher than my plan price", "billing")] * 3


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("topic")
    data = root / "train.jsonl"
    data.write_text("".join(json.dumps({"text": t, "lang": "en", "labels": {"topic": y}}) + "\n"
                            for t, y in ROWS) + "\n{\"text\": \"no label\"}\n", encoding="utf-8")
    train_topic([data], root / "model", seed=1, labels=["outage", "billing", "other"])
    return root / "model"


def test_trained_model_predicts_its_labels(model_dir):
    model = TopicModel(model_dir, ["outage", "billing", "other"])
    probabilities = model.probabilities("my bill shows a double charge")
    assert set(probabilities) == {"outage", "billing", "other"}
    assert max(probabilities, key=probabilities.get) == "billing"


def test_model_scores_blend_with_rules(model_dir):
    config = TopicConfig(model=model_dir, model_weight=5.0)
    result = TopicClassifier(config).classify("grrr, that thing with my invoice again", "en")
    assert result.topic == "billing" and "textcat" in result.reason


def test_the_model_gives_a_distribution_for_the_languages_it_covers(model_dir):
    classifier = TopicClassifier(TopicConfig(model=model_dir, model_weight=5.0))
    english = classifier.classify("charged twice on my invoice", "en")
    assert set(english.probabilities) == {"outage", "billing", "other"}
    assert abs(sum(english.probabilities.values()) - 1.0) < 1e-6
    assert all(0.0 <= p <= 1.0 for p in english.probabilities.values())
    assert english.source.startswith("rules+textcat") and english.no_model == ()
    german = classifier.classify("zweimal abgebucht, Rechnung falsch", "de")
    assert german.probabilities is None and german.no_model == ("topic",)
    assert "topic: no phrase rules for de" in german.reason


def test_missing_or_mismatched_model_is_a_clear_error(tmp_path, model_dir):
    with pytest.raises(TopicModelError, match=str(tmp_path)):
        TopicModel(tmp_path, ["outage"])
    with pytest.raises(TopicModelError, match="not in topic.labels"):
        TopicModel(model_dir, ["outage"])


def test_read_labelled_reports_bad_lines(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a", "labels": {"topic": "outage"}}\n[1, 2\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.jsonl:2"):
        read_labelled([bad])


def test_too_little_data_is_refused(tmp_path):
    data = tmp_path / "tiny.jsonl"
    data.write_text(json.dumps({"text": "down", "labels": {"topic": "outage"}}) + "\n")
    with pytest.raises(ValueError, match="too little labelled data"):
        train_topic([data], tmp_path / "m")
