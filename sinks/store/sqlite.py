"""SQLite store: the embedded default for the queue, incidents, trends and dead letters.

Opened once by the runner or a CLI read command. ``write`` applies one batch in a single
transaction and is idempotent by post id: re-processing a post changes nothing (trend counts
included), so a replay after a crash before the source checkpoint is safe.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import orjson

from schemas import DeadLetter, Decision, Incident, QueueItem
from sinks.store import incident_rows, migrations, post_facts, records
from sinks.store.config import SqliteStoreConfig

SCHEMA_VERSION = 1
POSTS_PER_STATEMENT = 500  # 17 values a row: well under SQLite's 32,766 variables


class SqliteStore:
    def __init__(self, config: SqliteStoreConfig) -> None:
        if config.path != ":memory:":
            Path(config.path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(config.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        schema = resources.files("sinks.store").joinpath("schema.sql").read_text("utf-8")
        with self.db:
            self.db.executescript(schema)
            self.db.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?) "
                "ON CONFLICT (version) DO NOTHING", (SCHEMA_VERSION, records.iso(_now())))
        applied = {row[0] for row in self.db.execute("SELECT version FROM schema_migrations")}
        for version, sql in migrations.pending(applied):  # later versions (issue 6: the app)
            with self.db:
                self.db.executescript(sql)
                if version == post_facts.MIGRATION:
                    post_facts.backfill(self.db)
                self.db.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?) "
                    "ON CONFLICT (version) DO NOTHING", (version, records.iso(_now())))

    def write(self, decisions: Sequence[Decision], dead_letters: Sequence[DeadLetter]) -> None:
        """Store one batch atomically; raises (and stores nothing) on a database error."""
        now = _now()
        with self.db:
            new = self._insert_posts(records.first_per_post(decisions), now)
            self._apply_effects(new)
            post_facts.insert(self.db, new)  # engagement and threads (issue 8)
            incident_rows.attach_decisions(self.db, decisions)  # burst incidents (issue 5)
            for letter in dead_letters:
                self._insert_dead_letter(letter)

    def _insert_posts(self, decisions: list[Decision], now: datetime) -> list[Decision]:
        """Insert the posts not stored yet, many rows a statement; the decisions that were new
        (the others were stored by an earlier run: a replay changes nothing)."""
        new: set[str] = set()
        for start in range(0, len(decisions), POSTS_PER_STATEMENT):
            chunk = decisions[start:start + POSTS_PER_STATEMENT]
            rows = ",".join(["(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"] * len(chunk))
            cursor = self.db.execute(
                f"INSERT INTO posts VALUES {rows} ON CONFLICT (post_id) DO NOTHING "
                "RETURNING post_id", [v for d in chunk for v in records.post_row(d, now)])
            new.update(row[0] for row in cursor.fetchall())
        return [d for d in decisions if d.post.id in new]

    def _apply_effects(self, decisions: list[Decision]) -> None:
        """Trends (aggregated per key), single incidents and queue items of new posts."""
        self.db.executemany(
            "INSERT INTO trends VALUES (?,?,?,?,?,?,?) ON CONFLICT (bucket, topic, platform, "
            "lang, sentiment) DO UPDATE SET posts = trends.posts + excluded.posts, "
            "compound_sum = trends.compound_sum + excluded.compound_sum",
            records.trend_rows(decisions))
        for decision in decisions:
            if decision.action == "incident" and not incident_rows.is_burst(
                    decision.incident_key):
                self._open_single_incident(decision)
        items = [records.queue_item(d) for d in decisions
                 if d.action in records.QUEUED_ACTIONS]
        self.db.executemany(
            "INSERT INTO queue_items VALUES (?,?,?,?,?,?,?) ON CONFLICT (post_id) DO NOTHING",
            [(i.post_id, i.status, i.priority, i.urgency, records.iso(i.created_at),
              i.incident_key, i.model_dump_json()) for i in items])

    def _open_single_incident(self, decision: Decision) -> None:
        incident = records.single_incident(decision)
        self.db.execute(
            "INSERT INTO incidents VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (incident_key) DO NOTHING",
            (incident.key, incident.kind, incident.status, incident.urgency,
             records.iso(incident.first_seen), records.iso(incident.last_seen),
             incident.post_count, incident.model_dump_json()))
        self.db.execute("INSERT INTO incident_posts VALUES (?, ?) ON CONFLICT DO NOTHING",
                        (incident.key, decision.post.id))

    def _insert_dead_letter(self, letter: DeadLetter) -> None:
        self.db.execute(
            "INSERT INTO dead_letters VALUES (?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (fingerprint) DO NOTHING",
            (records.dead_letter_fingerprint(letter), letter.stage, letter.error_type,
             letter.reason, letter.payload, letter.source, letter.line, letter.post_id,
             records.iso(letter.occurred_at), letter.model_dump_json()))

    def queue(self, limit: int = 50, status: str = "open") -> list[QueueItem]:
        """Open items, highest priority first, then the longest waiting."""
        rows = self.db.execute(
            "SELECT item_json FROM queue_items WHERE status = ? "
            "ORDER BY priority DESC, created_at ASC LIMIT ?", (status, limit))
        return [QueueItem.model_validate_json(row[0]) for row in rows]

    def incidents(self, limit: int = 100) -> list[Incident]:
        rows = self.db.execute(
            "SELECT incident_json FROM incidents ORDER BY first_seen DESC LIMIT ?", (limit,))
        return [Incident.model_validate_json(row[0]) for row in rows]

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        rows = self.db.execute(
            "SELECT dead_letter_json FROM dead_letters ORDER BY occurred_at DESC LIMIT ?",
            (limit,))
        return [DeadLetter.model_validate_json(row[0]) for row in rows]

    def counts(self) -> dict[str, object]:
        """Totals for summaries: posts per action, noise per reason, incidents, dead letters."""
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "posts": one("SELECT COUNT(*) FROM posts"),
            "actions": dict(self.db.execute("SELECT action, COUNT(*) FROM posts GROUP BY action")),
            "noise": dict(self.db.execute(
                "SELECT noise_reason, COUNT(*) FROM posts WHERE noise = 1 GROUP BY noise_reason")),
            "queue_open": one("SELECT COUNT(*) FROM queue_items WHERE status = 'open'"),
            "incidents": one("SELECT COUNT(*) FROM incidents"),
            "dead_letters": one("SELECT COUNT(*) FROM dead_letters"),
        }

    def trends(self) -> list[dict[str, object]]:
        cursor = self.db.execute("SELECT * FROM trends ORDER BY bucket, topic")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def close(self) -> None:
        self.db.close()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def dumps(value: object) -> str:
    """JSON for CLI output of stored records."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
