"""``GET /healthz``: what the Compose health check and the Kubernetes probes of the app call."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from sinks.store.config import PostgresStoreConfig
from webcare.app.web import create_app
from webcare.job.config import WebcareConfig


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


def test_the_app_reconnects_after_postgresql_dropped_its_connection():
    """A PostgreSQL restart or failover drops the app's connections: the request that finds
    its connection broken fails, the next one of that thread gets a new connection."""
    import time

    import psycopg

    from tests.pg import drop_schema, pg_dsn, unique_schema
    from webcare.app.deps import State

    dsn, schema = pg_dsn(), unique_schema()
    config = WebcareConfig(store=PostgresStoreConfig(dsn=SecretStr(dsn), schema_name=schema))
    state = State(config)
    try:
        first = state.store()
        pid = first.store.db.info.backend_pid
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            for _ in range(100):  # until the server has really let it go
                if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                                     (pid,)).fetchone():
                    break
                time.sleep(0.02)
        try:
            first.db.one("SELECT 1 AS ok")
        except psycopg.OperationalError:
            pass  # the request that meets the dropped connection fails
        second = state.store()
        assert second is not first and second.db.one("SELECT 1 AS ok") == {"ok": 1}
    finally:
        state.close()
        drop_schema(dsn, schema)
