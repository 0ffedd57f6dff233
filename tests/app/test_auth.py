"""Login, sessions, CSRF, rate limiting and roles on every page and API endpoint."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.app.conftest import PASSWORD, api_token, csrf_of, login, post_action


@pytest.mark.slow
def test_login_sets_a_strict_httponly_cookie_and_stores_only_hashes(client_for, app_store):
    client = client_for()
    response = login(client, "alice")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "wc_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain http in the test client
    token = client.cookies["wc_session"]
    rows = app_store.db.rows("SELECT token_hash FROM sessions")
    assert rows and all(token not in r["token_hash"] for r in rows)
    user = app_store.user("alice")
    assert user["password_hash"].startswith("$argon2id$") and PASSWORD not in user["password_hash"]
    assert client.get("/").status_code == 200


@pytest.mark.slow
def test_cookie_is_secure_over_https(web):
    with TestClient(web, base_url="https://testserver") as client:
        response = login(client, "alice")
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.slow
def test_wrong_password_unknown_user_and_missing_login_csrf(client_for):
    client = client_for()
    assert login(client, "alice", "wrong password!").status_code == 401
    assert login(client, "nobody").status_code == 401
    client.get("/login")
    response = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf": "x"})
    assert response.status_code == 403
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


@pytest.mark.slow
def test_login_rate_limit_blocks_even_the_right_password(client_for):
    client = client_for()
    for _ in range(5):
        assert login(client, "bob", "not the password").status_code == 401
    response = login(client, "bob")
    assert response.status_code == 429 and "Too many failed logins" in response.text
    assert login(client, "alice").status_code == 303  # other users of the address still can
    for n in range(15):  # but 4 x max_failures from one address blocks it for everyone
        login(client, f"guess{n}", "not the password")
    assert login(client_for(), "lena").status_code == 429


@pytest.mark.slow
def test_logout_ends_the_session(client_for, app_store):
    client = client_for("alice")
    csrf = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert app_store.db.rows("SELECT * FROM sessions WHERE kind = 'session'") == []
    assert client.get("/", follow_redirects=False).status_code == 303


@pytest.mark.slow
def test_state_changes_need_the_session_csrf_token(client_for, app_store):
    client = client_for("alice")
    bad = client.post("/item/claim", data={"id": "t-1", "csrf": "forged"})
    assert bad.status_code == 403 and "CSRF" in bad.text
    missing = client.post("/item/claim", data={"id": "t-1"})
    assert missing.status_code == 403
    csrf = csrf_of(client.get("/").text)
    foreign = client.post("/item/claim", data={"id": "t-1", "csrf": csrf},
                          headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert app_store.owner("t-1") is None
    assert post_action(client, "claim", "t-1").status_code == 303
    assert app_store.owner("t-1") == "alice"


@pytest.mark.slow
@pytest.mark.parametrize("name, path, status", [
    ("carl", "/", 200), ("carl", "/dashboard", 200), ("carl", "/audit", 403),
    ("alice", "/dashboard", 403), ("alice", "/audit", 403), ("lena", "/audit", 200),
    ("ada", "/audit", 200), ("ada", "/dashboard", 200), ("lena", "/item?id=t-1", 200)])
def test_pages_enforce_roles(client_for, name, path, status):
    assert client_for(name).get(path).status_code == status


@pytest.mark.slow
@pytest.mark.parametrize("action", ["claim", "reply", "escalate", "dismiss", "relabel", "note"])
def test_comms_cannot_act_on_items(client_for, app_store, action):
    client = client_for("carl")
    response = post_action(client, action, "t-1", body="hello", topic="billing",
                           sentiment="neutral", urgency="low")
    assert response.status_code == 403
    assert app_store.audit_entries("t-1") == []


@pytest.mark.slow
def test_api_needs_a_bearer_token_and_ignores_cookies(client_for, app_store):
    client = client_for("alice")  # logged-in cookie, but no token
    assert client.get("/api/v1/queue").status_code == 401
    assert client.get("/api/v1/queue", headers={"Authorization": "Bearer nope"}).status_code == 401
    headers = api_token(app_store, "alice")
    assert client.get("/api/v1/me", headers=headers).json() == {"name": "alice", "role": "agent"}
    assert client.get("/api/openapi.json").json()["info"]["title"] == "webcare"


@pytest.mark.parametrize("name, method, path, body, status", [
    ("carl", "get", "/api/v1/queue", None, 200),
    ("carl", "post", "/api/v1/claim", {"post_id": "t-1"}, 403),
    ("carl", "post", "/api/v1/notes", {"post_id": "t-1", "body": "x"}, 403),
    ("alice", "get", "/api/v1/audit", None, 403),
    ("lena", "get", "/api/v1/audit", None, 200),
    ("alice", "post", "/api/v1/claim", {"post_id": "t-1"}, 200),
    ("alice", "post", "/api/v1/claim", {"post_id": "missing"}, 404),
    ("alice", "post", "/api/v1/relabel", {"post_id": "t-1", "topic": "nonsense",
                                          "sentiment": "neutral", "urgency": "low"}, 422),
])
def test_api_enforces_roles(client_for, app_store, name, method, path, body, status):
    client = client_for()
    headers = api_token(app_store, name)
    response = getattr(client, method)(path, headers=headers, **({"json": body} if body else {}))
    assert response.status_code == status, response.text


@pytest.mark.slow
@pytest.mark.parametrize("trusted, status", [([], 403), (["*"], 303)])
def test_behind_a_tls_proxy_only_a_trusted_one_makes_https_forms_work(config, app_store,
                                                                     trusted, status):
    """A reverse proxy terminates TLS and forwards plain http with X-Forwarded-Proto: the
    browser's https Origin is this site only when the app trusts that proxy
    (``app.forwarded_allow_ips``); otherwise every form post is refused as foreign."""
    from webcare.app.web import create_app

    app_config = config.app.model_copy(update={"forwarded_allow_ips": trusted})
    with TestClient(create_app(config.model_copy(update={"app": app_config}))) as client:
        login(client, "alice")
        csrf = csrf_of(client.get("/").text)
        response = client.post("/item/claim", data={"id": "t-1", "csrf": csrf},
                               headers={"Origin": "https://testserver",
                                        "X-Forwarded-Proto": "https"}, follow_redirects=False)
    assert response.status_code == status
    assert app_store.owner("t-1") == ("alice" if status == 303 else None)
