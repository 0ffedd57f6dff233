"""`webcare run` with a config naming several live sources, each against a local fake."""

import json

import pytest
import yaml
from click.testing import CliRunner

from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from tests.ingest.bluesky.test_source import frame
from tests.ingest.fakes import FakeJetstream
from tests.ingest.mastodon.test_source import FakeMastodon, sse, status
from tests.ingest.x.test_source import FakeX, tweet
from webcare.cli.main import main
from webcare.job.config import default_config_path

pytestmark = pytest.mark.pipeline


def write_config(tmp_path, sources) -> str:
    config = yaml.safe_load(default_config_path().read_text("utf-8"))
    config["store"] = {"type": "sqlite", "path": str(tmp_path / "store.sqlite")}
    config["pipeline"] = {"batch_size": 2}
    state = str(tmp_path / "state.sqlite")
    config["sources"] = [{**source, "state_path": state, "backoff_initial": 0}
                         for source in sources]
    path = tmp_path / "webcare.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return str(path)


def test_run_ingests_a_mix_of_sources_then_status_and_test(tmp_path, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", "good")
    jet = FakeJetstream([frame(1, "@LumenCare my internet is down"), "{garbage"])
    masto = FakeMastodon([status(1, "Lumen wifi outage again")],
                         streams=[sse(("update", status(2, "still no internet")))])
    x = FakeX([tweet(1), tweet(2)])
    with jet, masto, x:
        path = write_config(tmp_path, [
            {"type": "bluesky", "endpoint": jet.url, "max_cycles": 1},
            {"type": "mastodon", "api_base_url": masto.url, "hashtags": ["lumen"],
             "notifications": False, "max_cycles": 1},
            {"type": "x", "api_base_url": x.url, "query": "lumen", "max_cycles": 1},
        ])
        runner = CliRunner()
        result = runner.invoke(main, ["run", "--config", path])
        assert result.exit_code == 0, result.output
        assert "posts: 5  dead letters: 1" in result.output

        tested = runner.invoke(main, ["sources", "test", "--config", path])
        assert tested.exit_code == 0, tested.output
        assert tested.output.count("ok  ") == 3

    store = SqliteStore(SqliteStoreConfig(path=str(tmp_path / "store.sqlite")))
    counts = store.counts()
    store.close()
    assert counts["posts"] == 5 and counts["dead_letters"] == 1

    status_out = CliRunner().invoke(main, ["sources", "status", "--json", "--config", path])
    rows = {row["source"]: row for row in json.loads(status_out.output)}
    assert len(rows) == 3 and all(row["cursor"] for row in rows.values())


def test_run_stops_loudly_on_rejected_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", "revoked")
    with FakeX([tweet(1)]) as x:
        path = write_config(tmp_path, [{"type": "x", "api_base_url": x.url, "query": "lumen"}])
        result = CliRunner().invoke(main, ["run", "--config", path])
        tested = CliRunner().invoke(main, ["sources", "test", "--config", path])
    assert result.exit_code != 0 and "credentials rejected" in result.output
    assert "revoked" not in result.output
    assert tested.exit_code == 1 and "FAIL" in tested.output
    status_out = CliRunner().invoke(main, ["sources", "status", "--config", path])
    assert "auth_failed" in status_out.output


def test_missing_credential_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    path = write_config(tmp_path, [{"type": "x", "query": "lumen"}])
    tested = CliRunner().invoke(main, ["sources", "test", "--config", path])
    assert tested.exit_code == 1 and "$X_BEARER_TOKEN" in tested.output
