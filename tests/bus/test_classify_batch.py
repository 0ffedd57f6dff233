"""The classify handler over a polled batch (no broker): Classifier.classify_batch once per
batch; a StageFailure dead-letters only its post, naming the classify/ stage and the reason."""

from __future__ import annotations

from types import SimpleNamespace

import orjson
import pytest

from bus.messages import ClassifiedPost, header_map
from bus.stages import ClassifyHandler
from classify.pipeline import Classifier
from schemas import DeadLetter
from tests.bus.harness import T0, burst_lines, make_config, real_lines


def records(lines: list[str], topic: str = "t.posts.raw") -> list:
    return [SimpleNamespace(topic=topic, partition=0, offset=i, key=None, value=line.encode(),
                            headers=[], timestamp=1_000 + i) for i, line in enumerate(lines)]


@pytest.mark.slow
def test_one_classify_batch_per_polled_batch_and_stage_failures_go_to_the_dlq(tmp_path):
    config = make_config("127.0.0.1:1", str(tmp_path / "s.sqlite"), real=True)
    classifier = Classifier(config.classify)
    score, calls = classifier.sentiment.score, []

    def flaky(text, lang, low):  # noqa: ANN001, ANN202
        if "SENTIMENT-BOOM" in text:
            raise ValueError("sentiment model choked")
        return score(text, lang, low)

    classifier.sentiment.score = flaky
    batch = classifier.classify_batch
    classifier.classify_batch = lambda posts: (calls.append(len(posts)), batch(posts))[1]
    handler = ClassifyHandler(config.kafka, classifier)
    lines = real_lines(40)
    bad = orjson.loads(lines[7])
    bad["text"] = "@LumenCare SENTIMENT-BOOM internet down"
    lines[7] = orjson.dumps(bad).decode()
    lines.insert(20, "{not json")
    outputs = handler.handle_batch(records(lines))
    assert calls == [40]  # one stage-at-a-time pass over the parsed posts of the batch
    assert len(outputs) == 41
    dlq = [(i, out) for i, out in enumerate(outputs) if out.topic == config.kafka.topic("dlq")]
    assert [i for i, _ in dlq] == [7, 20]
    headers = header_map(dlq[0][1].headers)
    letter = DeadLetter.model_validate_json(dlq[0][1].value)
    assert headers["stage"] == "classify" and headers["classify_stage"] == "sentiment"
    assert headers["error_type"] == "ValueError" and headers["source_offset"] == "7"
    assert letter.reason == "sentiment: ValueError: sentiment model choked"
    assert letter.details == {"classify_stage": "sentiment"} and letter.post_id == bad["id"]
    assert header_map(dlq[1][1].headers)["stage"] == "parse"
    good = [ClassifiedPost.model_validate_json(out.value) for out in outputs
            if out.topic == config.kafka.topic("classified")]
    assert len(good) == 39 and all(out.key for out in outputs if out.topic.endswith("classified"))


@pytest.mark.slow
def test_batch_results_equal_the_in_process_classifier(tmp_path):
    config = make_config("127.0.0.1:1", str(tmp_path / "s.sqlite"), real=True)
    lines = real_lines(300) + burst_lines(100, T0)
    handler = ClassifyHandler(config.kafka, Classifier(config.classify))
    got = [ClassifiedPost.model_validate_json(out.value).classification
           for chunk in range(0, len(lines), 64)
           for out in handler.handle_batch(records(lines[chunk:chunk + 64]))]
    from schemas import Post

    want = Classifier(config.classify).classify_many([Post.model_validate_json(line)
                                                      for line in lines])
    assert got == want
