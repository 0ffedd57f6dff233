"""The worked ``rest`` configs (deploy/tickets/) against fakes that enforce BMC Helix and Efecte."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from route.incidents import IncidentCorrelator
from sinks.incident_sink import IncidentSink
from sinks.store.ticket_outbox import CLAIM_S
from sinks.store_sink import StoreSink
from sinks.tickets.templated import RestTicketConfig, RestTicketSink
from sinks.tickets.wiring import TicketDelivery, TicketingSink, status
from tests.route.burst_helpers import MONDAY, decision, spread
from tests.sinks.conftest import open_store
from tests.sinks.tickets.conftest import KEY, SimClock, deliverer, lifecycle
from tests.sinks.tickets.fakes import Server
from tests.sinks.tickets.fakes_itsm import AR, EFECTE, FakeEfecte, FakeHelix
from tests.sinks.tickets.fakes_rest import Clock
from tests.sinks.tickets.test_pipeline_tickets import KEY as BURST_KEY
from webcare.job.config import WebcareConfig, load_config

OUTAGE = MONDAY + timedelta(hours=19)
DEPLOY = Path(__file__).resolve().parents[3] / "deploy" / "tickets"


def worked(name: str, url: str) -> RestTicketConfig:
    """The shipped config, loaded by the real loader, pointed at the fake."""
    [config] = load_config(DEPLOY / f"{name}.yaml").tickets
    return config.model_copy(update={"url": url})


def edited(name: str, url: str, edit) -> RestTicketConfig:
    """The shipped entry with ``edit(dict)`` applied, validated again."""
    [entry] = yaml.safe_load((DEPLOY / f"{name}.yaml").read_text("utf-8"))["tickets"]
    edit(entry)
    return RestTicketConfig.model_validate({**entry, "url": url})


def pipeline_config(ticket: RestTicketConfig, store_config) -> WebcareConfig:
    """A whole config with this ticket sink and the test's store (SQLite or PostgreSQL)."""
    store = store_config.model_dump(mode="json")
    if store_config.type == "postgres":
        store["dsn"] = store_config.dsn.get_secret_value()
    return WebcareConfig.model_validate({"tickets": [ticket.model_dump(mode="json")],
                                         "store": store})


@pytest.fixture
def helix(monkeypatch):
    monkeypatch.setenv("HELIX_PASSWORD", "helix-pass")
    clock = Clock()
    with Server(FakeHelix(clock=clock, ttl=3600)) as server:
        server.clock = clock
        yield server


@pytest.fixture
def efecte(monkeypatch):
    monkeypatch.setenv("EFECTE_PASSWORD", "efecte-pass")
    with Server(FakeEfecte()) as server:
        yield server


def run(outbox, sink, events) -> dict:
    clock = SimClock()
    outbox.enqueue(events, [sink.name], clock())
    return deliverer(outbox, {sink.name: sink}, clock).drain()


def test_both_worked_configs_load_with_the_real_loader():
    for name in ("bmc-helix", "efecte"):
        config = load_config(DEPLOY / f"{name}.yaml")
        assert [t.type for t in config.tickets] == ["rest"] and config.tickets[0].name == name


@pytest.mark.parametrize("auth", [None, "Bearer tok-1", "AR-JWT forged"])
def test_helix_fake_refuses_calls_without_a_valid_ar_jwt(helix, auth):
    headers = {"Authorization": auth} if auth else {}
    helix.tool.issue()  # tok-1 exists, but only as AR-JWT
    request = urllib.request.Request(helix.url + AR + "HPD:IncidentInterface", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=2)
    assert error.value.code == 401


@pytest.mark.slow
def test_helix_lifecycle_creates_one_incident_with_work_info_then_resolves(helix, outbox):
    sink = RestTicketSink(worked("bmc-helix", helix.url), helix.clock)
    assert run(outbox, sink, lifecycle(updates=2))["sent"] == 4
    [incident] = helix.tool.incidents.values()
    assert outbox.ticket_id("bmc-helix", KEY) == incident["Incident Number"] == "INC000000000001"
    assert (incident["Status"], incident["Status_Reason"]) == ("Resolved",
                                                             "No Further Action Required")
    assert incident["Impact"] == "1-Extensive/Widespread" and incident["Urgency"] == "1-Critical"
    assert incident["Description"].endswith("]") and len(incident["Description"]) <= 100
    assert "Incident key: " + KEY in incident["Detailed_Decription"]
    assert [n.split(" at ")[0] for n in incident["work_log"]] == \
        ["Incident updated"] * 2 + ["Incident resolved"]
    assert helix.tool.issued == 1  # one login for the whole run
    puts = [p for m, p in helix.tool.requests if m == "PUT"]
    assert puts and all(p.endswith("000000000000001%7C000000000000001") for p in puts)


@pytest.mark.slow
def test_helix_missing_required_value_is_a_dead_letter_with_ars_message(helix, outbox):
    def drop_last_name(entry):
        entry["create"]["body"] = entry["create"]["body"].replace(
            '"Last_Name": {{ params.last_name | tojson }},', "")
    sink = RestTicketSink(edited("bmc-helix", helix.url, drop_last_name), helix.clock)
    run(outbox, sink, lifecycle(updates=0))
    dead = outbox.dead()
    assert [d["status"] for d in dead] == [400, 400] and helix.tool.incidents == {}
    assert '"messageText": "Required field cannot be blank."' in dead[0]["body"]
    assert '"messageAppendedText": "Last_Name"' in dead[0]["body"]


@pytest.mark.slow
def test_helix_expired_jwt_is_renewed_and_a_revoked_one_refreshed_once(helix, outbox):
    sink = RestTicketSink(worked("bmc-helix", helix.url), helix.clock)
    clock = SimClock()
    loop = deliverer(outbox, {"bmc-helix": sink}, clock)
    outbox.enqueue(lifecycle(updates=2), ["bmc-helix"], clock())
    assert loop.run_once()["sent"] == 1 and helix.tool.issued == 1
    helix.clock.now = 3001.0  # past token_ttl (3000 s): a new login before the next call
    assert loop.run_once()["sent"] == 1 and helix.tool.issued == 2
    helix.tool.revoke()  # the AR server restarted: the next call gets 401, logs in once more
    assert loop.drain()["sent"] == 2 and helix.tool.issued == 3
    assert len(helix.tool.incidents) == 1


@pytest.mark.slow
def test_helix_wrong_password_is_a_dead_letter(helix, outbox, monkeypatch):
    monkeypatch.setenv("HELIX_PASSWORD", "wrong")
    run(outbox, RestTicketSink(worked("bmc-helix", helix.url), helix.clock), lifecycle(updates=0))
    dead = outbox.dead()
    assert [d["status"] for d in dead] == [401, 401] and "Authentication failed" in dead[0]["body"]
    assert not any("wrong" in d["error"] for d in dead)


@pytest.mark.slow
def test_helix_crash_after_create_is_found_by_the_description_tag(helix, outbox):
    sink, clock = RestTicketSink(worked("bmc-helix", helix.url), helix.clock), SimClock()
    outbox.enqueue(lifecycle(updates=1), ["bmc-helix"], clock())
    sink.deliver(outbox.due(clock())[0], None)  # created; the process dies before storing it
    clock.advance(CLAIM_S)  # the dead worker's claim expires
    assert deliverer(outbox, {"bmc-helix": sink}, clock).drain()["sent"] == 3
    assert len(helix.tool.incidents) == 1


@pytest.mark.slow
def test_efecte_lifecycle_login_header_token_card_worklog_and_solved(efecte, outbox):
    sink = RestTicketSink(worked("efecte", efecte.url))
    assert run(outbox, sink, lifecycle(updates=2))["sent"] == 4
    [(card_id, card)] = efecte.tool.cards.items()
    assert outbox.ticket_id("efecte", KEY) == card_id
    assert card["status"] == ["05 - Solved"] and card["priority"] == ["1 - Critical"]
    assert [n.split(" at ")[0] for n in card["worklog"]] == \
        ["Incident updated"] * 2 + ["Incident resolved"]
    assert card["external_id"][0].startswith("webcare-") and efecte.tool.issued == 1
    assert [m for m, p in efecte.tool.requests if p.startswith(EFECTE + "/dc")] == \
        ["GET", "POST", "PATCH", "PATCH", "PATCH"]


@pytest.mark.slow
def test_efecte_crash_after_create_is_found_by_the_eql_filter(efecte, outbox):
    sink, clock = RestTicketSink(worked("efecte", efecte.url)), SimClock()
    outbox.enqueue(lifecycle(updates=0), ["efecte"], clock())
    sink.deliver(outbox.due(clock())[0], None)
    clock.advance(CLAIM_S)
    assert deliverer(outbox, {"efecte": sink}, clock).drain()["sent"] == 2
    assert len(efecte.tool.cards) == 1


@pytest.mark.slow
def test_efecte_unknown_static_value_is_a_dead_letter_with_the_rest_error(efecte, outbox):
    def rename_status(entry):
        entry["params"]["new_status"] = "1 - Open"  # not a value of the template's status
    run(outbox, RestTicketSink(edited("efecte", efecte.url, rename_status)), lifecycle(updates=0))
    dead = outbox.dead()[0]
    assert dead["status"] == 400 and "Couldn't find static-value with value: 1 - Open" in \
        dead["body"] and efecte.tool.cards == {}


@pytest.mark.slow
def test_efecte_wrong_password_is_a_dead_letter(efecte, outbox, monkeypatch):
    monkeypatch.setenv("EFECTE_PASSWORD", "nope")
    run(outbox, RestTicketSink(worked("efecte", efecte.url)), lifecycle(updates=0))
    assert [d["status"] for d in outbox.dead()] == [401, 401]
    assert "Wrong credentials provided." in outbox.dead()[0]["body"]


@pytest.mark.slow
def test_efecte_through_the_ticket_delivery_wiring(efecte, store_config):
    """The pipeline's TicketDelivery (outbox in the store, sinks from the registry)."""
    config = pipeline_config(worked("efecte", efecte.url), store_config)
    store = open_store(config.store)  # the pipeline's store makes the schema the outbox uses
    delivery = TicketDelivery(config.tickets, config.store, background=False)
    delivery(lifecycle(updates=1))
    assert delivery.outbox.counts() == {"efecte": {"pending": 3}}
    delivery.close()  # the last pass delivers what is due
    assert status(config)["counts"] == {"efecte": {"sent": 3}}
    store.close()
    [card] = efecte.tool.cards.values()
    assert card["status"] == ["05 - Solved"] and len(card["worklog"]) == 2


@pytest.mark.slow
def test_a_burst_of_600_posts_is_one_helix_incident_with_its_work_log(helix, store_config):
    config = pipeline_config(worked("bmc-helix", helix.url), store_config)
    store, correlator = open_store(config.store), IncidentCorrelator()
    delivery = TicketDelivery(config.tickets, config.store, SimClock(), background=False)
    sink = TicketingSink(IncidentSink(StoreSink(store), correlator), delivery)
    stream = spread(OUTAGE, 600, 30) + [  # the later post ends the burst
        decision(9000, OUTAGE + timedelta(hours=3), topic="security", action="incident")]
    for start in range(0, len(stream), 150):  # batches: the updates reach Helix in between
        for item in stream[start:start + 150]:
            sink.add(correlator(item))
        sink.flush()
        delivery.deliverer.drain()
    sink.inner.close()
    delivery.deliverer.drain()
    counts = delivery.outbox.counts()
    number = delivery.outbox.ticket_id("bmc-helix", BURST_KEY)
    delivery.outbox.close()
    burst, single = helix.tool.incidents.values()  # the later post is an incident of its own
    assert burst["Incident Number"] == number and burst["Status"] == "Resolved"
    assert "600 reports" in burst["work_log"][-1] and single["Status"] == "Assigned"
    assert counts == {"bmc-helix": {"sent": len(burst["work_log"]) + 1 + 1}}
