"""Outbound fixtures: a store (SQLite and PostgreSQL) holding one burst incident with its
evidence posts, the channel fakes on 127.0.0.1 with credentials in the environment, a simulated
clock, and helpers that feed incident events through the real drafting listener."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from route.incidents import IncidentEvent
from route.rules import RouteConfig, Router
from schemas import Author, Incident
from sinks.incident_sink import write_events
from sinks.store.app_store import AppStore
from tests.app.test_replies import FakeBluesky, FakeMastodonWrite, FakeXWrite
from tests.conftest import T0, make_classification, make_post
from tests.outbound.fakes import FakeEngage, FakeGraph, FakeStatuspage
from tests.sinks.conftest import open_store, store_config  # noqa: F401 - both backends
from tests.sinks.tickets.conftest import SimClock
from tests.sinks.tickets.fakes import Server
from webcare.outbound.config import OutboundConfig
from webcare.outbound.drafting import Drafter
from webcare.outbound.wiring import build_deliverer

KEY = "burst:Lumen Telecom:outage:20261120T1200Z"
ROUTER = Router(RouteConfig.model_validate({"rules": [
    {"name": "outage", "when": {"actionable": True}, "action": "webcare"}]}))


def incident(status="open", urgency="high", count=3, languages=("en",)) -> Incident:
    return Incident(key=KEY, kind="burst", brand="Lumen Telecom", topic="outage", status=status,
                    urgency=urgency, title="Lumen Telecom: burst of outage reports",
                    first_seen=T0, last_seen=T0 + timedelta(minutes=10), post_count=count,
                    languages=list(languages), platforms=["x"])


def seed(store, posts: int = 3, authors: int | None = None, platform: str = "x",
         lang: str = "en", start: int = 1, **post_fields) -> list[str]:
    """``posts`` evidence posts of the incident from ``authors`` distinct authors."""
    authors = authors or posts
    decisions, base = [], post_fields.pop("created_at", T0)
    for n in range(start, start + posts):
        author = Author(handle=f"@user{n % authors}", id=f"psid-{n % authors}")
        post = make_post(n, platform=platform, platform_id=f"{platform}-{n}", author=author,
                         created_at=base + timedelta(seconds=n), **post_fields)
        decision = ROUTER(post, make_classification(post, lang=lang))
        decisions.append(decision.model_copy(update={"incident_key": KEY}))
    store.write(decisions, [])
    return [d.post.id for d in decisions]


def event(kind="opened", minutes=10, **fields) -> IncidentEvent:
    status = "resolved" if kind == "resolved" else "open"
    return IncidentEvent(kind, incident(status=status, **fields), T0 + timedelta(minutes=minutes))


def apply(store, config: OutboundConfig, events: list, clock) -> int:
    """What the pipeline does after a flush: store the events, then the outbound listener."""
    write_events(store, events)
    return Drafter(AppStore(store), config)(events, clock())


@pytest.fixture
def clock():
    return SimClock(T0 + timedelta(minutes=15))


@pytest.fixture
def store(store_config):  # noqa: F811
    opened = open_store(store_config)
    opened._config = store_config
    yield opened
    opened.close()


@pytest.fixture
def channel_fakes(monkeypatch, tmp_path):
    fakes = {"x": FakeXWrite(), "mastodon": FakeMastodonWrite(), "bluesky": FakeBluesky()}
    for fake in fakes.values():
        fake.__enter__()
    tools = {"facebook": FakeGraph(), "engage": FakeEngage(), "status": FakeStatuspage()}
    servers = {name: Server(tool).__enter__() for name, tool in tools.items()}
    for name, value in {"X_CONSUMER_KEY": "ck", "X_CONSUMER_SECRET": "cs", "X_ACCESS_TOKEN": "at",
                        "X_ACCESS_TOKEN_SECRET": "ats", "MASTODON_REPLY_TOKEN": "mtok",
                        "BLUESKY_HANDLE": "lumen.bsky.social", "BLUESKY_APP_PASSWORD": "app-pw",
                        "FACEBOOK_PAGE_TOKEN": "page-token", "ENGAGE_TOKEN": "engage-token",
                        "WEBCARE_STATUSPAGE_SECRET": "status-secret"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("X_USER_ACCESS_TOKEN", raising=False)
    fakes.update({name: servers[name].tool for name in servers})
    fakes["urls"] = {**{n: f.url for n, f in fakes.items() if hasattr(f, "url")},
                     **{n: s.url for n, s in servers.items()}}
    yield fakes
    for name in ("x", "mastodon", "bluesky"):
        fakes[name].__exit__(None, None, None)
    for server in servers.values():
        server.__exit__(None, None, None)


def channels(urls: dict, *names: str, **common) -> list[dict]:
    every = {"x": {"type": "x", "api_base_url": urls["x"]},
             "mastodon": {"type": "mastodon", "api_base_url": urls["mastodon"]},
             "bluesky": {"type": "bluesky", "service": urls["bluesky"]},
             "facebook": {"type": "facebook_page", "page_id": "4242",
                          "api_base_url": urls["facebook"]},
             "engage": {"type": "engage_community", "group_id": 99,
                        "api_base_url": urls["engage"]},
             "status": {"type": "statuspage_webhook", "url": urls["status"] + "/hook"}}
    return [{**every[name], **common} for name in names or every]


def outbound(urls: dict, *names: str, common: dict | None = None, **keys) -> OutboundConfig:
    return OutboundConfig.model_validate({
        "channels": channels(urls, *names, **(common or {})),
        "status_link": "https://status.lumen.example/{{ key | urlencode }}", **keys})


def deliverer(config: OutboundConfig, clock):
    found = build_deliverer(config, clock)
    found.rng = random.Random(7)
    return found
