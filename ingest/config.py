"""The config models every source shares: the keys of every live source, the push receivers'
listening keys, the generic webhook and the replay file (entries of the ``sources:`` list).

Light on purpose (pydantic and the standard library only): ``webcare.job.config`` validates
the ``sources:`` list at every config load, before (and without) importing a platform's client
library. Each platform's own model is in its folder (``ingest/x/config.py``, ...); the sources
are built from these by :func:`ingest.manage.build_sources` through :mod:`ingest.registry`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sinks.store.source_state import DEFAULT_STATE_PATH

MAX_BODY = 5 * 2**20  # bytes a push request body may have, at most


class LiveConfig(BaseModel):
    """Keys every live source accepts (besides its ``type`` and platform keys)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, description="source name (default: type:target)")
    keywords: list[str] = Field(default_factory=list, description="any-of, whole words; [] = all")
    state_path: str = Field(default=DEFAULT_STATE_PATH, description="checkpoint/health file")
    dedup_window: int = Field(default=10_000, ge=1, description="recent ids remembered")
    backoff_initial: float = Field(default=1.0, ge=0)
    backoff_max: float = Field(default=300.0, ge=0)
    poll_interval: float = Field(default=60.0, ge=0, description="seconds between polls")
    max_cycles: int | None = Field(default=None, ge=1,
                                   description="stop after N connections/polls (None: never)")
    max_records: int | None = Field(default=None, ge=1, description="stop after N records")


class ReceiverConfig(LiveConfig):
    """Listening address and limits shared by push sources."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535, description="0 = any free port")
    path: str = "/webhook"
    idle_timeout: float | None = Field(default=None, gt=0)
    poll_interval: float = 0.0
    read_timeout: float = Field(default=10.0, gt=0, le=300,
                                description="seconds for a request head or body to arrive")
    max_connections: int = Field(default=200, ge=1, le=100_000,
                                 description="served at once; beyond: 503")
    intake_capacity: int = Field(default=100_000, ge=1,
                                 description="accepted, unprocessed entries; beyond: 503")


class WebhookConfig(ReceiverConfig):
    """``{type: webhook, port: 8080, path: /webhook, token_env: WEBCARE_WEBHOOK_TOKEN}``."""

    type: Literal["webhook"] = "webhook"
    token_env: str = "WEBCARE_WEBHOOK_TOKEN"
    token_file: str | None = None


class ReplayConfig(BaseModel):
    """``{type: replay, path: FILE|-, speed: 0}`` in the ``sources`` list."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["replay"] = "replay"
    path: str = Field(description="JSONL file, or '-' for standard input")
    speed: float = Field(default=0.0, ge=0.0, description="0 = as fast as possible")
