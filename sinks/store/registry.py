"""The store backends by ``store.type``, and the one way to open the configured store.

Called by everything that reads or writes the store (the pipeline's sink, the web app, the
CLI's read commands, outbound delivery); a backend that cannot connect raises its own error
(a missing SQLite file is created, an unreachable PostgreSQL fails at start). A backend's
module is imported when a store of its type is opened (psycopg only for PostgreSQL); the
config types are in :mod:`sinks.store.config`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sinks.store.postgres import PostgresStore
    from sinks.store.sqlite import SqliteStore

# store.type -> "module:class" of its backend
STORE_TYPES = {"sqlite": "sinks.store.sqlite:SqliteStore",
               "postgres": "sinks.store.postgres:PostgresStore"}


def store_class(store_type: str) -> type[SqliteStore | PostgresStore]:
    """The backend class of ``store.type`` (its module imported now)."""
    module, name = STORE_TYPES[store_type].split(":")
    return getattr(import_module(module), name)


def open_store(store_config: Any) -> SqliteStore | PostgresStore:
    """A connection to the store ``store_config`` (the ``store:`` section) names."""
    return store_class(store_config.type)(store_config)
