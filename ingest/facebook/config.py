"""The ``sources:`` entry for the Facebook page webhook (``type: facebook``): its config model.

Light on purpose (pydantic and the standard library only): validated at every config load
without importing the connector's client library; :mod:`ingest.facebook.source` builds the source
from it (through :mod:`ingest.registry`).
"""

from __future__ import annotations

from typing import Literal

from ingest.config import ReceiverConfig


class FacebookConfig(ReceiverConfig):
    """``{type: facebook, port: 8081, path: /facebook}`` plus the two secrets."""

    type: Literal["facebook"] = "facebook"
    path: str = "/facebook"
    app_secret_env: str = "FACEBOOK_APP_SECRET"
    app_secret_file: str | None = None
    verify_token_env: str = "FACEBOOK_VERIFY_TOKEN"
    verify_token_file: str | None = None
