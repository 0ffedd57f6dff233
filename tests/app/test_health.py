"""``GET /healthz``: what the Compose health check and the Kubernetes probes of the app call."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from sinks.postgres_store import PostgresStoreConfig
from webcare.app.web import create_app
from webcare.config import WebcareConfig


def test_healthz_is_ok_without_login_when_the_store_answers(client_for):
    response = client_for().get("/healthz", follow_redirects=False)
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "set-cookie" not in response.headers


def test_healthz_is_503_when_the_store_is_unreachable():
    nowhere = PostgresStoreConfig(dsn=SecretStr("host=127.0.0.1 port=9 connect_timeout=1"),
                                  dsn_env="WEBCARE_TEST_NO_SUCH_DSN")
    with TestClient(create_app(WebcareConfig(store=nowhere))) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "error": "StoreUnavailable"}
