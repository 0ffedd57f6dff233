"""The ``store:`` section of the config: which backend holds the data, and where.

Light on purpose (pydantic and the standard library only): ``webcare.job.config`` validates
these at every config load, before any backend is opened. The backends themselves
(:mod:`sinks.store.sqlite`, :mod:`sinks.store.postgres`, with psycopg) are imported only when
:func:`sinks.store.registry.open_store` opens one.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from schemas.errors import WebcareError


class StoreUnavailable(WebcareError, RuntimeError):
    """The database cannot be reached or has no DSN configured (message says which)."""


class SqliteStoreConfig(BaseModel):
    """``store: {type: sqlite, path: FILE}``; ``:memory:`` for tests."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["sqlite"] = "sqlite"
    path: str = "var/webcare.sqlite"


class PostgresStoreConfig(BaseModel):
    """``store: {type: postgres, dsn: ..., schema_name: webcare}``; the env var wins over dsn."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["postgres"] = "postgres"
    dsn: SecretStr | None = Field(default=None, description="libpq DSN or URL (a secret)")
    dsn_env: str = Field(default="WEBCARE_POSTGRES_DSN", description="env var overriding dsn")
    schema_name: str = Field(default="public", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    connect_timeout: int = Field(default=10, ge=1, le=600)

    def resolved_dsn(self) -> str:
        """The DSN to use: ``$dsn_env`` if set, else ``dsn``; raises when neither is given."""
        value = os.environ.get(self.dsn_env) or (self.dsn.get_secret_value() if self.dsn else "")
        if not value:
            raise StoreUnavailable(f"store.dsn is not set and ${self.dsn_env} is empty")
        return value
