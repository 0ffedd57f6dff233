"""Alerts in a run: a replay with a Slack outage delivers incident.opened before it exits; a
missing secret stops the start; the CLI's status, test and retry."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.alerts.receivers import SlackReceiver
from webcare.alerts.channels import AlertSetupError
from webcare.cli import alerts as alerts_cli
from webcare.job.assembly import build_sink, demo_file, run_replay
from webcare.job.config import load_config

pytestmark = pytest.mark.integration


def cli() -> click.Group:
    @click.group()
    def main() -> None:
        pass

    alerts_cli.register(main)
    return main


def write_config(tmp_path, slack_url_env: str = "WC_TEST_SLACK_URL", **alert) -> str:
    path = tmp_path / "c.yaml"
    extra = "".join(f", {k}: {v}" for k, v in alert.items())
    path.write_text(
        f"store: {{type: sqlite, path: {tmp_path / 'w.sqlite'}}}\n"
        f"alerts:\n"
        f"  - {{type: slack, name: oncall, url_env: {slack_url_env}, "
        f"events: [incident.opened], when: {{min_urgency: high}}{extra}}}\n")
    return str(path)


def test_a_replay_with_a_slack_outage_delivers_before_it_exits(tmp_path, monkeypatch):
    with SlackReceiver() as slack:
        monkeypatch.setenv("WC_TEST_SLACK_URL", slack.url)
        slack.faults = [(503, {}, "service_unavailable")] * 3 + [(429, {"Retry-After": "1"},
                                                                 "rate_limited")]
        config = load_config(Path(write_config(tmp_path, backoff_initial=0.2, backoff_max=1,
                                               max_per_hour=1000)))
        run_replay(config, str(demo_file()))
        opened = [p for p in slack.accepted if "Incident opened" in p["text"]]
        assert opened, "no incident.opened reached Slack before the run ended"
        assert len(slack.requests) == len(slack.accepted) + 4
    from tests.alerts.conftest import open_store

    store = open_store(config.store)
    try:
        wanted = {i.key for i in store.incidents() if i.urgency in ("high", "critical")}
    finally:
        store.close()
    assert len(opened) == len(wanted)  # one per incident that passes the filter, no repeats
    result = CliRunner().invoke(cli(), ["alerts", "status", "--config",
                                        write_config(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"oncall: pending 0, sent {len(opened)}, dead 0, folded 0" in result.output


def test_a_missing_secret_fails_the_start_naming_alert_and_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("WC_TEST_SLACK_URL", raising=False)
    monkeypatch.delenv("WC_TEST_SLACK_URL_FILE", raising=False)
    config = load_config(Path(write_config(tmp_path)))
    with pytest.raises(AlertSetupError, match=r"alert 'oncall'.*\$WC_TEST_SLACK_URL"):
        build_sink(config)


def test_cli_test_sends_and_reports_failures(tmp_path, monkeypatch):
    path = write_config(tmp_path)
    with SlackReceiver() as slack:
        monkeypatch.setenv("WC_TEST_SLACK_URL", slack.url)
        result = CliRunner().invoke(cli(), ["alerts", "test", "oncall", "--config", path])
        assert result.exit_code == 0 and "test alert sent to oncall" in result.output
        assert "test alert" in slack.accepted[0]["text"]
        slack.faults = [(404, {}, "no_service")]
        result = CliRunner().invoke(cli(), ["alerts", "test", "oncall", "--config", path])
        assert result.exit_code == 1 and "HTTP 404" in result.output
        assert slack.url not in result.output
    result = CliRunner().invoke(cli(), ["alerts", "test", "nope", "--config", path])
    assert result.exit_code == 1 and "no alert named 'nope'" in result.output
    monkeypatch.delenv("WC_TEST_SLACK_URL")
    result = CliRunner().invoke(cli(), ["alerts", "test", "oncall", "--config", path])
    assert result.exit_code == 1 and "$WC_TEST_SLACK_URL" in result.output


def test_the_kafka_sink_worker_gets_the_same_alerts(tmp_path, monkeypatch):
    """The sink stage builds its sink with build_sink: the alert listener is on its incident
    sink, and closing the handler's sink delivers what it enqueued."""
    from route.incidents import IncidentEvent
    from sinks.incident_sink import incident_sink_of
    from tests.alerts.conftest import incident
    from tests.conftest import T0
    from webcare.alerts.wiring import AlertService
    from webcare.job.kafka import build_handler

    with SlackReceiver() as slack:
        monkeypatch.setenv("WC_TEST_SLACK_URL", slack.url)
        handler = build_handler("sink", load_config(Path(write_config(tmp_path))))
        listeners = incident_sink_of(handler.sink).listeners
        service = next(x for x in listeners if isinstance(x, AlertService))
        service([IncidentEvent("opened", incident(), T0)])
        handler.sink.close()
        assert [p["text"] for p in slack.accepted if "Incident opened" in p["text"]]
