"""The persisted outbox both delivery loops share: the SQL of one outbox table.

A :class:`PersistedOutbox` is a table of entries for delivery targets (ticket sinks, alerts)
with the columns ``state`` (pending, sent, dead, ...), ``attempts``, ``enqueued_ts``,
``next_ts``, ``last_error``, ``response_status`` and ``sent_ts``, one key column and one target
column, named by the subclass (:class:`sinks.store.ticket_outbox.Outbox`,
:class:`sinks.store.alert_outbox.AlertOutbox`), which adds its own enqueue and reports. Here:
the connection of its own (SQLite file or PostgreSQL schema, so the delivery thread never
shares the pipeline's), due entries claimed with a lease of ``CLAIM_S`` seconds in the same
transaction that selects them (of several workers on one store exactly one delivers each),
``mark_sent`` / ``mark_retry`` / ``mark_dead``, dead entries back to pending, counts per target.
Database errors propagate; nothing is marked sent unless the delivery succeeded.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

CLAIM_S = 60.0  # a claimed entry is due again after this long (longer than one delivery)


def connect(store_config) -> tuple[Any, bool]:
    """A connection of its own to the store of ``store_config``, and whether it is PostgreSQL."""
    if store_config.type == "postgres":
        import psycopg

        db = psycopg.connect(store_config.resolved_dsn(), autocommit=True,
                             connect_timeout=store_config.connect_timeout,
                             options=f"-c search_path={store_config.schema_name}")
        return db, True
    if store_config.path != ":memory:":
        Path(store_config.path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(store_config.path, check_same_thread=False, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    return db, False


class PersistedOutbox:
    """One outbox table; subclasses name it and its key and target columns."""

    table: ClassVar[str]
    key_column: ClassVar[str]  # the primary key (seq, entry_id)
    key_attr: ClassVar[str]  # the entry's attribute holding it
    target_column: ClassVar[str]  # who delivers an entry (sink, alert)
    body_column: ClassVar[bool] = False  # whether a dead entry keeps the response body
    requeue_resets_attempts: ClassVar[bool] = False

    def __init__(self, db, postgres: bool = False) -> None:
        self.db, self.postgres = db, postgres
        self._lock = threading.RLock()

    # -- plumbing --------------------------------------------------------------------------
    def _exec(self, sql: str, params: tuple = (), commit: bool = False):
        if self.postgres:
            sql = sql.replace("?", "%s")
        with self._lock:
            if self.postgres or not commit:
                return self.db.execute(sql, params)
            with self.db:
                return self.db.execute(sql, params)

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._exec(sql, params).fetchall()

    def _transaction(self):
        return self.db.transaction() if self.postgres else self.db

    def _key(self, entry) -> Any:
        return getattr(entry, self.key_attr)

    # -- delivery ----------------------------------------------------------------------------
    def _claim_due(self, select: str, head: str, order: str, now: datetime,
                   limit: int) -> list[tuple]:
        """The rows of ``select`` (whose first column is the key) of pending entries due at
        ``now`` that satisfy ``head`` (which entry of a group goes first), claimed for
        ``CLAIM_S`` seconds: the retry time moves on in the transaction that checks it."""
        ts = now.timestamp()
        with self._lock, self._transaction():
            rows = self._rows(f"{select} o WHERE state = 'pending' AND next_ts <= ? AND {head} "
                              f"ORDER BY {order} LIMIT ?", (ts, limit))
            return [row for row in rows if self._exec(
                f"UPDATE {self.table} SET next_ts = ? WHERE {self.key_column} = ? AND "
                "state = 'pending' AND next_ts <= ?", (ts + CLAIM_S, row[0], ts)).rowcount == 1]

    def _mark_sent(self, entry, now: datetime, note: str | None, commit: bool = True) -> None:
        self._exec(f"UPDATE {self.table} SET state = 'sent', attempts = attempts + 1, "
                   f"sent_ts = ?, last_error = ? WHERE {self.key_column} = ?",
                   (now.timestamp(), note, self._key(entry)), commit=commit)

    def mark_retry(self, entry, next_at: datetime, error: str, status: int | None) -> None:
        self._exec(f"UPDATE {self.table} SET attempts = attempts + 1, next_ts = ?, "
                   f"last_error = ?, response_status = ? WHERE {self.key_column} = ?",
                   (next_at.timestamp(), error[:1000], status, self._key(entry)), commit=True)

    def mark_dead(self, entry, error: str, status: int | None, body: str | None = None) -> None:
        body_set, body_param = (", response_body = ?", (body,)) if self.body_column else ("", ())
        self._exec(f"UPDATE {self.table} SET state = 'dead', attempts = attempts + 1, "
                   f"last_error = ?, response_status = ?{body_set} WHERE {self.key_column} = ?",
                   (error[:1000], status, *body_param, self._key(entry)), commit=True)

    def retry(self, now: datetime, target: str | None = None) -> int:
        """Dead entries (of one target, or all) back to pending, due now; returns how many."""
        where, params = (f"AND {self.target_column} = ?", (target,)) if target else ("", ())
        reset = ", attempts = 0" if self.requeue_resets_attempts else ""
        cur = self._exec(f"UPDATE {self.table} SET state = 'pending', next_ts = ?, "
                         f"enqueued_ts = ?{reset} WHERE state = 'dead' {where}",
                         (now.timestamp(), now.timestamp(), *params), commit=True)
        return cur.rowcount

    # -- reports -----------------------------------------------------------------------------
    def counts(self) -> dict[str, dict[str, int]]:
        """Entries per target and state."""
        result: dict[str, dict[str, int]] = {}
        target = self.target_column
        for name, state, n in self._rows(f"SELECT {target}, state, COUNT(*) FROM {self.table} "
                                         f"GROUP BY {target}, state ORDER BY {target}, state"):
            result.setdefault(name, {})[state] = n
        return result

    def close(self) -> None:
        with self._lock:
            self.db.close()
