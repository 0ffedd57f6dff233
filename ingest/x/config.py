"""The ``sources:`` entry for X (Twitter) (``type: x``): its config model.

Light on purpose (pydantic and the standard library only): validated at every config load
without importing the connector's client library; :mod:`ingest.x.source` builds the source
from it (through :mod:`ingest.registry`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ingest.config import LiveConfig

API = "https://api.twitter.com"


class XConfig(LiveConfig):
    """``{type: x, query: "lumen -is:retweet", rules: [...], mentions_user_id: "123"}``."""

    type: Literal["x"] = "x"
    bearer_token_env: str = "X_BEARER_TOKEN"
    bearer_token_file: str | None = None
    api_base_url: str = API
    query: str | None = Field(default=None, description="recent-search query (polling)")
    mentions_user_id: str | None = Field(default=None, description="brand account id")
    rules: list[str] = Field(default_factory=list, description="filtered-stream rules")
    max_results: int = Field(default=100, ge=10, le=100)
    stream_429_wait: float = Field(default=60.0, ge=0, description="X sends no reset time")
