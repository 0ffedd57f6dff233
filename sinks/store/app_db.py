"""One small adapter so the app's SQL runs unchanged on both store backends.

The app (issue 6) works on the connection an opened store already holds (``store.db``): a
``sqlite3`` connection or a ``psycopg`` one in autocommit mode. SQL is written once with ``?``
placeholders and every value is a bound parameter; the only rewriting is the fixed ``?`` →
``%s`` placeholder swap for psycopg (no value ever becomes part of the SQL text).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """Same text form as :func:`sinks.store.records.iso` (sortable on both engines)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def new_id() -> str:
    return uuid.uuid4().hex


def pg_text(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL or lone surrogates (the JSON columns keep originals)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
    return value


class AppDb:
    """``rows`` / ``one`` / ``run`` over the store's connection; ``tx`` for atomic writes."""

    def __init__(self, connection: Any) -> None:
        self.conn = connection
        self.is_sqlite = isinstance(connection, sqlite3.Connection)
        self._depth = 0

    def _sql(self, sql: str) -> str:
        return sql if self.is_sqlite else sql.replace("?", "%s")

    def _params(self, params: Sequence[Any]) -> tuple:
        return tuple(params) if self.is_sqlite else tuple(pg_text(v) for v in params)

    @contextmanager
    def tx(self) -> Iterator[None]:
        """One transaction (nested calls join the outer one)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            if self.is_sqlite:
                with self.conn:
                    self.conn.execute("BEGIN IMMEDIATE")
                    yield
            else:
                with self.conn.transaction():
                    yield
        finally:
            self._depth = 0

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one statement; returns the number of rows it changed."""
        cursor = self.conn.execute(self._sql(sql), self._params(params))
        return cursor.rowcount

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(self._sql(sql), self._params(params))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None


def like_escape(value: str) -> str:
    """A LIKE pattern matching ``value`` literally (used with ``ESCAPE '!'``)."""
    return value.replace("!", "!!").replace("%", "!%").replace("_", "!_")
