"""Drafting, approval, publishing and personal replies on both store backends, with the real
channel clients against their local fakes and a simulated delivery clock."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from sinks.store.app_store import AppStore
from tests.conftest import T0
from tests.outbound.conftest import KEY, apply, deliverer, event, outbound, seed
from tests.sinks.conftest import open_store
from webcare.outbound.reply_store import ReplyStore
from webcare.outbound.store import Conflict, PostStore


def _posts(store, **where):
    rows = PostStore(AppStore(store)).list()
    return [r for r in rows if all(r[k] == v for k, v in where.items())]


@pytest.mark.slow
def test_an_opened_incident_gets_one_draft_per_channel_waiting_for_a_lead(store, channel_fakes,
                                                                          clock):
    seed(store, 3)
    config = outbound(channel_fakes["urls"])
    assert apply(store, config, [event()], clock) == 6
    drafts = _posts(store)
    assert sorted(r["channel"] for r in drafts) == sorted(
        ["x", "mastodon", "bluesky", "facebook_page", "engage_community", "statuspage_webhook"])
    assert {r["state"] for r in drafts} == {"draft"} and {r["lang"] for r in drafts} == {"en"}
    body = drafts[0]["body"]
    assert body.startswith("Lumen Telecom: we are aware of a disruption (outage) since 12:00 UTC")
    assert body.endswith("https://status.lumen.example/burst%3ALumen%20Telecom%3Aoutage%3A"
                         "20261120T1200Z")
    assert apply(store, config, [event()], clock) == 0  # a replayed event adds nothing
    assert deliverer(config, clock).drain(AppStore(store)) == {}  # nothing approved yet
    assert channel_fakes["x"].sent == [] and channel_fakes["facebook"].feed == []


@pytest.mark.slow
def test_critical_incidents_publish_directly_and_everything_is_recorded(store, channel_fakes,
                                                                        clock):
    seed(store, 3)
    config = outbound(channel_fakes["urls"], "x", "status")
    apply(store, config, [event(urgency="critical")], clock)
    app = AppStore(store)
    assert {(r["state"], r["decided_by"]) for r in _posts(store)} == {("approved", "auto")}
    counts = deliverer(config, clock).drain(app)
    assert counts["post_published"] == 2 and counts["reply_published"] == 3
    (tweet, *replies) = channel_fakes["x"].sent
    x_post = _posts(store, channel="x")[0]
    assert tweet == {"text": x_post["body"]}  # a top-level tweet, exactly the drafted text
    assert x_post["platform_post_id"] == "2001"
    assert x_post["platform_url"] == "https://x.com/i/status/2001"
    assert sorted(r["reply"]["in_reply_to_tweet_id"] for r in replies) == ["x-1", "x-2", "x-3"]
    assert sorted(r["text"].split(",")[0] for r in replies) == ["Hi @user0", "Hi @user1",
                                                                "Hi @user2"]
    assert replies[0]["text"].endswith(", we know about the disruption (outage) and are working "
                                       "on it. Updates: " + x_post["body"].rsplit(" ", 1)[1])
    (update,) = channel_fakes["status"].updates
    assert update["incident_key"] == KEY and update["kind"] == "opened"
    assert _posts(store, channel="statuspage_webhook")[0]["platform_url"] == \
        "https://status.example/u/1"
    audit = [a for a in app.audit_entries() if a["action"] == "outbound.auto_approve"]
    assert len(audit) == 2 and audit[0]["actor"] == "auto"
    assert {r["state"] for r in ReplyStore(app).of(KEY)} == {"published"}


@pytest.mark.slow
def test_lead_edits_approves_and_rejects_with_audit(store, channel_fakes, clock):
    seed(store, 2)
    config = outbound(channel_fakes["urls"], "x", "mastodon")
    apply(store, config, [event()], clock)
    app, posts = AppStore(store), PostStore(AppStore(store))
    x_id = _posts(store, channel="x")[0]["outbound_id"]
    m_id = _posts(store, channel="mastodon")[0]["outbound_id"]
    posts.decide(x_id, "lena", "edit", clock(), "Lumen: internet down in Utrecht, on it.")
    posts.decide(x_id, "lena", "approve", clock())
    posts.decide(m_id, "lena", "reject", clock(), reason="X only for this one")
    with pytest.raises(Conflict, match="approved, not a draft"):
        posts.decide(x_id, "ada", "reject", clock())
    assert deliverer(config, clock).publish(app, x_id) == "published"
    assert channel_fakes["x"].sent[0] == {"text": "Lumen: internet down in Utrecht, on it."}
    assert channel_fakes["mastodon"].sent == []
    row = posts.get(x_id)
    assert (row["state"], row["decided_by"]) == ("published", "lena")
    actions = [(a["action"], a["actor"], a["after"]["state"]) for a in
               reversed(app.audit_entries()) if a["action"].startswith("outbound.")]
    assert actions == [("outbound.edit", "lena", "draft"), ("outbound.approve", "lena", "approved"),
                       ("outbound.reject", "lena", "rejected")]
    assert posts.get(m_id)["reason"] == "X only for this one"


@pytest.mark.slow
def test_a_burst_gets_one_reply_per_author_even_with_two_workers(store, channel_fakes, clock):
    seed(store, 200, authors=50)
    config = outbound(channel_fakes["urls"], "x", common={"replies_per_minute": 1000})
    apply(store, config, [event(urgency="critical", count=200)], clock)
    x_id = _posts(store, channel="x")[0]["outbound_id"]
    assert deliverer(config, clock).publish(AppStore(store), x_id) == "published"
    apply(store, config, [event("updated", minutes=12, urgency="critical")], clock)  # re-plans
    barrier, results = threading.Barrier(2), []

    def work() -> None:
        other = open_store(store._config)
        try:
            barrier.wait()
            results.append(deliverer(config, clock).drain(AppStore(other)))
        finally:
            other.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    replies = [s for s in channel_fakes["x"].sent if "reply" in s]
    assert len(replies) == 50
    assert sum(r.get("reply_published", 0) for r in results) == 50
    handles = {s["text"].split(",")[0] for s in replies}
    assert handles == {f"Hi @user{n}" for n in range(50)}
    rows = ReplyStore(AppStore(store)).of(KEY)
    assert len(rows) == 50 and {r["state"] for r in rows} == {"published"}


@pytest.mark.slow
def test_replies_honour_the_rate_per_channel(store, channel_fakes, clock):
    seed(store, 25)
    config = outbound(channel_fakes["urls"], "x", common={"replies_per_minute": 10})
    apply(store, config, [event(urgency="critical")], clock)
    app, worker = AppStore(store), deliverer(config, clock)
    sent = lambda: len([s for s in channel_fakes["x"].sent if "reply" in s])  # noqa: E731
    worker.drain(app)
    assert sent() == 10
    assert worker.drain(app).get("reply_deferred") == 15 and sent() == 10  # same minute
    clock.advance(61)
    worker.drain(app)
    assert sent() == 20
    clock.advance(61)
    worker.drain(app)
    assert sent() == 25


@pytest.mark.slow
def test_meta_window_skips_facebook_authors_silent_for_a_day(store, channel_fakes, clock):
    seed(store, 2, platform="facebook")  # @user1 and @user0 at 12:00
    seed(store, 1, authors=2, platform="facebook", start=3,
         created_at=T0 + timedelta(hours=20))  # @user1 again at 08:00 next day
    clock.now = T0 + timedelta(hours=25)
    config = outbound(channel_fakes["urls"], "facebook")
    apply(store, config, [event(urgency="critical")], clock)
    deliverer(config, clock).drain(AppStore(store))
    assert channel_fakes["facebook"].feed == [_posts(store)[0]["body"]]
    assert [node for node, _ in channel_fakes["facebook"].comments] == ["facebook-3"]
    skipped = {r["author_handle"]: r for r in ReplyStore(AppStore(store)).of(KEY)}
    assert skipped["@user0"]["state"] == "skipped"
    assert skipped["@user0"]["reason"] == ("outside Meta's 24-hour window: the author's last "
                                           "post is 25.0 h old")
    assert skipped["@user1"]["state"] == "published"


@pytest.mark.slow
def test_messenger_replies_go_to_the_page_scoped_id(store, channel_fakes, clock):
    seed(store, 2, platform="facebook")
    config = outbound(channel_fakes["urls"], "facebook", common={"reply_via": "messenger"})
    apply(store, config, [event(urgency="critical")], clock)
    deliverer(config, clock).drain(AppStore(store))
    assert sorted(r for r, _ in channel_fakes["facebook"].messages) == ["psid-0", "psid-1"]


@pytest.mark.slow
def test_desk_resolution_sends_one_follow_up_to_each_poster(store, channel_fakes, clock):
    seed(store, 4, authors=2)
    config = outbound(channel_fakes["urls"], "x")
    apply(store, config, [event(urgency="critical")], clock)
    worker, app = deliverer(config, clock), AppStore(store)
    worker.drain(app)
    apply(store, config, [event("resolved", minutes=50, urgency="critical")], clock)
    worker.drain(app)  # quiet volume only proposed it: nothing published, nobody answered
    assert not any("resolved" in s["text"] for s in channel_fakes["x"].sent)
    assert not ReplyStore(app).of(KEY, "resolved")
    desk = replace(event("resolved", minutes=60, urgency="critical"),
                   decided_by="desk:servicenow:INC0010001")
    apply(store, config, [desk], clock)
    apply(store, config, [desk], clock)  # the same resolution twice: still one post
    worker.drain(app)
    texts = [s["text"] for s in channel_fakes["x"].sent]
    assert texts[3].startswith("Lumen Telecom: the disruption (outage) since 12:00 UTC is resolved")
    follow_ups = [t for t in texts if "is resolved. Thanks for letting us know" in t]
    assert sorted(t.split(",")[0] for t in follow_ups) == ["Hi @user0", "Hi @user1"]
    assert len(ReplyStore(app).of(KEY, "resolved")) == 2


@pytest.mark.slow
def test_update_drafts_are_bounded_and_supersede_waiting_drafts(store, channel_fakes, clock):
    seed(store, 3)
    config = outbound(channel_fakes["urls"], "x", update_interval_minutes=30)
    apply(store, config, [event(), event("updated", minutes=20), event("updated", minutes=35)],
          clock)
    assert [r["kind"] for r in _posts(store)] == ["opened"]
    apply(store, config, [event("updated", minutes=45, count=40)], clock)
    rows = {r["kind"]: r for r in _posts(store)}
    assert rows["opened"]["state"] == "skipped"
    assert rows["opened"]["reason"] == "superseded by the updated draft"
    assert rows["updated"]["state"] == "draft" and ", 40 reports)" in rows["updated"]["body"]


@pytest.mark.slow
def test_languages_of_the_posters_or_the_main_one(store, channel_fakes, clock):
    seed(store, 2, lang="en")
    seed(store, 2, lang="nl", start=3)
    urls = channel_fakes["urls"]
    apply(store, outbound(urls, "x"), [event(languages=("nl", "en"))], clock)
    (main,) = _posts(store)
    assert main["lang"] == "nl" and main["body"].startswith("Lumen Telecom: we weten van een")
    apply(store, outbound(urls, "x", language="posters"), [event("resolved", minutes=50)], clock)
    assert sorted(r["lang"] for r in _posts(store, kind="resolved")) == ["en", "nl"]


@pytest.mark.slow
def test_platform_errors_retry_with_backoff_or_fail_with_the_body(store, channel_fakes, clock):
    seed(store, 1)
    config = outbound(channel_fakes["urls"], "x", "engage")
    apply(store, config, [event(urgency="critical")], clock)
    channel_fakes["x"].fail = (503, {}, {"title": "Service Unavailable", "status": 503})
    channel_fakes["engage"].faults.append((400, {}, '{"errors": ["group is archived"]}'))
    worker, app = deliverer(config, clock), AppStore(store)
    worker.drain(app)
    x_row = _posts(store, channel="x")[0]
    engage = _posts(store, channel="engage_community")[0]
    assert (x_row["state"], x_row["http_status"], x_row["attempts"]) == ("approved", 503, 1)
    assert (engage["state"], engage["http_status"]) == ("failed", 400)
    assert engage["response_body"] == '{"errors": ["group is archived"]}'
    channel_fakes["x"].fail = None
    assert worker.drain(app).get("post_published") is None  # not due before the backoff
    clock.advance(3600)
    assert worker.drain(app)["post_published"] == 1
    assert _posts(store, channel="x")[0]["state"] == "published"


@pytest.mark.slow
def test_gdpr_erase_removes_the_authors_personal_replies(store, channel_fakes, clock):
    from webcare.app.erase import erase_author

    seed(store, 3)
    config = outbound(channel_fakes["urls"], "x")
    apply(store, config, [event(urgency="critical")], clock)
    app = AppStore(store)
    deliverer(config, clock).drain(app)
    counts = erase_author(app, "@user1")
    assert counts["outbound_replies"] == 1
    assert sorted(r["author_handle"] for r in ReplyStore(app).of(KEY)) == ["@user0", "@user2"]


@pytest.mark.slow
def test_a_send_lease_that_runs_out_makes_the_post_due_again(store, channel_fakes, clock):
    seed(store, 1)
    config = outbound(channel_fakes["urls"], "x")
    apply(store, config, [event(urgency="critical")], clock)
    posts = PostStore(AppStore(store))
    (row,) = _posts(store)
    assert posts.claim(row["outbound_id"], clock().timestamp(), 300)  # a worker that then dies
    worker = deliverer(config, clock)
    assert worker.drain(AppStore(store)) == {}  # leased: nobody else sends it
    clock.advance(301)
    assert worker.drain(AppStore(store))["post_published"] == 1
    assert len([s for s in channel_fakes["x"].sent if "reply" not in s]) == 1


@pytest.mark.slow
def test_engage_posters_are_answered_in_their_thread_and_others_skipped(store, channel_fakes,
                                                                        clock):
    seed(store, 2, platform="engage")
    seed(store, 1, platform="reddit", start=3)
    config = outbound(channel_fakes["urls"], "engage")
    apply(store, config, [event(urgency="critical")], clock)
    deliverer(config, clock).drain(AppStore(store))
    (announcement, *answers) = channel_fakes["engage"].messages
    assert announcement["group_id"] == 99
    assert sorted(a["replied_to_id"] for a in answers) == ["engage-1", "engage-2"]
    reddit = [r for r in ReplyStore(AppStore(store)).of(KEY) if r["author_platform"] == "reddit"]
    assert [(r["state"], r["reason"]) for r in reddit] == [
        ("skipped", "no outbound channel answers reddit posts")]
