"""The CLI end to end, in-process, with the real classifiers and a temporary SQLite store."""

import json

import pytest
from click.testing import CliRunner

from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from webcare.cli.main import main
from webcare.job.config import default_config_path

POSTS = [
    {"id": "c1", "platform": "x", "text": "@LumenCare my internet has been down since 8am, "
     "nothing works", "created_at": "2026-11-20T10:00:00Z",
     "author": {"handle": "@anna", "followers": 120}},
    {"id": "c2", "platform": "x", "text": "@LumenCare hoe verander ik mijn wifi wachtwoord?",
     "created_at": "2026-11-20T10:05:00Z", "author": {"handle": "@bram", "followers": 50}},
    {"id": "c3", "platform": "x", "text": "Earn $500/day from home!! DM us 💰💰 link in bio",
     "created_at": "2026-11-20T10:06:00Z", "author": {"handle": "@cash_now", "followers": 3}},
]


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "webcare.yaml"
    base = default_config_path().read_text("utf-8")
    path.write_text(base.replace("path: var/webcare.sqlite",
                                 f"path: {tmp_path / 'store.sqlite'}"), encoding="utf-8")
    return path


def input_file(tmp_path, lines):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_classify_writes_one_line_per_input_line(tmp_path, config):
    lines = [json.dumps(POSTS[0]), "{broken", json.dumps(POSTS[1]), json.dumps({"id": "nofields"})]
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["classify", "--input", str(input_file(tmp_path, lines)),
                                       "--output", str(out), "--config", str(config)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 4
    assert set(rows[0]) == {"id", "lang", "lang_conf", "topic", "topic_conf", "topic_probs",
                            "sentiment", "urgency", "noise", "noise_reason", "priority",
                            "complaint", "actionable", "relevance", "sources", "no_model",
                            "reasons"}
    assert rows[0]["id"] == "c1" and rows[0]["sentiment"]["label"] == "negative"
    assert rows[1]["line"] == 2 and rows[1]["stage"] == "parse"
    assert rows[3]["line"] == 4 and "created_at" in rows[3]["error"]
    assert "line 2: parse error" in result.stderr
    queue = CliRunner().invoke(main, ["queue", "--json", "--config", str(config)])
    assert queue.exit_code == 0 and json.loads(queue.output) == []  # only dead letters
    store = SqliteStore(SqliteStoreConfig(path=str(tmp_path / "store.sqlite")))
    assert {letter.line for letter in store.dead_letters()} == {2, 4}


@pytest.mark.slow
def test_classify_unusable_input_fails(tmp_path, config):
    result = CliRunner().invoke(main, ["classify", "--input", str(tmp_path / "missing.jsonl"),
                                       "--config", str(config)])
    assert result.exit_code != 0 and "unusable input" in result.output


@pytest.mark.slow
def test_run_summarises_and_is_idempotent(tmp_path, config):
    path = input_file(tmp_path, [json.dumps(p) for p in POSTS] + ["not json"])
    args = ["run", "--replay", str(path), "--config", str(config)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "posts: 3  dead letters: 1" in first.output
    assert "noise by reason: spam 1" in first.output
    queue = json.loads(CliRunner().invoke(main, ["queue", "--json", "--config", str(config)])
                       .output)
    assert {item["post_id"] for item in queue} >= {"c1"}
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0
    queue_again = json.loads(CliRunner().invoke(main, ["queue", "--json", "--config",
                                                       str(config)]).output)
    assert queue_again == queue


def test_bad_config_is_reported_with_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("classify:\n  topic:\n    labelz: [a]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["queue", "--config", str(bad)])
    assert result.exit_code != 0
    assert "classify.topic.labelz" in result.output and str(bad) in result.output


def test_schema_prints_json_schema():
    result = CliRunner().invoke(main, ["schema", "--model", "Post"])
    schema = json.loads(result.output)
    assert "created_at" in schema["properties"] and "schema_version" in schema["properties"]
