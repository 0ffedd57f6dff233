"""Tickets wired into the pipeline: after the store flush, one ticket per outage, CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from route.incidents import IncidentCorrelator
from sinks.incident_sink import IncidentSink
from sinks.store.config import SqliteStoreConfig
from sinks.store_sink import StoreSink
from sinks.tickets.wiring import TicketDelivery, TicketingSink, status
from tests.route.burst_helpers import MONDAY, decision, spread
from tests.sinks.conftest import open_store
from tests.sinks.tickets.conftest import SimClock, lifecycle
from tests.sinks.tickets.fakes import FakeWebhook, Server
from webcare.cli.main import main
from webcare.job.assembly import demo_file, run_replay
from webcare.job.config import WebcareConfig, load_config

pytestmark = pytest.mark.pipeline

OUTAGE = MONDAY + timedelta(hours=19)
KEY = "burst:Lumen Telecom:outage:20261116T1900Z"  # spread(OUTAGE, ...) opens this


@pytest.fixture
def hook(monkeypatch):
    monkeypatch.setenv("WEBCARE_TICKET_WEBHOOK_SECRET", "hook-secret")
    with Server(FakeWebhook()) as server:
        yield server


def tickets_config(hook, store_config) -> WebcareConfig:
    return WebcareConfig.model_validate({
        "store": store_config.model_dump(mode="json") | (
            {"dsn": store_config.dsn.get_secret_value()} if store_config.type == "postgres"
            else {}),
        "tickets": [{"type": "webhook", "url": hook.url + "/itsm", "timeout": 2}]})


def test_a_burst_of_1200_posts_is_one_ticket_and_a_vip_post_its_own(hook, store_config):
    config = tickets_config(hook, store_config)
    store, correlator, clock = open_store(store_config), IncidentCorrelator(), SimClock()
    delivery = TicketDelivery(config.tickets, config.store, clock, background=False)
    sink = TicketingSink(IncidentSink(StoreSink(store), correlator), delivery)
    stream = spread(OUTAGE, 1200, 30) + [decision(9000, OUTAGE + timedelta(hours=3),
                                                  topic="security", action="incident")]
    for i, item in enumerate(stream):
        sink.add(correlator(item))
        if i % 97 == 0:
            sink.flush()
            delivery.deliverer.drain()
    sink.flush()
    sink.inner.close()
    delivery.deliverer.drain()
    assert hook.tool.creates(KEY) == 1 and hook.tool.creates("single:p-9000") == 1
    kinds = [e["kind"] for e in hook.tool.tickets[KEY]]
    assert kinds[0] == "opened" and kinds[-1] == "resolved" and kinds.count("opened") == 1
    assert hook.tool.tickets[KEY][-1]["incident"]["post_count"] == 1200
    assert delivery.outbox.counts() == {"webhook": {"sent": len(kinds) + 1}}
    delivery.outbox.close()


def test_a_ticket_is_only_enqueued_for_a_stored_incident(hook, tmp_path):
    config = tickets_config(hook, SqliteStoreConfig(path=str(tmp_path / "w.sqlite")))
    store, correlator = open_store(config.store), IncidentCorrelator()
    delivery = TicketDelivery(config.tickets, config.store, background=False)
    inner = IncidentSink(StoreSink(store), correlator)
    sink = TicketingSink(inner, delivery)
    for item in spread(OUTAGE, 60, 10):
        sink.add(correlator(item))
    store.write = lambda *a: (_ for _ in ()).throw(RuntimeError("disk full"))
    with pytest.raises(RuntimeError):
        sink.flush()
    assert delivery.outbox.counts() == {}  # nothing enqueued, the events are kept
    del store.write
    sink.flush()
    pending = delivery.outbox.pending()
    assert pending[0]["kind"] == "opened" and {p["incident_key"] for p in pending} == {KEY}
    sink.close()


def test_demo_replay_with_tickets_and_the_cli(hook, tmp_path):
    """Every incident the replay stored has exactly one ticket; status and retry work."""
    path = tmp_path / "demo.sqlite"
    config_file = tmp_path / "c.yaml"
    config_file.write_text(
        f"store: {{type: sqlite, path: {path}}}\n"
        f"tickets: [{{type: webhook, name: itsm-hook, url: '{hook.url}/x', timeout: 15}}]\n")
    config = load_config(config_file)
    run_replay(config, str(demo_file()))
    store = open_store(config.store)
    stored = {i.key for i in store.incidents()}
    store.close()
    assert set(hook.tool.tickets) == stored  # classifier tuning changes how many, not this
    assert all(hook.tool.creates(key) == 1 for key in stored)
    assert status(config)["counts"].get("itsm-hook", {}).get("pending", 0) == 0
    result = CliRunner().invoke(main, ["tickets", "status", "--config", str(config_file)])
    assert result.exit_code == 0, result.output
    assert ("itsm-hook: sent" in result.output) == bool(stored)
    result = CliRunner().invoke(main, ["tickets", "retry", "--config", str(config_file)])
    assert result.exit_code == 0 and "requeued 0" in result.output, result.output


def test_cli_shows_dead_letters_and_retry_delivers_them(hook, tmp_path, monkeypatch):
    config_file = tmp_path / "c.yaml"
    config_file.write_text(
        f"store: {{type: sqlite, path: {tmp_path / 'w.sqlite'}}}\n"
        f"tickets: [{{type: webhook, url: '{hook.url}/x', timeout: 2}}]\n")
    config = load_config(config_file)
    monkeypatch.setenv("WEBCARE_TICKET_WEBHOOK_SECRET", "wrong")
    delivery = TicketDelivery(config.tickets, config.store, background=False)
    delivery(lifecycle(updates=0))
    delivery.close()
    result = CliRunner().invoke(main, ["tickets", "status", "--config", str(config_file)])
    assert "webhook: dead 2" in result.output and "HTTP 401" in result.output
    monkeypatch.setenv("WEBCARE_TICKET_WEBHOOK_SECRET", "hook-secret")
    result = CliRunner().invoke(main, ["tickets", "retry", "--config", str(config_file)])
    assert "requeued 2, sent 2" in result.output, result.output
    assert hook.tool.creates(lifecycle()[0].incident.key) == 1


def test_tickets_config_rejects_unknown_keys_and_duplicate_names(tmp_path):
    from webcare.job.config import ConfigError

    path = tmp_path / "c.yaml"
    path.write_text("tickets: [{type: servicenow, url: 'https://x', pasword: 1}]")
    with pytest.raises(ConfigError, match="tickets.0.servicenow.pasword"):
        load_config(path)
    path.write_text("tickets: [{type: webhook, url: 'https://a'}, {type: webhook, url: 'https://b'}]")
    with pytest.raises(ConfigError, match="unique"):
        load_config(path)
