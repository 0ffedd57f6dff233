"""What only a shared database adds: parity between backends, concurrent writers, migrations,
PostgreSQL config (DSN from env, secret kept out of reprs)."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import psycopg
import pytest
from pydantic import SecretStr

from schemas import DeadLetter
from sinks.store import migrations
from sinks.store.config import PostgresStoreConfig, SqliteStoreConfig, StoreUnavailable
from sinks.store.postgres import PostgresStore
from sinks.store.sqlite import SqliteStore
from tests.conftest import make_classification, make_post
from tests.pg import drop_schema, pg_dsn, unique_schema
from tests.sinks.test_sqlite_store import ROUTER, decisions
from webcare.job.config import load_config


@pytest.fixture
def pg_config():
    dsn, schema = pg_dsn(), unique_schema()
    yield PostgresStoreConfig(dsn=SecretStr(dsn), schema_name=schema)
    drop_schema(dsn, schema)


def many(n: int, offset: int = 0):
    posts = [make_post(i) for i in range(offset, offset + n)]
    return [ROUTER(p, make_classification(p, priority=i % 100)) for i, p in enumerate(posts)]


def test_backends_give_identical_results(pg_config, tmp_path):
    sqlite, pg = SqliteStore(SqliteStoreConfig(path=str(tmp_path / "a.sqlite"))), None
    try:
        pg = PostgresStore(pg_config)
        for store in (sqlite, pg):
            store.write(decisions() + many(40), [])
            store.write(many(40, offset=20), [])
        assert pg.counts() == sqlite.counts()
        assert [i.post_id for i in pg.queue(500)] == [i.post_id for i in sqlite.queue(500)]
        assert pg.incidents() == sqlite.incidents()
        assert _trend_set(pg) == _trend_set(sqlite)
    finally:
        sqlite.close()
        if pg:
            pg.close()


def _trend_set(store):
    """Trend rows without their (unspecified) order within a bucket and topic."""
    return sorted((*[v for k, v in row.items() if k != "compound_sum"],
                   round(row["compound_sum"], 9)) for row in store.trends())


def test_concurrent_writers_store_each_post_once(pg_config):
    """Two sink workers with overlapping (redelivered) batches: no deadlock, no duplicate."""
    batches = [many(100, offset=start) for start in (0, 50, 25, 75)]
    errors = []

    def writer(own):
        store = PostgresStore(pg_config)
        try:
            for batch in own:
                store.write(batch, [])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            store.close()

    threads = [threading.Thread(target=writer, args=(batches[i::2],)) for i in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    store = PostgresStore(pg_config)
    assert store.counts()["posts"] == 175
    assert sum(row["posts"] for row in store.trends()) == 175
    store.close()


def test_nul_in_dead_letter_payload(pg_config):
    store = PostgresStore(pg_config)
    letter = DeadLetter(stage="parse", error_type="ValueError", reason="bad\x00 line",
                        payload='{"text": "a\x00b"}', source="kafka", line=3,
                        occurred_at=datetime.now(timezone.utc))
    store.write([], [letter, letter])
    assert store.counts()["dead_letters"] == 1
    assert store.dead_letters()[0].payload == letter.payload  # the JSON column is exact
    store.close()


def test_migrations_recorded_once(pg_config):
    PostgresStore(pg_config).close()
    store = PostgresStore(pg_config)
    rows = store.db.execute("SELECT version FROM schema_migrations").fetchall()
    assert sorted(r[0] for r in rows) == [v for v, _ in migrations.MIGRATIONS]
    store.close()


def test_config_reads_dsn_from_env_and_hides_it(tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    path.write_text("store: {type: postgres, dsn: 'postgresql://u:hunter2@h/db', "
                    "schema_name: wc}\n")
    config = load_config(path).store
    assert isinstance(config, PostgresStoreConfig) and "hunter2" not in repr(config)
    monkeypatch.setenv("WEBCARE_POSTGRES_DSN", "host=elsewhere")
    assert config.resolved_dsn() == "host=elsewhere"
    monkeypatch.delenv("WEBCARE_POSTGRES_DSN")
    with pytest.raises(StoreUnavailable, match="WEBCARE_POSTGRES_DSN"):
        PostgresStoreConfig().resolved_dsn()


def test_unreachable_database_is_a_clear_error():
    config = PostgresStoreConfig(dsn=SecretStr("host=127.0.0.1 port=1 dbname=x connect_timeout=1"))
    with pytest.raises(StoreUnavailable, match="cannot connect to PostgreSQL"):
        PostgresStore(config)
    assert issubclass(StoreUnavailable, RuntimeError) and psycopg
