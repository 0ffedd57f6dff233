"""App fixtures: a store (SQLite and PostgreSQL) with a few queue items and one user per role,
a FastAPI TestClient per session, and helpers to log in and read CSRF tokens."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from route.rules import RouteConfig, Router
from sinks.store.app_store import AppStore
from tests.conftest import make_classification, make_post
from tests.sinks.conftest import open_store, store_config  # noqa: F401 - both backends
from webcare.app.security import hash_password
from webcare.job.config import WebcareConfig

PASSWORD = "correct horse battery"
ROLES = {"alice": "agent", "bob": "agent", "lena": "lead", "carl": "comms", "ada": "admin"}
XSS = ('<script>alert(1)</script><img src=x onerror=alert(2)> "\'><svg onload=alert(3)> '
       '[click](javascript:alert(4)) \u202egnp.exe\u202c ' + "A" * 400)
ROUTER = Router(RouteConfig.model_validate({"rules": [
    {"name": "sec", "when": {"topic": ["security"]}, "action": "incident"},
    {"name": "attention", "when": {"actionable": True}, "action": "webcare"},
]}))


def seed_decisions():
    posts = [make_post(1), make_post(2, text=XSS, url="javascript:alert(5)"),
             make_post(3, text="@LumenCare billing is wrong", conversation_id="t-1",
                       reply_to_id="t-1"),
             make_post(4, text="phishing sms pretending to be Lumen", platform="reddit")]
    return [ROUTER(posts[0], make_classification(posts[0], priority=60)),
            ROUTER(posts[1], make_classification(posts[1], priority=90)),
            ROUTER(posts[2], make_classification(posts[2], topic="billing", priority=30,
                                                 urgency="medium")),
            ROUTER(posts[3], make_classification(posts[3], topic="security", lang="nl",
                                                 urgency="critical", priority=95))]


@pytest.fixture
def config(store_config):  # noqa: F811
    store = open_store(store_config)
    store.write(seed_decisions(), [])
    app = AppStore(store)
    hashed = hash_password(PASSWORD)
    for name, role in ROLES.items():
        app.add_user(name, role, hashed)
    store.close()
    return WebcareConfig(store=store_config, app={"clock": "latest_post"})


@pytest.fixture
def app_store(config):
    store = open_store(config.store)
    yield AppStore(store)
    store.close()


@pytest.fixture
def web(config):
    from webcare.app.web import create_app

    return create_app(config)


@pytest.fixture
def client_for(web):
    clients = []

    def make(name: str | None = None) -> TestClient:
        client = TestClient(web)
        clients.append(client)
        if name:
            login(client, name)
        return client

    yield make
    for client in clients:
        client.close()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client: TestClient, name: str, password: str = PASSWORD):
    form = client.get("/login")
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf": csrf_of(form.text)}, follow_redirects=False)


def post_action(client: TestClient, action: str, post_id: str, **fields):
    csrf = csrf_of(client.get("/").text)
    return client.post(f"/item/{action}", data={"id": post_id, "csrf": csrf, **fields},
                       follow_redirects=False)


def api_token(app_store: AppStore, name: str) -> dict[str, str]:
    from datetime import timedelta

    from sinks.store.app_db import now
    from webcare.app.security import new_token, token_hash

    token = new_token("wct_")
    app_store.add_session(token_hash(token), name, "api", new_token(),
                          now() + timedelta(days=1), "test")
    return {"Authorization": f"Bearer {token}"}
