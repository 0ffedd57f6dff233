"""The ``sources:`` entry for the chat transcript webhook (``type: chat``): its config model.

Light on purpose (pydantic and the standard library only): validated at every config load
without importing the connector's client library; :mod:`ingest.chat.source` builds the source
from it (through :mod:`ingest.registry`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ingest.config import MAX_BODY, WebhookConfig


class ChatConfig(WebhookConfig):
    """``{type: chat, port: 8082, path: /chat, token_env: WEBCARE_CHAT_TOKEN}``."""

    type: Literal["chat"] = "chat"  # type: ignore[assignment]
    path: str = "/chat"
    token_env: str = "WEBCARE_CHAT_TOKEN"
    signature_secret_env: str | None = Field(default=None, description="HMAC key variable")
    signature_secret_file: str | None = None
    max_bytes: int = Field(default=2**20, ge=1, le=MAX_BODY, description="larger: 413")
