"""Commands that read (or change) what is stored refuse a SQLite store that does not exist,
instead of creating an empty one (``webcare queue --store typo.sqlite`` used to show an empty
queue); commands that fill the store still create it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from webcare.cli.main import main

MESSAGE = "store not found: {} (run the pipeline first or check --store / store.path)"

READERS = [
    ["queue"], ["queue", "--json"], ["incidents"], ["tickets", "status"], ["tickets", "retry"],
    ["outbound", "status"], ["outbound", "publish"], ["outbound", "approve", "--id", "o1"],
    ["outbound", "reject", "--id", "o1"], ["knowledge", "export"], ["users", "list"],
    ["users", "passwd", "--name", "ann"], ["users", "token", "--name", "ann"], ["report"],
    ["relabels", "export", "--output", "out.jsonl"], ["erase", "--author", "@ann"],
    ["engagement", "refresh"], ["serve"], ["tickets", "sync"], ["alerts", "status"],
    ["alerts", "retry"],
]


@pytest.mark.parametrize("args", READERS, ids=lambda args: " ".join(args[:2]))
def test_read_commands_refuse_a_missing_store(tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)  # report and relabels export would write here
    store = tmp_path / "typo.sqlite"
    result = CliRunner().invoke(main, [*args, "--store", str(store)], input="secret\n")
    assert result.exit_code == 1, result.output
    assert MESSAGE.format(store) in result.output
    assert not store.exists() and list(tmp_path.iterdir()) == []


def test_the_configured_store_path_is_checked_too(tmp_path):
    config = tmp_path / "webcare.yaml"
    config.write_text(f"store:\n  type: sqlite\n  path: {tmp_path / 'nowhere.sqlite'}\n",
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["queue", "--config", str(config)])
    assert result.exit_code == 1
    assert MESSAGE.format(tmp_path / "nowhere.sqlite") in result.output
    assert not (tmp_path / "nowhere.sqlite").exists()


def test_an_existing_store_is_read(tmp_path):
    from sinks.store.config import SqliteStoreConfig
    from sinks.store.sqlite import SqliteStore

    store = tmp_path / "store.sqlite"
    SqliteStore(SqliteStoreConfig(path=str(store))).close()
    result = CliRunner().invoke(main, ["queue", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "queue is empty"


def test_users_add_creates_the_store_and_says_so(tmp_path):
    store = tmp_path / "new" / "app.sqlite"
    added = CliRunner().invoke(main, ["users", "add", "--name", "ann", "--role", "admin",
                                      "--store", str(store)], input="a long passphrase\n")
    assert added.exit_code == 0, added.output
    assert f"created a new store: {store}" in added.stderr
    assert "added ann (admin)" in added.stdout
    listed = CliRunner().invoke(main, ["users", "list", "--store", str(store)])
    assert listed.exit_code == 0 and "ann" in listed.output
    again = CliRunner().invoke(main, ["users", "add", "--name", "bob", "--role", "agent",
                                      "--store", str(store)], input="another passphrase\n")
    assert again.exit_code == 0 and "created a new store" not in again.stderr


@pytest.mark.slow
def test_a_real_process_exits_non_zero_on_a_missing_store(tmp_path):
    store = tmp_path / "typo.sqlite"
    done = subprocess.run(
        [sys.executable, "-c", "from webcare.cli.main import main; main()", "queue",
         "--store", str(store)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stdout == ""
    assert MESSAGE.format(store) in done.stderr
    assert not store.exists()


def test_store_not_found_is_one_of_ours_and_a_click_error():
    from click import ClickException

    from schemas.errors import WebcareError
    from webcare.cli.common import StoreNotFound

    error = StoreNotFound("typo.sqlite")
    assert isinstance(error, WebcareError) and isinstance(error, ClickException)
    assert error.message == MESSAGE.format("typo.sqlite") and error.exit_code == 1


def test_engagement_names_are_still_importable_from_the_command_module():
    from webcare.cli import engagement, engagement_refresh

    for name in ("RefreshFailed", "refresh", "bluesky_fetch", "x_fetch", "facebook_fetch"):
        assert getattr(engagement, name) is getattr(engagement_refresh, name)
