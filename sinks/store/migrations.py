"""Schema migrations shared by the store backends.

Each migration is a portable SQL file in ``sinks/`` (version 1 is ``schema.sql``). A backend
calls :func:`pending` when it opens a database and applies, in order, the files whose version
is not yet in ``schema_migrations``. Every file must stay portable (SQLite and PostgreSQL) and
idempotent (``IF NOT EXISTS``), so two workers opening the same database at once are safe.
The one exception is a file named with ``{dialect}``: it has one variant per backend
(``search_schema.sqlite.sql`` / ``search_schema.postgres.sql``: FTS5 there, tsvector here).
A failure here means the database is unreachable, read-only, or a file is not valid SQL.
"""

from __future__ import annotations

from importlib import resources

# (version, file in the sinks package); append new versions, never edit applied ones.
MIGRATIONS: tuple[tuple[int, str], ...] = ((1, "schema.sql"), (2, "app_schema.sql"),
                                           (3, "outbound_schema.sql"),
                                           (4, "knowledge_schema.sql"),  # engagement, threads
                                           (5, "incident_state_schema.sql"),  # issue 18
                                           (6, "alert_outbox_schema.sql"),  # alerts, issue 21
                                           (7, "search_schema.{dialect}.sql"),  # search, i. 21
                                           (8, "dead_letter_schema.sql"),  # dead letters, i. 21
                                           (9, "desk_schema.sql"),  # teams, assignment, i. 21
                                           (10, "thread_index_schema.sql"))  # threads, i. 18


def latest_version() -> int:
    """The schema version this release writes."""
    return MIGRATIONS[-1][0]


def read(name: str, dialect: str = "sqlite") -> str:
    """The SQL text of one migration file shipped in the ``sinks`` package (``{dialect}`` in
    the name: the backend's variant, ``sqlite`` or ``postgres``)."""
    path = resources.files("sinks.store").joinpath(name.format(dialect=dialect))
    return path.read_text("utf-8")


def pending(applied: set[int], dialect: str = "sqlite") -> list[tuple[int, str]]:
    """Migrations not yet applied, oldest first, as ``(version, sql)`` for ``dialect``."""
    return [(version, read(name, dialect)) for version, name in MIGRATIONS
            if version not in applied]
