"""Engagement next to sentiment on SQLite and PostgreSQL: reach, engagement per hour, per
topic/platform and top posts computed from a known set of posts; dashboard page, API and
`webcare report` (CSV + SVG)."""

from __future__ import annotations

import csv

import pytest

from route.rules import RouteConfig, Router
from schemas import Author, Engagement, SentimentScore
from sinks.store.app_store import AppStore
from tests.app.conftest import api_token
from tests.conftest import make_classification, make_post
from tests.sinks.conftest import open_store
from webcare.app import analytics, engagement
from webcare.app.config import AppConfig
from webcare.app.report import write_report

ROUTER = Router(RouteConfig.model_validate({"rules": []}))
HOURS = ["2026-11-20T12:00Z", "2026-11-20T13:00Z"]


@pytest.fixture
def store(store_config):
    opened = open_store(store_config)
    yield opened
    opened.close()


def known(app: AppStore) -> None:
    """@ann twice (1000 then 1200 followers), @bob, @cat an hour later, and a spam post."""
    rows = [  # n, handle, followers, platform, topic, sentiment, likes, shares, replies, quotes
        (1, "@ann", 1000, "x", "outage", "negative", 10, 5, 2, 1),
        (2, "@ann", 1200, "x", "outage", "negative", 2, 0, 0, 0),
        (3, "@bob", 50, "reddit", "billing", "positive", 3, 0, 1, 0),
        (65, "@cat", 300, "mastodon", "outage", "neutral", 0, 7, 0, 0),
        (4, "@spam", 99999, "x", "other", "neutral", 500, 0, 0, 0),
    ]
    decisions = []
    for n, handle, followers, platform, topic, label, likes, shares, replies, quotes in rows:
        post = make_post(n, id=f"e-{n}", platform=platform,
                         author=Author(handle=handle, followers=followers),
                         engagement=Engagement(likes=likes, shares=shares, replies=replies,
                                               quotes=quotes))
        noise = {"noise": True, "noise_reason": "spam"} if handle == "@spam" else {}
        decisions.append(ROUTER(post, make_classification(
            post, topic=topic, sentiment=SentimentScore(label=label, compound=0.0), **noise)))
    app.store.write(decisions, [])


def test_figures_from_a_known_set_of_posts(store):
    app = AppStore(store)
    known(app)
    lo, hi = analytics.window(app, None, None)
    found = engagement.figures(app, lo, hi, HOURS, "topic")
    assert found["totals"] == {"posts": 4, "authors": 3, "reach": 1550, "engagement": 31,
                               "likes": 15, "shares": 12, "replies": 3, "quotes": 1}
    hourly = found["hourly"]
    assert hourly["by_sentiment"] == {"negative": [20, 0], "neutral": [0, 7],
                                      "positive": [4, 0]}
    assert hourly["reach"] == {"outage": [1200, 300], "billing": [50, 0]}
    assert hourly["total_reach"] == [1250, 300]
    assert hourly["engagement"] == {"outage": [20, 7], "billing": [4, 0]}
    topics = {r["value"]: r for r in found["per"]["topic"]}
    assert list(topics) == ["outage", "billing"]
    assert (topics["outage"]["posts"], topics["outage"]["reach"], topics["outage"]["engagement"],
            topics["outage"]["negative_share"]) == (3, 1500, 27, 0.667)
    platforms = [(r["value"], r["reach"], r["engagement"]) for r in found["per"]["platform"]]
    assert platforms == [("x", 1200, 20), ("mastodon", 300, 7), ("reddit", 50, 4)]
    top = found["top_posts"]
    assert [(t["post_id"], t["engagement"], t["sentiment"]) for t in top] == [
        ("e-1", 18, "negative"), ("e-65", 7, "neutral"), ("e-3", 4, "positive"),
        ("e-2", 2, "negative")]
    assert top[0]["text"] == "@LumenCare my internet is down again"
    window = engagement.figures(app, lo, "2026-11-20T12:59Z", HOURS, "platform")
    assert window["totals"]["reach"] == 1250 and window["hourly"]["reach"]["x"] == [1200, 0]


def test_report_writes_engagement_csv_and_svg(store, tmp_path):
    app = AppStore(store)
    known(app)
    files = {f.name for f in write_report(app, AppConfig(clock="latest_post"), tmp_path, None,
                                          None, "platform")}
    assert {"engagement.svg", "reach.svg", "engagement_hourly.csv", "engagement_by.csv",
            "top_posts.csv"} <= files
    hourly = list(csv.DictReader((tmp_path / "engagement_hourly.csv").open()))
    assert [(r["hour"], r["negative"], r["positive"], r["reach"]) for r in hourly] == [
        (HOURS[0], "20", "4", "1250"), (HOURS[1], "0", "0", "300")]
    per = list(csv.DictReader((tmp_path / "engagement_by.csv").open()))
    assert {(r["dimension"], r["value"], r["reach"]) for r in per} >= {
        ("topic", "outage", "1500"), ("platform", "reddit", "50")}
    top = list(csv.DictReader((tmp_path / "top_posts.csv").open()))
    assert [r["post_id"] for r in top] == ["e-1", "e-65", "e-3", "e-2"]
    svg = (tmp_path / "reach.svg").read_text()
    assert "<svg" in svg and "mastodon" in svg and "<script" not in svg
    html = (tmp_path / "index.html").read_text()
    assert '<img src="engagement.svg"' in html and "reach 1550 followers" in html


@pytest.mark.slow
def test_dashboard_shows_engagement_next_to_sentiment(app_store, client_for):
    known(app_store)
    client = client_for("carl")
    page = client.get("/dashboard")
    assert page.status_code == 200 and "Engagement: what reached people" in page.text
    assert 'src="/dashboard/chart/engagement.svg' in page.text
    assert "Top posts by engagement" in page.text
    chart = client.get("/dashboard/chart/engagement.svg")
    assert chart.status_code == 200 and "negative" in chart.text
    assert client_for("alice").get("/dashboard/chart/reach.svg").status_code == 403
    data = client.get("/api/v1/dashboard", headers=api_token(app_store, "carl")).json()
    # the conftest seed adds four posts by @user1..4 with 100 followers and no engagement
    assert data["engagement"]["totals"]["reach"] == 1550 + 400
    assert data["engagement"]["top_posts"][0]["post_id"] == "e-1"


def test_same_author_counts_once_per_hour_but_in_each_hour(store):
    app = AppStore(store)
    posts = [make_post(n, author=Author(handle="@ann", followers=10))
             for n in (1, 2, 70)]
    app.store.write([ROUTER(p, make_classification(p)) for p in posts], [])
    lo, hi = analytics.window(app, None, None)
    found = engagement.figures(app, lo, hi, HOURS, "topic")
    assert found["hourly"]["total_reach"] == [10, 10] and found["totals"]["reach"] == 10


@pytest.mark.slow
def test_item_page_shows_the_posts_engagement(app_store, client_for):
    from tests.app.conftest import ROUTER as QUEUEING

    post = make_post(9, id="e-9", engagement=Engagement(likes=12, shares=3, replies=4, quotes=1))
    app_store.store.write([QUEUEING(post, make_classification(post))], [])
    page = client_for("alice").get("/item?id=e-9")
    assert page.status_code == 200
    assert "12 likes · 3 shares · 4 replies · 1 quotes" in page.text
