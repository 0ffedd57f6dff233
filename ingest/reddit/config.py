"""The ``sources:`` entry for Reddit (``type: reddit``): its config model.

Light on purpose (pydantic and the standard library only): validated at every config load
without importing the connector's client library; :mod:`ingest.reddit.source` builds the source
from it (through :mod:`ingest.registry`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ingest.config import LiveConfig


class RedditConfig(LiveConfig):
    """``{type: reddit, subreddits: [techsupport], keywords: [lumen], inbox: true}``."""

    type: Literal["reddit"] = "reddit"
    subreddits: list[str] = Field(default_factory=list, description="without 'r/'")
    streams: list[Literal["submissions", "comments"]] = Field(
        default_factory=lambda: ["submissions", "comments"])
    inbox: bool = Field(default=False, description="username mentions + comment replies")
    client_id_env: str = "REDDIT_CLIENT_ID"
    client_id_file: str | None = None
    client_secret_env: str = "REDDIT_CLIENT_SECRET"
    client_secret_file: str | None = None
    username_env: str = "REDDIT_USERNAME"
    password_env: str = "REDDIT_PASSWORD"
    password_file: str | None = None
    user_agent: str = "webcare:itsm-listening:1.0 (by u/webcare)"
    oauth_url: str = "https://oauth.reddit.com"
    reddit_url: str = "https://www.reddit.com"
    author_details: bool = Field(default=False, description="fetch karma/followers per author")
    skip_existing: bool = Field(default=False, description="no backfill on the very first run")
    rate_limit_wait: float = Field(default=60.0, ge=0, description="429 without reset header")
    request_timeout: float = Field(default=16.0, gt=0)
    poll_interval: float = 15.0

    @model_validator(mode="after")
    def _something_to_read(self) -> RedditConfig:
        if not self.inbox and not (self.subreddits and self.streams):
            raise ValueError("reddit source needs subreddits (with streams) or inbox: true")
        return self
