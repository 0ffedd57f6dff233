"""Delivery with retries, crash safety, dedup, rate limits, filters and the evaluator's events
(SLA warning and breach, unhealthy sources, dead-letter spikes), on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from schemas import DeadLetter
from schemas.plumbing.http import Rejected, Retryable
from sinks.store.source_state import StateStore
from tests.alerts.conftest import KEY, SimClock, config_with, lifecycle, open_store
from tests.alerts.receivers import WebhookReceiver
from tests.conftest import T0
from tests.route.burst_helpers import decision
from webcare.alerts import events as ev
from webcare.alerts.config import SlackAlert
from webcare.alerts.delivery import Deliverer, finish
from webcare.alerts.wiring import AlertService

SLACK = {"type": "slack", "name": "oncall", "events": ["incident.opened"]}


class Recorder:
    """A sender that records what it was asked to send; ``faults`` are raised first."""

    def __init__(self, name: str = "oncall") -> None:
        self.name, self.sent, self.faults = name, [], []

    def send(self, event, key):
        if self.faults:
            raise self.faults.pop(0)
        self.sent.append((event.event, event.subject, key))


@pytest.fixture(autouse=True)
def _urls(monkeypatch):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "http://127.0.0.1:9/never-used")
    monkeypatch.setenv("WEBCARE_ALERT_WEBHOOK_SECRET", "s3cret")


def service(store_config, *alerts, clock=None, **extra) -> tuple[AlertService, Recorder]:
    config = config_with(store_config, *alerts, **extra)
    svc = AlertService(config, clock or SimClock(), background=False, exit_wait_s=0)
    recorder = Recorder()
    svc.deliverer.senders = {a.name: recorder for a in config.alerts}
    svc.deliverer.rng = random.Random(7)
    return svc, recorder


def test_each_incident_event_is_delivered_once_per_alert(store_config):
    svc, rec = service(store_config, {**SLACK, "events": ["incident.opened",
                                                          "incident.resolved"]})
    svc(lifecycle())
    svc(lifecycle())  # a replayed flush hands the same events again
    svc.deliverer.drain()
    assert [e for e, _, _ in rec.sent] == ["incident.opened", "incident.resolved"]
    svc(lifecycle())
    assert svc.deliverer.drain()["sent"] == 0
    svc.close()


def test_filters_brand_topic_urgency_platform(store_config):
    svc, rec = service(store_config, {**SLACK, "when": {
        "brand": ["Lumen Telecom"], "topic": ["outage"], "min_urgency": "high",
        "platform": ["reddit"]}})
    svc(lifecycle("a", urgency="medium"))  # below high
    svc(lifecycle("b", brand="Other Co"))
    svc(lifecycle("c", topic="billing"))
    svc(lifecycle("d", platforms=("x",)))
    svc(lifecycle("e", urgency="high"))  # passes every key
    svc.deliverer.drain()
    assert [s for _, s, _ in rec.sent] == ["incident:e"]
    svc.close()


def test_retries_with_backoff_then_dead_after_max_attempts(store_config):
    clock = SimClock()
    svc, rec = service(store_config, {**SLACK, "max_attempts": 3}, clock=clock)
    svc(lifecycle()[:1])
    rec.faults = [Retryable("HTTP 503", status=503), Retryable("HTTP 503", retry_after=30,
                                                               status=503),
                  Retryable("HTTP 503", status=503)]
    assert svc.deliverer.drain() == {"sent": 0, "retry": 1, "dead": 0, "skipped": 0}
    assert svc.deliverer.drain()["retry"] == 0  # not due yet
    clock.advance(5)
    assert svc.deliverer.drain()["retry"] == 1  # Retry-After 30 s
    clock.advance(20)
    assert svc.deliverer.drain()["retry"] == 0
    clock.advance(11)
    assert svc.deliverer.drain()["dead"] == 1  # the third attempt was the last
    assert svc.outbox.listing("dead")[0]["error"].startswith("gave up after 3 attempts")
    assert svc.outbox.retry(clock()) == 1
    assert svc.deliverer.drain()["sent"] == 1 and len(rec.sent) == 1
    svc.close()


def test_a_rejected_send_is_dead_at_once_and_others_go_on(store_config):
    svc, rec = service(store_config, {**SLACK, "events": ["incident.opened"]})
    svc(lifecycle("a")[:1] + lifecycle("b")[:1])
    rec.faults = [Rejected(404, "no_service")]
    counts = svc.deliverer.drain()
    assert counts["dead"] == 1 and counts["sent"] == 1
    svc.close()


def test_rate_limit_folds_the_excess_into_one_digest(store_config):
    clock = SimClock()
    svc, rec = service(store_config, {**SLACK, "max_per_hour": 2, "digest_minutes": 10},
                       clock=clock)
    svc([e for n in range(6) for e in lifecycle(f"k{n}")[:1]])
    svc.deliverer.drain()
    assert len(rec.sent) == 2
    svc.evaluator.run(clock())
    assert svc.deliverer.drain()["sent"] == 0  # the digest waits digest_minutes
    clock.advance(600)
    svc.evaluator.run(clock())
    svc.deliverer.drain()
    assert rec.sent[-1][0] == "alerts.digest"
    assert svc.outbox.counts()["oncall"] == {"folded": 4, "sent": 3}
    svc.close()


@pytest.mark.slow
def test_crash_after_send_before_mark_resends_with_the_same_idempotency_key(store_config):
    """The receiver processes the event once: the resend carries the same key."""
    clock = SimClock(datetime.now(timezone.utc))
    config = config_with(store_config, {"type": "webhook", "name": "ops", "url": "http://x",
                                        "events": ["incident.opened"]})
    with WebhookReceiver("s3cret") as hook:
        config.alerts[0].url = hook.url
        svc = AlertService(config, clock, background=False, exit_wait_s=0)
        svc(lifecycle()[:1])
        crashing = Deliverer(svc.outbox, svc.deliverer.senders, svc.deliverer.alerts, clock)
        svc.outbox.mark_sent = lambda *a, **k: (_ for _ in ()).throw(SystemExit("killed"))
        with pytest.raises(SystemExit):  # sent, then the process died before marking
            crashing.run_once()
        del svc.outbox.mark_sent
        assert svc.deliverer.drain()["sent"] == 0  # claimed by the dead worker
        clock.advance(61)  # the claim's lease ran out
        assert svc.deliverer.drain()["sent"] == 1
        assert len(hook.requests) == 2 and len(hook.processed) == 1 and hook.duplicates == 1
        svc.close()


def test_sla_warning_then_breach_once_each(store_config):
    clock = SimClock(T0)
    store = open_store(store_config)
    store.write([decision(1, T0, urgency="high"), decision(2, T0, urgency="low")], [])
    store.close()
    svc, rec = service(store_config, {**SLACK, "events": ["item.sla_breach"],
                                      "sla_warning_minutes": 15},
                       clock=clock, app={"clock": "wall"})
    clock.advance(40 * 60)
    svc.evaluator.run(clock())
    assert svc.outbox.counts() == {}  # 20 min left of the high item's 60
    clock.advance(10 * 60)
    svc.evaluator.run(clock())
    svc.evaluator.run(clock())
    clock.advance(11 * 60)
    svc.evaluator.run(clock())
    svc.deliverer.drain()
    assert [(e, s) for e, s, _ in rec.sent] == [("item.sla_breach", "item:p-1")] * 2
    phases = [k.split("|")[1] for _, k, _ in svc.outbox.events("oncall")]
    assert phases == ["warning", "breached"]
    svc.close()


def test_unhealthy_sources_and_dead_letter_spikes(store_config, tmp_path):
    now = datetime.now(timezone.utc)
    state = StateStore(tmp_path / "state.sqlite")
    state.set_health("x:brand", "auth_failed", "401 Unauthorized", 3)
    state.set_health("feed:status", "rate_limited", "reset in 900 s", 0)
    state.set_health("mastodon:m", "ok", "receiving", 9)
    state.close()
    store = open_store(store_config)
    letters = [DeadLetter(stage="parse", error_type="ValueError", reason="bad", payload=f"{n}",
                          occurred_at=now) for n in range(5)]
    store.write([], letters)
    store.close()
    feed = {"type": "feed", "name": "status", "urls": ["http://127.0.0.1:9/x.atom"],
            "state_path": str(tmp_path / "state.sqlite")}
    svc, rec = service(store_config, {
        **SLACK, "events": ["source.unhealthy", "dead_letters.spike"],
        "rate_limited_minutes": 15, "dead_letters_per_window": 5,
        "dead_letters_window_minutes": 60}, clock=(clock := SimClock(now)), sources=[feed])
    svc.evaluator.run(now)
    svc.evaluator.run(now)  # the same conditions: nothing new
    svc.deliverer.drain()
    assert sorted((e, s) for e, s, _ in rec.sent) == [
        ("dead_letters.spike", "dead_letters"), ("source.unhealthy", "source:x:brand")]
    clock.advance(16 * 60)  # rate-limited long enough now, and no heartbeat since: stale
    svc.evaluator.run(clock())
    svc.deliverer.drain()
    later = {s for e, s, _ in rec.sent[2:] if e == "source.unhealthy"}
    assert later == {"source:feed:status", "source:mastodon:m"}
    keys = [k for e, k, _ in svc.outbox.events("oncall") if e == "source.unhealthy"]
    assert any("|mastodon:m|stale|" in k for k in keys)
    svc.close()


def test_finish_waits_out_a_short_outage(store_config):
    clock = SimClock()
    svc, rec = service(store_config, SLACK, clock=clock)
    svc(lifecycle()[:1])
    rec.faults = [Retryable("HTTP 503", status=503)] * 3
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock.advance(seconds)

    result = finish(svc.deliverer, svc.evaluator, exit_wait_s=60, sleep=sleep)
    assert result["sent"] == 1 and result["left"] == 0 and len(slept) == 3
    svc.outbox.close()


def test_event_matching_skips_filters_an_event_does_not_carry():
    alert = SlackAlert(name="a", events=["dead_letters.spike"],
                       when={"brand": ["Lumen Telecom"], "min_urgency": "critical"})
    spike = ev.dead_letter_event(50, 15, T0, T0)
    assert ev.matches(alert.model_copy(update={"when": alert.when.model_copy(
        update={"min_urgency": None})}), spike)
    assert not ev.matches(alert, spike)  # a spike is "high"
    opened = ev.from_incident("opened", lifecycle()[0].incident, T0)
    assert not ev.matches(alert, opened)  # not subscribed
    assert KEY in opened.subject
