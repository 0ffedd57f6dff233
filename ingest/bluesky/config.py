"""The ``sources:`` entry for Bluesky (Jetstream) (``type: bluesky``): its config model.

Light on purpose (pydantic and the standard library only): validated at every config load
without importing the connector's client library; :mod:`ingest.bluesky.source` builds the source
from it (through :mod:`ingest.registry`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ingest.config import LiveConfig


class BlueskyConfig(LiveConfig):
    """``{type: bluesky, endpoint: wss://jetstream2.us-east.bsky.network, dids: [...]}``."""

    type: Literal["bluesky"] = "bluesky"
    endpoint: str = "wss://jetstream2.us-east.bsky.network"
    dids: list[str] = Field(default_factory=list, description="only these accounts ([] = all)")
    open_timeout: float = Field(default=10.0, gt=0)
    poll_interval: float = 0.0
