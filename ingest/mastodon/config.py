"""The ``sources:`` entry for Mastodon (``type: mastodon``): its config model.

Light on purpose (pydantic and the standard library only): validated at every config load
without importing the connector's client library; :mod:`ingest.mastodon.source` builds the source
from it (through :mod:`ingest.registry`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ingest.config import LiveConfig


class MastodonConfig(LiveConfig):
    """``{type: mastodon, api_base_url: https://mastodon.social, hashtags: [lumen]}``."""

    type: Literal["mastodon"] = "mastodon"
    api_base_url: str
    access_token_env: str | None = "MASTODON_ACCESS_TOKEN"
    access_token_file: str | None = None
    hashtags: list[str] = Field(default_factory=list, description="without '#'")
    timelines: list[Literal["public", "local"]] = Field(default_factory=list)
    notifications: bool = Field(default=True, description="mentions of the token's account")
    streaming: bool = True
    backfill_limit: int = Field(default=40, ge=1, le=40)
    request_timeout: float = Field(default=30.0, gt=0)
    poll_interval: float = 0.0
