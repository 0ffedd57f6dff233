"""The store backends by ``store.type``, and the one way to open the configured store.

Called by everything that reads or writes the store (the pipeline's sink, the web app, the
CLI's read commands, outbound delivery); a backend that cannot connect raises its own error
(a missing SQLite file is created, an unreachable PostgreSQL fails at start).
"""

from __future__ import annotations

from typing import Any

from sinks.store.postgres import PostgresStore
from sinks.store.sqlite import SqliteStore

STORE_TYPES = {"sqlite": SqliteStore, "postgres": PostgresStore}


def open_store(store_config: Any) -> SqliteStore | PostgresStore:
    """A connection to the store ``store_config`` (the ``store:`` section) names."""
    return STORE_TYPES[store_config.type](store_config)
