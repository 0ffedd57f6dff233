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
    records INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL, heartbeat_at TEXT);
"""
STALE_AFTER_S = 3 * 10.0  # three missed heartbeats (ingest.health.HEARTBEAT_S)
LIVE_STATES = ("ok", "degraded", "rate_limited")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _staleness(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    beat = row["heartbeat_at"] or row["updated_at"]
    silent = (now - datetime.fromisoformat(beat)).total_seconds()
    if row["state"] in LIVE_STATES and silent > STALE_AFTER_S:
        row["detail"] = (f"no heartbeat for {silent:.0f} s (process gone?); last seen "
                         f"{row['state']}: {row['detail']}")
        row["state"] = "stale"
    return row


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
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(health)")}
        if "heartbeat_at" not in columns:  # a state file written before heartbeats
            self._db.execute("ALTER TABLE health ADD COLUMN heartbeat_at TEXT")

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
            now = _now()
            self._db.execute(
                "INSERT INTO health VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(source) DO UPDATE SET "
                "state = excluded.state, detail = excluded.detail, records = excluded.records, "
                "updated_at = excluded.updated_at, heartbeat_at = excluded.heartbeat_at",
                (source, state, detail, records, now, now))

    def beat(self, source: str) -> None:
        """The source's process is alive (called by its heartbeat thread)."""
        with self._lock:
            self._db.execute("UPDATE health SET heartbeat_at = ? WHERE source = ?",
                             (_now(), source))

    def health(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Every source's last health row joined with its checkpoint time. A source whose
        state says it runs but whose heartbeat is older than ``STALE_AFTER_S`` is reported
        ``stale``: its process is gone (killed, crashed) or hung."""
        with self._lock:
            rows = self._db.execute(
                "SELECT h.source, h.state, h.detail, h.records, h.updated_at, c.cursor, "
                "c.updated_at, h.heartbeat_at FROM health h LEFT JOIN checkpoints c "
                "ON c.source = h.source ORDER BY h.source").fetchall()
        keys = ("source", "state", "detail", "records", "updated_at", "cursor",
                "checkpointed_at", "heartbeat_at")
        return [_staleness(dict(zip(keys, row)), now or datetime.now(UTC)) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
