"""PostgreSQL for tests: the machine's server at 127.0.0.1:5432 (trust auth, database ``test``).

Each test gets its own schema (``wc_<pid>_<random>``), dropped afterwards, so parallel pytest
workers never see each other's rows. When no server answers, :func:`pg_dsn` skips the test
with the reason (it is never silently treated as a pass).
"""

from __future__ import annotations

import os
import uuid
from functools import cache

import pytest

CANDIDATE_DSNS = [
    os.environ.get("WEBCARE_TEST_POSTGRES_DSN", ""),
    "host=127.0.0.1 port=5432 dbname=test user=postgres connect_timeout=3",
    "host=127.0.0.1 port=5432 dbname=test user=root connect_timeout=3",
]


@cache
def _reachable() -> tuple[str | None, str]:
    import psycopg

    errors = []
    for dsn in filter(None, CANDIDATE_DSNS):
        try:
            psycopg.connect(dsn).close()
            return dsn, ""
        except psycopg.Error as error:
            errors.append(f"{dsn}: {str(error).strip().splitlines()[0]}")
    return None, "; ".join(errors)


def pg_dsn() -> str:
    """A DSN that connects, or skip the calling test naming why."""
    dsn, why = _reachable()
    if dsn is None:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 (database test) is unreachable: {why}")
    return dsn


def unique_schema() -> str:
    return f"wc_{os.getpid()}_{uuid.uuid4().hex[:10]}"


def drop_schema(dsn: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
