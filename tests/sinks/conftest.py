"""Store fixtures: every store test runs against SQLite and PostgreSQL (same behaviour)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from sinks.store import registry
from sinks.store.config import PostgresStoreConfig, SqliteStoreConfig
from tests.pg import drop_schema, pg_dsn, unique_schema


@pytest.fixture(params=["sqlite", "postgres"])
def store_config(request, tmp_path):
    """A fresh, empty store config for each backend (PostgreSQL: a schema of its own)."""
    if request.param == "sqlite":
        yield SqliteStoreConfig(path=str(tmp_path / "db" / "w.sqlite"))
        return
    dsn, schema = pg_dsn(), unique_schema()
    yield PostgresStoreConfig(dsn=SecretStr(dsn), schema_name=schema)
    drop_schema(dsn, schema)


def open_store(config):
    """Open a store the way the CLI and the workers do: through the config registry."""
    return registry.open_store(config)


@pytest.fixture
def store(store_config):
    store = open_store(store_config)
    yield store
    store.close()
