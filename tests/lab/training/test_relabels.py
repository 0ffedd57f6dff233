"""The agents' relabels as sentiment training data (``webcare train --data``)."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from webcare.cli.main import main
from webcare.lab.training import sentiment_data as sd
from webcare.lab.training.sentiment import LABELLED_DOMAIN, labelled_domain


def _jsonl(path, rows) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _relabel(text, sentiment=None, topic="access", lang="en") -> dict:
    """One line as ``webcare relabels export`` writes it."""
    return {"id": text[:8], "text": text, "lang": lang,
            "labels": {"topic": topic, "sentiment": sentiment, "urgency": None},
            "relabelled_by": "agent1", "relabelled_at": "2026-12-01T10:00:00Z"}


def test_relabelled_sentiment_keeps_labelled_rows_only(tmp_path):
    path = tmp_path / "relabels.jsonl"
    _jsonl(path, [_relabel("login broken again", "negative"), _relabel("only a topic fix"),
                  _relabel("kiitos nopeasta avusta", "positive", lang="fi")])
    path.write_text(path.read_text() + "\n", encoding="utf-8")  # a blank line is fine
    assert sd.relabelled_sentiment([path]) == (
        ["login broken again", "kiitos nopeasta avusta"], [0, 2], ["en", "fi"])


def test_relabelled_sentiment_rejects_unknown_labels_and_broken_lines(tmp_path):
    bad_label = tmp_path / "bad_label.jsonl"
    _jsonl(bad_label, [_relabel("meh", "angry")])
    with pytest.raises(ValueError, match="'angry'"):
        sd.relabelled_sentiment([bad_label])
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(_relabel("ok", "neutral")) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken.jsonl:2"):
        sd.relabelled_sentiment([broken])


def _tiny_shared(tmp_path):
    data = tmp_path / "data"
    (data / "itsm").mkdir(parents=True)
    (data / "dutch").mkdir()
    _jsonl(data / "itsm" / "dev.jsonl", [
        {"text": "vpn down", "lang": "en", "labels": {"sentiment": "negative"}},
        {"text": "hoe reset ik mijn wachtwoord?", "lang": "nl", "labels": {"sentiment": "neutral"}},
    ])
    with open(data / "dutch" / "polarity_dev.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["content", "polarity"])
        writer.writeheader()
        writer.writerow({"content": "wat een mooie dag", "polarity": "positive"})
    return data


def test_relabels_join_the_domain_stage_as_their_own_subset(tmp_path):
    data = _tiny_shared(tmp_path)
    invented = (["the app is down"], [0], ["en"], ["template/1"])
    relabels = (["great fix, thanks", "hur gör jag"], [2, 1], ["en", "sv"])
    (texts, labels, langs, groups), weights, subsets = labelled_domain(data, invented, relabels)
    assert texts[subsets["relabels"][0]:] == relabels[0]
    assert [labels[i] for i in subsets["relabels"]] == [2, 1]
    assert [langs[i] for i in subsets["relabels"]] == ["en", "en"]  # unknown: English model
    assert [weights[i] for i in subsets["relabels"]] == [LABELLED_DOMAIN["relabels"]] * 2
    assert len(set(groups)) == len(groups)  # each labelled row its own CV group
    _, _, without = labelled_domain(data, invented)
    assert "relabels" not in without


def test_train_cli_reports_bad_relabel_files_before_training(tmp_path):
    data = _tiny_shared(tmp_path)
    out = tmp_path / "models"
    result = CliRunner().invoke(main, ["train", "--shared", str(data), "--task", "sentiment",
                                       "--out", str(out), "--data", str(tmp_path / "nope.jsonl")])
    assert result.exit_code != 0 and "nope.jsonl" in result.output
    bad = tmp_path / "bad.jsonl"
    _jsonl(bad, [_relabel("meh", "furious")])
    result = CliRunner().invoke(main, ["train", "--shared", str(data), "--task", "sentiment",
                                       "--out", str(out), "--data", str(bad)])
    assert result.exit_code != 0 and "furious" in result.output
    assert not out.exists()  # nothing written
