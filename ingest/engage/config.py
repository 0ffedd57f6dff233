"""The ``sources:`` entry for Viva Engage (Yammer) (``type: engage``): its config model.

Light on purpose (pydantic and the standard library only): validated at every config load
without importing the connector's client library; :mod:`ingest.engage.source` builds the source
from it (through :mod:`ingest.registry`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ingest.config import LiveConfig

YAMMER = "https://www.yammer.com"


class EngageConfig(LiveConfig):
    """``{type: engage, groups: ["123"], mentions_user_id: "456", it_account_ids: ["456"]}``."""

    type: Literal["engage"] = "engage"
    base_url: str = Field(default=YAMMER, description="https://api.yammer.com with Entra tokens")
    groups: list[str] = Field(default_factory=list, description="community (group) ids")
    mentions_user_id: str | None = Field(default=None, description="IT account whose "
                                         "@mentions are read from received.json")
    it_account_ids: list[str] = Field(default_factory=list,
                                      description="senders whose replies are official answers")
    token_env: str = "ENGAGE_TOKEN"
    token_file: str | None = None
    threaded: Literal["extended"] | None = None
    page_limit: int = Field(default=20, ge=1, le=50, description="messages per request")
    backfill_pages: int = Field(default=1, ge=0, description="pages read on the first poll "
                                "(0: only note the newest id, start with new messages)")
    max_pages: int = Field(default=100, ge=1, description="pages per feed and poll, at most")
    request_timeout: float = Field(default=30.0, gt=0)
    rate_limit_wait: float = Field(default=30.0, ge=0, description="429 without Retry-After")
    poll_interval: float = Field(default=60.0, ge=0, description="Yammer: at most once a minute")

    @model_validator(mode="after")
    def _something_to_read(self) -> EngageConfig:
        if not self.groups and not self.mentions_user_id:
            raise ValueError("engage source needs groups or mentions_user_id")
        return self
