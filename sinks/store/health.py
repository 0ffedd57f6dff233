"""The store's liveness probe for ``GET /healthz`` of ``webcare serve``."""

from __future__ import annotations

from sinks.store.app_db import AppDb


def ping(db: AppDb) -> None:
    """Run ``SELECT 1`` on the connection. Called on every health check; any exception means
    the store is unreachable (or its connection lost) and the app answers 503."""
    db.one("SELECT 1 AS ok")
