"""The ``sources:`` entry for RSS and Atom feeds (``type: feed``): its config model.

Light on purpose (pydantic and the standard library only): validated at every config load
without importing the connector's client library; :mod:`ingest.feeds.source` builds the source
from it (through :mod:`ingest.registry`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ingest.config import LiveConfig


class FeedConfig(LiveConfig):
    """``{type: feed, urls: [https://status.example.com/history.atom], keywords: [vpn]}``."""

    type: Literal["feed"] = "feed"
    urls: list[str] = Field(min_length=1, description="RSS or Atom URLs")
    track_updates: bool = Field(default=False, description="an entry updated = a new post")
    authorization_env: str | None = Field(
        default=None, description="env var holding an Authorization header value")
    authorization_file: str | None = None
    user_agent: str = "webcare-feeds/1.0 (+https://github.com/webcare)"
    request_timeout: float = Field(default=30.0, gt=0)
    rate_limit_wait: float = Field(default=300.0, ge=0, description="429 without Retry-After")
    poll_interval: float = 300.0
    dedup_window: int = Field(default=5_000, ge=1, description="seen entries remembered")
