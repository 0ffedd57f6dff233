"""`webcare eval` on a miniature shared-data folder written by the test (formats as shipped)."""

import json

import pytest

from classify.pipeline import Classifier
from classify.sentiment import MODELS_DIR
from tests.conftest import shared_path
from webcare.job.config import load_config
from webcare.lab.evaluate import run_all


def write_shared(root):
    (root / "itsm").mkdir(parents=True)
    rows = [("@LumenCare my internet is down since this morning, nothing loads", "outage",
             "negative", "high"),
            ("@LumenCare how do I change my wifi password?", "how_to", "neutral", "medium"),
            ("@LumenCare thanks, the engineer fixed everything. great service!", "feedback",
             "positive", "low")]
    with (root / "itsm" / "dev.jsonl").open("w", encoding="utf-8") as handle:
        for i, (text, topic, sentiment, urgency) in enumerate(rows):
            handle.write(json.dumps({
                "id": f"d{i}", "platform": "x", "lang": "en", "text": text,
                "author": {"handle": f"@u{i}", "followers": 10, "verified": False},
                "created_at": f"2026-10-01T0{i}:00:00Z",
                "labels": {"topic": topic, "sentiment": sentiment, "urgency": urgency,
                           "noise": False, "noise_reason": None}}) + "\n")
    (root / "tweeteval").mkdir()
    (root / "tweeteval" / "val_text.txt").write_text("I love it\nthis is awful\nit is Tuesday\n")
    (root / "tweeteval" / "val_labels.txt").write_text("2\n0\n1\n")
    (root / "vader").mkdir()
    (root / "vader" / "tweets_GroundTruth.txt").write_text("1\t2.5\tso happy\n2\t-3.0\tterrible\n")
    (root / "complaints").mkdir()
    (root / "complaints" / "complaints_dev.csv").write_text(
        "tweet_id,text,is_complaint,domain\n1,@acme my order never arrived and nobody answers,1,x\n"
        "2,@acme do you ship to Finland?,0,x\n")


@pytest.mark.slow
def test_eval_prints_every_available_set_and_skips_the_rest(tmp_path):
    write_shared(tmp_path)
    output = run_all(load_config(), tmp_path, details=True)
    for metric in ("topic macro-F1", "urgency accuracy", "noise F1", "sentiment macro-F1",
                   "sentiment macro recall", "3-class macro-F1", "complaint F1"):
        assert metric in output
    assert "dutch/polarity_dev.csv" in output and "skipped: not found" in output
    assert "confusion (rows gold, columns predicted)" in output


@pytest.mark.slow
def test_dutch_rows_name_the_fast_and_the_e5_figures(tmp_path):
    from webcare.lab.evaluate import Sentiment, eval_dutch

    (tmp_path / "dutch").mkdir()
    (tmp_path / "dutch" / "polarity_dev.csv").write_text(
        "content,polarity\nwat een prachtige dag,positive\ndit is schandalig,negative\n",
        encoding="utf-8")
    rows = eval_dutch(Sentiment(load_config()), tmp_path)
    assert [row.metric for row in rows] == ["sentiment macro-F1 (in-sample)",
                                           "sentiment macro-F1 (5-fold CV)",
                                           "e5 head macro-F1 (5-fold CV)"]
    assert rows[2].value > rows[1].value and rows[2].target == 0.65 and rows[2].n == 2


@pytest.mark.slow
def test_model_table_compares_every_model_with_its_speed(tmp_path):
    from webcare.lab.model_table import model_table

    write_shared(tmp_path)
    (tmp_path / "dutch").mkdir()
    (tmp_path / "dutch" / "polarity_dev.csv").write_text(
        "content,polarity\nwat een prachtige dag,positive\ndit is schandalig,negative\n"
        "de vergadering is om drie uur,neutral\n", encoding="utf-8")
    table = model_table(load_config(), tmp_path, confidences=(0.8,))
    lines = table.splitlines()
    for name in ("VADER", "linear, fast (default)", "cascade, confidence 0.80",
                 "accurate models on every post", "cascade 0.80 without webcare e5",
                 "webcare e5 on every post"):
        cells = next(line for line in lines if line.startswith(name))[34:].split()
        tweeteval, rate = float(cells[0]), float(cells[5])
        assert 0.0 <= tweeteval <= 1.0 and rate > 0
    for name in ("accurate models on every post", "webcare e5 on every post"):
        accurate = next(line for line in lines if line.startswith(name))[34:].split()
        assert int(accurate[6].rstrip("%")) > 0  # tweets went through an accurate model
    assert "5-fold CV" in table


def test_model_table_says_itsm_is_in_sample_when_the_artifact_has_no_logits_for_the_set(
        tmp_path):
    from webcare.lab.oof_figures import itsm_cv_sentiment

    write_shared(tmp_path)  # 3 ITSM rows: not the set the shipped model's logits are of
    assert itsm_cv_sentiment(None, tmp_path, MODELS_DIR) is None


@pytest.mark.slow
def test_itsm_figure_of_every_path_comes_from_out_of_fold_logits():
    from classify.cascade import Cascade, with_cascade
    from webcare.lab.oof_figures import cv_figures, itsm_cv_sentiment

    data = shared_path("data/itsm/dev.jsonl").parents[1]
    config = load_config().classify
    fast = itsm_cv_sentiment(None, data, MODELS_DIR)
    assert abs(fast - cv_figures(MODELS_DIR)["itsm_sentiment"]) < 0.002
    accurate = itsm_cv_sentiment(Cascade(with_cascade(config, 1.01).sentiment.cascade), data,
                                 MODELS_DIR)
    assert 0.0 < accurate < 1.0 and abs(accurate - fast) > 0.005  # MiniLM decided the en posts


@pytest.mark.slow
def test_dutch_figure_of_every_path_comes_from_out_of_fold_logits():
    """The fast path's Dutch figure is the one sentiment training stored; the accurate path's
    is the e5 head's own cross-validated one; a cascade in between lies near them."""
    import json as _json

    from classify.cascade import Cascade, with_cascade
    from classify.e5 import HEAD_FILE, load_head
    from webcare.lab.oof_figures import cv_figures, dutch_cv_sentiment

    data = shared_path("data/dutch/polarity_dev.csv").parents[1]
    config = load_config().classify
    fast = dutch_cv_sentiment(None, data, MODELS_DIR)
    assert abs(fast - cv_figures(MODELS_DIR)["dutch"]) < 0.002
    meta = load_head(MODELS_DIR)[0]
    always = Cascade(with_cascade(config, 1.01).sentiment.cascade)
    assert abs(dutch_cv_sentiment(always, data, MODELS_DIR) - meta["cv_macro_f1"]) < 0.002
    gated = dutch_cv_sentiment(Cascade(with_cascade(config, 0.6).sentiment.cascade), data,
                               MODELS_DIR)
    assert gated not in (fast, meta["cv_macro_f1"]) and 0.0 < gated < 1.0
    assert _json.dumps(meta["langs"]) == '["nl"]' and (MODELS_DIR / HEAD_FILE).is_file()


@pytest.mark.slow
def test_itsm_cross_validated_figure_comes_with_its_confusion_matrix_and_languages():
    from webcare.lab.evaluate import _itsm_cv_rows

    data = shared_path("data/itsm/dev.jsonl").parents[1]
    config = load_config()
    overall, *by_lang, webcare = _itsm_cv_rows(config, Classifier(config.classify), data, 320)
    assert "confusion (rows gold, columns predicted)" in overall.detail
    assert {row.dataset for row in by_lang} == {"itsm dev, en", "itsm dev, nl", "itsm dev, fi"}
    assert sum(row.n for row in by_lang) == overall.n == 320
    # the webcare-domain path's figure: the fast and the expert's out-of-fold logits summed
    assert webcare.metric == "webcare e5 macro-F1 (5-fold CV)" and webcare.target == 0.85
    assert webcare.value > overall.value
