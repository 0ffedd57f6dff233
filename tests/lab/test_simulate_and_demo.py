"""The simulator's contract and the demo's single outage incident (whole pipeline)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from webcare.cli.main import main
from webcare.job.assembly import run_demo
from webcare.lab.simulate import simulate

pytestmark = pytest.mark.pipeline

def test_simulation_is_deterministic_and_holds_its_outages():
    posts, truth = simulate(2, 3, seed=5, per_day=300)
    again, _ = simulate(2, 3, seed=5, per_day=300)
    assert posts == again and len(truth) == 3
    assert truth[0].posts == 50 and truth[0].shape == "slow"
    assert (truth[0].end - truth[0].start).total_seconds() == 25 * 60
    times = [p["created_at"] for p in posts]
    assert times == sorted(times)
    for outage in truth:
        assert sum(p["sim_origin"] == outage.id for p in posts) == outage.posts
    assert {p["lang"] for p in posts} == {"en", "nl", "fi"}


def test_simulate_command_writes_posts_and_a_truth_file(tmp_path):
    truth = tmp_path / "truth.json"
    result = CliRunner().invoke(main, ["simulate", "--days", "1", "--outages", "2",
                                       "--per-day", "100", "--truth", str(truth)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) >= 100 + 50 and len(json.loads(truth.read_text())) == 2


def test_simulate_rejects_impossible_arguments():
    result = CliRunner().invoke(main, ["simulate", "--days", "1", "--outages", "99"])
    assert result.exit_code != 0 and "outages" in result.output


def test_demo_day_ends_with_exactly_one_burst_incident_for_the_evening_outage(tmp_path):
    path = tmp_path / "demo.sqlite"
    run_demo(str(path))
    store = SqliteStore(SqliteStoreConfig(path=str(path)))
    bursts = [i for i in store.incidents() if i.kind == "burst"]
    store.close()
    assert len(bursts) == 1
    burst = bursts[0]
    assert burst.brand == "Lumen Telecom" and burst.topic == "outage"
    assert "18:40" <= burst.first_seen.strftime("%H:%M") <= "19:05"
    assert burst.post_count >= 30 and len(burst.languages) >= 2


def test_incidents_config_is_validated_with_the_key_named(tmp_path):
    import pytest

    from webcare.job.config import ConfigError, load_config

    path = tmp_path / "c.yaml"
    path.write_text("incidents: {quiet_minutes: 30, burst: {windows: [{minutes: 5, min_count: 4}]}}")
    config = load_config(path)
    assert config.incidents.quiet_minutes == 30 and config.incidents.burst.windows[0].minutes == 5
    path.write_text("incidents: {burst: {window: 5}}")
    with pytest.raises(ConfigError, match="incidents.burst.window"):
        load_config(path)
