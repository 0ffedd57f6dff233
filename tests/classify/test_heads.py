"""The learned topic/urgency heads (classify/heads.py): loading, shapes, few-shot labels.

The few-shot texts are invented here, not taken from any evaluation set."""

from __future__ import annotations

import numpy as np
import pytest

from classify.config import TopicConfig
from classify.encoder import SharedEncoder
from classify.heads import (
    HEADS_FILE,
    MODELS_DIR,
    URGENCY_LEVELS,
    Head,
    Heads,
    HeadsModelError,
    fit_softmax,
    one_hot,
    save_heads,
)
from classify.topic import TopicClassifier

pytestmark = pytest.mark.skipif(not (MODELS_DIR / HEADS_FILE).is_file(),
                                reason="heads artifact not trained (webcare train --task heads)")


@pytest.fixture(scope="module")
def encoder() -> SharedEncoder:
    return SharedEncoder(threads=1)


@pytest.fixture(scope="module")
def rules() -> TopicClassifier:
    return TopicClassifier(TopicConfig())


def _blocks(texts: list[str], encoder: SharedEncoder, rules: TopicClassifier) -> dict:
    n = len(texts)
    return {"minilm": encoder.encode(texts),
            "rule_topic": one_hot([rules.classify(t, "en").topic for t in texts],
                                  TopicConfig().labels),
            "rule_urgency": one_hot(["medium"] * n, URGENCY_LEVELS),
            "rule_noise": np.zeros((n, 1))}


def test_fit_softmax_separates_and_is_deterministic() -> None:
    x = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    y = np.array([0, 0, 1, 1])
    coef, bias = fit_softmax(x, y, 2, l2=1e-3)
    again = fit_softmax(x, y, 2, l2=1e-3)
    assert np.array_equal(coef, again[0]) and np.array_equal(bias, again[1])
    assert ((x @ coef + bias).argmax(axis=1) == y).all()


def test_shipped_heads_predict_labels_and_probabilities(encoder, rules) -> None:  # noqa: ANN001
    heads = Heads()
    texts = ["@KettleSupport mail has been down for an hour, nobody in the office can send",
             "how do I change my password in the app?", "love the new dark mode, thanks!"]
    blocks = _blocks(texts, encoder, rules)
    for task, labels in (("topic", set(TopicConfig().labels)), ("urgency", set(URGENCY_LEVELS))):
        p = heads[task].probabilities(blocks)
        assert p.shape == (3, len(heads[task].labels))
        assert np.allclose(p.sum(axis=1), 1.0)
        predicted = heads.predict(task, blocks)
        assert len(predicted) == 3 and {label for label, _ in predicted} <= labels
        assert all(0.0 < prob <= 1.0 for _, prob in predicted)


def test_missing_block_or_artifact_is_a_heads_error(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(HeadsModelError):
        Heads(tmp_path)
    with pytest.raises(HeadsModelError):
        Heads()["topic"].probabilities({"minilm": np.zeros((1, 384))})


def test_save_and_load_round_trip(tmp_path) -> None:  # noqa: ANN001
    blocks = {"minilm": np.eye(4, 384)}
    head = Head.fit(blocks, ["minilm"], ["a", "b", "a", "b"])
    save_heads(tmp_path / HEADS_FILE, {"topic": head}, {"rows": 4})
    loaded = Heads(tmp_path)
    assert loaded.meta == {"rows": 4}
    assert np.allclose(loaded["topic"].probabilities(blocks), head.probabilities(blocks))


@pytest.mark.slow
def test_a_new_label_from_five_examples(encoder, rules) -> None:  # noqa: ANN001
    head = Heads()["topic"]
    examples = ["the office printer keeps jamming on every page",
                "printer on floor 3 says out of toner again",
                "can't print anything, the print queue is stuck",
                "our printer prints blank pages since this morning",
                "the printer won't connect, print jobs just sit there"]
    head.add_examples("printing", _blocks(examples, encoder, rules))
    assert "printing" in head.labels
    paraphrases = ["printer jammed again, paper stuck inside",
                   "the printer on the second floor is out of toner",
                   "my print jobs are stuck in the queue and nothing prints"]
    predicted = [label for label, _ in head.predict(_blocks(paraphrases, encoder, rules))]
    assert predicted == ["printing"] * 3
    # the shipped labels are still predicted on their own kind of post
    outage = _blocks(["Kettle Mail is down for everyone, total outage since 9am"], encoder, rules)
    assert head.predict(outage)[0][0] == "outage"
