"""PostgreSQL store: the queue, incidents, trends and dead letters for multi-machine runs.

Same interface and behaviour as :class:`sinks.store.sqlite.SqliteStore` (``store: {type:
postgres}``). Opened once by a sink worker, the runner or a CLI read command; the schema comes
from the shared migrations (:mod:`sinks.store.migrations`). ``write`` applies one batch in a single
transaction and is idempotent by post id, so a redelivered Kafka batch changes nothing; several
sink workers may write at once (rows are taken in a fixed order to avoid deadlocks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import psycopg

from schemas import DeadLetter, Decision, Incident, QueueItem
from sinks.store import incident_rows, migrations, post_facts, records
from sinks.store.config import PostgresStoreConfig, StoreUnavailable


def _text(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL or lone surrogates; the JSON columns keep the original."""
    if value is None:
        return None
    return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


class PostgresStore:
    def __init__(self, config: PostgresStoreConfig) -> None:
        try:
            self.db = psycopg.connect(
                config.resolved_dsn(), autocommit=True, connect_timeout=config.connect_timeout,
                options=f"-c search_path={config.schema_name}")
        except psycopg.OperationalError as error:
            raise StoreUnavailable(f"cannot connect to PostgreSQL: {error}".strip()) from error
        self.schema_name = config.schema_name
        self._migrate()

    def _migrate(self) -> None:
        """Create the schema and apply pending migrations under an advisory lock."""
        with self.db.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.schema_name,))
            self.db.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema_name}"')
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            applied = {row[0] for row in self.db.execute("SELECT version FROM schema_migrations")}
            for version, sql in migrations.pending(applied, "postgres"):
                self.db.execute(sql)
                if version == post_facts.MIGRATION:
                    with self.db.cursor() as cursor:
                        post_facts.backfill(cursor)
                self.db.execute("INSERT INTO schema_migrations VALUES (%s, %s) ON CONFLICT "
                                "DO NOTHING", (version, records.iso(_now())))

    def write(self, decisions: Sequence[Decision], dead_letters: Sequence[DeadLetter]) -> None:
        """Store one batch atomically; raises (and stores nothing) on a database error."""
        ordered = sorted(records.first_per_post(decisions), key=lambda d: d.post.id)
        with self.db.transaction(), self.db.cursor() as cursor:
            new = self._insert_posts(cursor, ordered, _now())
            self._apply_effects(cursor, [d for d in ordered if d.post.id in new])
            post_facts.insert(cursor, [d for d in ordered if d.post.id in new])  # issue 8
            incident_rows.attach_decisions(cursor, ordered)  # burst incidents (issue 5)
            self._insert_dead_letters(cursor, dead_letters)

    def _insert_posts(self, cursor, decisions: list[Decision], now: datetime) -> set[str]:
        if not decisions:
            return set()
        rows = [tuple(_text(v) if isinstance(v, str) else v for v in records.post_row(d, now))
                for d in decisions]
        cursor.executemany(
            "INSERT INTO posts VALUES (" + ",".join(["%s"] * 17) + ") "
            "ON CONFLICT (post_id) DO NOTHING RETURNING post_id", rows, returning=True)
        new: set[str] = set()
        while True:
            new.update(row[0] for row in cursor.fetchall())
            if not cursor.nextset():
                return new

    def _apply_effects(self, cursor, decisions: list[Decision]) -> None:
        """Trends (aggregated per key, in key order), single incidents and queue items."""
        cursor.executemany(
            "INSERT INTO trends VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (bucket, topic, "
            "platform, lang, sentiment) DO UPDATE SET posts = trends.posts + excluded.posts, "
            "compound_sum = trends.compound_sum + excluded.compound_sum",
            records.trend_rows(decisions))
        incidents = [records.single_incident(d) for d in decisions if d.action == "incident"
                     and not incident_rows.is_burst(d.incident_key)]
        cursor.executemany(
            "INSERT INTO incidents VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (incident_key) "
            "DO NOTHING", [(i.key, i.kind, i.status, i.urgency, records.iso(i.first_seen),
                            records.iso(i.last_seen), i.post_count, i.model_dump_json())
                           for i in sorted(incidents, key=lambda i: i.key)])
        cursor.executemany(
            "INSERT INTO incident_posts VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [(i.key, i.sample_post_ids[0]) for i in incidents])
        items = [records.queue_item(d) for d in decisions if d.action in records.QUEUED_ACTIONS]
        cursor.executemany(
            "INSERT INTO queue_items VALUES (%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (post_id) "
            "DO NOTHING", [(i.post_id, i.status, i.priority, i.urgency, records.iso(i.created_at),
                            _text(i.incident_key), i.model_dump_json()) for i in items])

    def _insert_dead_letters(self, cursor, letters: Sequence[DeadLetter]) -> None:
        rows = {records.dead_letter_fingerprint(x): (
            x.stage, x.error_type, _text(x.reason), _text(x.payload), _text(x.source), x.line,
            _text(x.post_id), records.iso(x.occurred_at), x.model_dump_json()) for x in letters}
        cursor.executemany(
            "INSERT INTO dead_letters VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) "
            "ON CONFLICT (fingerprint) DO NOTHING",
            [(key, *rows[key]) for key in sorted(rows)])

    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.db.transaction():
            return self.db.execute(sql, params).fetchall()

    def queue(self, limit: int = 50, status: str = "open") -> list[QueueItem]:
        """Open items, highest priority first, then the longest waiting."""
        rows = self._rows("SELECT item_json FROM queue_items WHERE status = %s "
                          "ORDER BY priority DESC, created_at ASC LIMIT %s", (status, limit))
        return [QueueItem.model_validate_json(row[0]) for row in rows]

    def incidents(self, limit: int = 100) -> list[Incident]:
        rows = self._rows("SELECT incident_json FROM incidents ORDER BY first_seen DESC "
                          "LIMIT %s", (limit,))
        return [Incident.model_validate_json(row[0]) for row in rows]

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        rows = self._rows("SELECT dead_letter_json FROM dead_letters ORDER BY occurred_at DESC "
                          "LIMIT %s", (limit,))
        return [DeadLetter.model_validate_json(row[0]) for row in rows]

    def counts(self) -> dict[str, object]:
        """Totals for summaries: posts per action, noise per reason, incidents, dead letters."""
        one = lambda sql: self._rows(sql)[0][0]  # noqa: E731
        return {
            "posts": one("SELECT COUNT(*) FROM posts"),
            "actions": dict(self._rows("SELECT action, COUNT(*) FROM posts GROUP BY action")),
            "noise": dict(self._rows("SELECT noise_reason, COUNT(*) FROM posts WHERE noise = 1 "
                                     "GROUP BY noise_reason")),
            "queue_open": one("SELECT COUNT(*) FROM queue_items WHERE status = 'open'"),
            "incidents": one("SELECT COUNT(*) FROM incidents"),
            "dead_letters": one("SELECT COUNT(*) FROM dead_letters"),
        }

    def trends(self) -> list[dict[str, object]]:
        with self.db.transaction(), self.db.cursor() as cursor:
            cursor.execute("SELECT * FROM trends ORDER BY bucket, topic COLLATE \"C\"")
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def close(self) -> None:
        self.db.close()


def _now() -> datetime:
    return datetime.now(timezone.utc)
