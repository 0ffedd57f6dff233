"""Ingestor state in one small SQLite file: checkpoints, recently seen ids and health.

Live sources commit their platform cursor (``since_id``, ``time_us``, ...) and the ids they
handed on here, but only from ``Source.checkpoint`` — which the runner calls after the sink
flushed — so a crash replays at most the unflushed batch and never skips one. The file lives
next to the pipeline store by default (``var/ingest-state.sqlite``); ``webcare sources
status`` reads the health rows from it. A failure here (disk full, locked file) raises out of
``checkpoint``, which stops the run rather than losing the position silently.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_STATE_PATH = "var/ingest-state.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    source TEXT PRIMARY KEY, cursor TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen (
    source TEXT NOT NULL, post_id TEXT NOT NULL, seq INTEGER NOT NULL,
    PRIMARY KEY (source, post_id));
CREATE INDEX IF NOT EXISTS seen_by_seq ON seen (source, seq);
CREATE TABLE IF NOT EXISTS health (
    source TEXT PRIMARY KEY, state TEXT NOT NULL, detail TEXT NOT NULL,
    records INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StateStore:
    """Thread-safe access to the state file (sources may run in their own threads)."""

    def __init__(self, path: str | Path = DEFAULT_STATE_PATH) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 5000")
        self._db.executescript(_SCHEMA)

    def load_cursor(self, source: str) -> dict[str, Any]:
        """The last committed cursor of a source ({} when it never checkpointed)."""
        with self._lock:
            row = self._db.execute(
                "SELECT cursor FROM checkpoints WHERE source = ?", (source,)).fetchone()
        return json.loads(row[0]) if row else {}

    def recent_ids(self, source: str, limit: int) -> list[str]:
        """Ids handed on most recently, oldest first (seeds the dedup window at start)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT post_id FROM seen WHERE source = ? ORDER BY seq DESC LIMIT ?",
                (source, limit)).fetchall()
        return [row[0] for row in reversed(rows)]

    def commit(self, source: str, cursor: dict[str, Any], ids: Iterable[str],
               keep: int) -> None:
        """Atomically store the cursor and the new ids; keep only the newest ``keep`` ids."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("INSERT INTO checkpoints VALUES (?, ?, ?) ON CONFLICT(source) DO "
                           "UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
                           (source, json.dumps(cursor, sort_keys=True), _now()))
                top = db.execute("SELECT COALESCE(MAX(seq), 0) FROM seen WHERE source = ?",
                                 (source,)).fetchone()[0]
                db.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?, ?)",
                               [(source, pid, top + n) for n, pid in enumerate(ids, 1)])
                db.execute("DELETE FROM seen WHERE source = ? AND seq <= "
                           "(SELECT MAX(seq) FROM seen WHERE source = ?) - ?",
                           (source, source, keep))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def set_health(self, source: str, state: str, detail: str, records: int) -> None:
        """Record the current health of a source (read by ``webcare sources status``)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO health VALUES (?, ?, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET "
                "state = excluded.state, detail = excluded.detail, records = excluded.records, "
                "updated_at = excluded.updated_at", (source, state, detail, records, _now()))

    def health(self) -> list[dict[str, Any]]:
        """Every source's last health row joined with its checkpoint time."""
        with self._lock:
            rows = self._db.execute(
                "SELECT h.source, h.state, h.detail, h.records, h.updated_at, c.cursor, "
                "c.updated_at FROM health h LEFT JOIN checkpoints c ON c.source = h.source "
                "ORDER BY h.source").fetchall()
        keys = ("source", "state", "detail", "records", "updated_at", "cursor", "checkpointed_at")
        return [dict(zip(keys, row)) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
