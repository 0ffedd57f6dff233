"""Chat transcript webhook (``type: chat``): each conversation becomes one Post.

A push source on the generic webhook machinery (:mod:`ingest.webhook`): ``POST {path}`` with
``Authorization: Bearer <token>`` and — when ``signature_secret_env``/``_file`` is set —
``X-Webcare-Signature: sha256=<hex HMAC-SHA256 of the raw body>``. The body is one transcript,
a JSON list of them, or a LiveChat export (shapes in :mod:`ingest.chat_transcript`).

Every answer is JSON:

* 200 ``{"accepted": n, "ids": ["chat:..."]}`` — queued; a resent conversation is accepted
  again but dropped by the dedup window (same id), so senders may retry safely.
* 401 (bearer token) / 403 (signature) ``{"error", "field", "reason"}`` — nothing is recorded.
* 400 ``invalid_json``, 413 ``too_large`` (over ``max_bytes``), 422 ``invalid_transcript``
  (wrong shape, no customer message) ``{"error", "field", "reason", "errors": [...],
  "accepted", "ids"}`` — each bad entry is recorded as a dead letter with its original JSON
  (an oversized body: its first 20 000 characters), the good entries of a list are queued.
  A body over the receiver's hard limit (5 MiB) is refused unread (413) and not recorded.
"""

from __future__ import annotations

import hmac
import json
from typing import Any, Literal

from pydantic import Field

from ingest.base import Item
from ingest.chat_transcript import TranscriptError, parse_transcripts
from ingest.credentials import secret
from ingest.facebook import signature
from ingest.webhook import MAX_BODY, WebhookConfig, WebhookSource

SIGNATURE_HEADER = "X-Webcare-Signature"
MAX_DEAD_LETTER_CHARS = 20_000


class ChatConfig(WebhookConfig):
    """``{type: chat, port: 8082, path: /chat, token_env: WEBCARE_CHAT_TOKEN}``."""

    type: Literal["chat"] = "chat"  # type: ignore[assignment]
    path: str = "/chat"
    token_env: str = "WEBCARE_CHAT_TOKEN"
    signature_secret_env: str | None = Field(default=None, description="HMAC key variable")
    signature_secret_file: str | None = None
    max_bytes: int = Field(default=2**20, ge=1, le=MAX_BODY, description="larger: 413")


def refusal(status: int, error: str, field: str, reason: str) -> tuple[int, str]:
    """A JSON error answer naming the field and the reason."""
    return status, json.dumps({"error": error, "field": field, "reason": reason})


class ChatSource(WebhookSource):
    """See the module docstring."""

    platform = "chat"
    content_type = "application/json"

    def __init__(self, config: ChatConfig, state=None) -> None:
        super().__init__(config, state)
        wants_signature = bool(config.signature_secret_env or config.signature_secret_file)
        self.signing_key = secret(config.signature_secret_env, config.signature_secret_file,
                                  required=wants_signature)

    def too_large(self, length: int) -> tuple[int, str]:
        return refusal(413, "too_large", "body", f"{length} bytes, at most {MAX_BODY} are read")

    def on_post(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        """Route, authenticate, then queue each conversation's Post or dead letter."""
        if path.split("?")[0] != self.config.path:
            return refusal(404, "not_found", "path", f"transcripts go to {self.config.path}")
        refused = self.authenticate(headers, body)
        if refused is not None:
            return refused
        status, reply, items = self.receive(body)
        for item in items:
            self.queue.put(item)
        return status, json.dumps(reply)

    def authenticate(self, headers: dict[str, str], body: bytes) -> tuple[int, str] | None:
        if super().authenticate(headers, body) is not None:
            return refusal(401, "unauthorized", "Authorization", "missing or wrong bearer token")
        if self.signing_key is None:
            return None
        given = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), "")
        wanted = signature(self.signing_key.get_secret_value().encode(), body)
        if not hmac.compare_digest(given.encode(), wanted.encode()):
            self.health.set("degraded", "rejected a transcript with a bad signature")
            return refusal(403, "forbidden", SIGNATURE_HEADER,
                           "missing or wrong sha256=<HMAC-SHA256 of the body>")
        return None

    def receive(self, body: bytes) -> tuple[int, dict[str, Any], list[Item]]:
        """Status, JSON answer and the items (posts, dead letters) of one authenticated body."""
        text = body.decode("utf-8", "replace")
        if len(body) > self.config.max_bytes:
            reason = f"{len(body)} bytes, more than max_bytes {self.config.max_bytes}"
            return self._bad(413, "too_large", "body", reason, text[:MAX_DEAD_LETTER_CHARS])
        try:
            data = json.loads(body)
        except ValueError as error:
            return self._bad(400, "invalid_json", "body", f"not JSON: {error}", text)
        entries = data if isinstance(data, list) else [data]
        if not entries:
            return self._bad(422, "invalid_transcript", "body", "an empty list", text)
        items, ids, errors = [], [], []
        for n, entry in enumerate(entries):
            try:
                posts = parse_transcripts(entry)
            except TranscriptError as error:
                where = f"[{n}].{error.field}" if isinstance(data, list) else error.field
                errors.append({"field": where, "reason": error.reason})
                items.append(Item(raw=json.dumps(entry), error=f"bad chat transcript: {where}: "
                                                               f"{error.reason}"))
                continue
            kept = [post for post in posts if self.wanted(post.text)]
            items += [Item(post=post) for post in kept]
            ids += [post.id for post in kept]
        if errors:
            return 422, {"error": "invalid_transcript", **errors[0], "errors": errors,
                         "accepted": len(ids), "ids": ids}, items
        return 200, {"accepted": len(ids), "ids": ids}, items

    @staticmethod
    def _bad(status: int, error: str, field: str, reason: str,
             raw: str) -> tuple[int, dict[str, Any], list[Item]]:
        item = Item(raw=raw, error=f"bad chat delivery: {field}: {reason}")
        return status, {"error": error, "field": field, "reason": reason}, [item]
