"""Outbound wired into the pipeline (``build_sink``) and the ``webcare outbound`` commands."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from click.testing import CliRunner

from sinks.store.sqlite import SqliteStoreConfig
from tests.outbound.conftest import apply, event, outbound, seed
from tests.route.burst_helpers import MONDAY, spread
from webcare.cli.main import main
from webcare.job import assembly as commands
from webcare.job.config import WebcareConfig
from webcare.outbound import wiring

OUTAGE = MONDAY + timedelta(hours=19)


@pytest.mark.slow
def test_a_burst_through_the_pipeline_is_announced_once_and_each_author_answered_once(
        tmp_path, channel_fakes):
    config = WebcareConfig(store=SqliteStoreConfig(path=str(tmp_path / "w.sqlite")),
                           outbound=outbound(channel_fakes["urls"], "x",
                                             common={"replies_per_minute": 10_000}).model_dump())
    sink, correlator = commands.build_sink(config)
    assert sink.name == "store+incidents+outbound"
    stream = spread(OUTAGE, 120, 30) + spread(OUTAGE + timedelta(minutes=20), 60, 10, first=120)
    for n, item in enumerate(sorted(stream, key=lambda d: d.post.created_at)):
        sink.add(correlator(item))
        if n % 50 == 0:
            sink.flush()
    correlator.tick(OUTAGE + timedelta(hours=3))  # quiet: the incident resolves
    sink.close()  # stops the delivery thread after a last pass
    sent = channel_fakes["x"].sent
    posts = [s["text"] for s in sent if "reply" not in s]
    assert len(posts) == 1  # the opened draft waited; the burst turned strong: out at once
    assert posts[0].startswith("Lumen Telecom update: we are still working on the disruption")
    report = wiring.status(config)  # quiet volume only proposed the resolution: a draft
    (proposal,) = [d for d in report["drafts"] if d["kind"] == "resolved"]
    assert report["posts"]["x"] == {"draft": 1, "published": 1, "skipped": 1}
    wiring.decide(config, proposal["outbound_id"], "lead", "approve")  # a lead approves it
    wiring.publish(config)  # and the follow-ups to the affected authors go out after it
    posts = [s["text"] for s in sent if "reply" not in s]
    assert len(posts) == 2
    assert posts[-1].startswith("Lumen Telecom: the disruption (outage) since 19:")
    assert wiring.status(config)["posts"]["x"] == {"published": 2, "skipped": 1}
    per_target = Counter(s["reply"]["in_reply_to_tweet_id"] for s in sent if "reply" in s)
    assert per_target and max(per_target.values()) <= 2  # a status reply and a follow-up


@pytest.mark.slow
def test_cli_status_approve_reject_publish(tmp_path, channel_fakes, clock):
    store_path = str(tmp_path / "cli.sqlite")
    config = WebcareConfig(store=SqliteStoreConfig(path=store_path),
                           outbound=outbound(channel_fakes["urls"], "x", "engage").model_dump())
    (tmp_path / "c.yaml").write_text(json.dumps(config.model_dump(mode="json")))
    store = commands.open_store(config.store)
    seed(store, 2)
    apply(store, config.outbound, [event()], clock)
    store.close()
    run = lambda *args: CliRunner().invoke(  # noqa: E731
        main, ["outbound", *args, "--config", str(tmp_path / "c.yaml")])
    report = json.loads(run("status", "--json").output)
    drafts = {d["channel"]: d["outbound_id"] for d in report["drafts"]}
    assert report["posts"] == {"engage_community": {"draft": 1}, "x": {"draft": 1}}
    approved = run("approve", "--id", drafts["x"], "--by", "lena", "--text", "Lumen: down, on it")
    assert approved.exit_code == 0, approved.output
    assert approved.output.strip() == f"{drafts['x']} x: published https://x.com/i/status/2001"
    assert channel_fakes["x"].sent == [{"text": "Lumen: down, on it"}]
    assert run("reject", "--id", drafts["engage_community"], "--reason", "no").exit_code == 0
    assert "not a draft" in run("approve", "--id", drafts["engage_community"]).output
    assert run("publish").output.strip() == "reply_published 2"
    assert "replies x: published 2" in run("status").output
