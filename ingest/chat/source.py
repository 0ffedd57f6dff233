"""Chat transcript webhook (``type: chat``): each conversation becomes one Post.

A push source on the generic webhook machinery (:mod:`ingest.webhook`): ``POST {path}`` with
``Authorization: Bearer <token>`` and — when ``signature_secret_env``/``_file`` is set —
``X-Webcare-Signature: sha256=<hex HMAC-SHA256 of the raw body>``. The body is one transcript,
a JSON list of them, or a LiveChat export (shapes in :mod:`ingest.chat.transcript`).

Every answer is JSON:

* 200 ``{"accepted": n, "ids": ["chat:..."]}`` — queued; a resent conversation is accepted
  again but dropped by the dedup window (same id), so senders may retry safely.
* 401 (bearer token) / 403 (signature) ``{"error", "field", "reason"}`` — nothing is recorded.
* 400 ``invalid_json``, 413 ``too_large`` (over ``max_bytes``), 422 ``invalid_transcript``
  (wrong shape, no customer message) ``{"error", "field", "reason", "errors": [...],
  "accepted", "ids"}`` — each bad entry is recorded as a dead letter with its original JSON
  (an oversized body: its first 20 000 characters), the good entries of a list are queued.
  A body over the receiver's hard limit (5 MiB) is refused unread (413) and not recorded;
  the other HTTP-level answers (408, 411, 503) are those of :mod:`ingest.http_receiver`.
"""

from __future__ import annotations

import hmac
import json

from ingest.chat.config import ChatConfig
from ingest.chat.transcript import TranscriptError, parse_transcripts
from ingest.facebook.source import signature
from ingest.http_receiver import Answer, refusal
from ingest.webhook import WebhookSource, parse_json
from schemas.plumbing.credentials import secret

SIGNATURE_HEADER = "X-Webcare-Signature"
MAX_DEAD_LETTER_CHARS = 20_000


class ChatSource(WebhookSource):
    """See the module docstring."""

    platform = "chat"
    error_name = "invalid_transcript"

    def __init__(self, config: ChatConfig, state=None) -> None:
        super().__init__(config, state)
        wants_signature = bool(config.signature_secret_env or config.signature_secret_file)
        self.signing_key = secret(config.signature_secret_env, config.signature_secret_file,
                                  required=wants_signature)

    def authenticate(self, headers: dict[str, str], body: bytes) -> Answer | None:
        refused = super().authenticate(headers, body)
        if refused is not None or self.signing_key is None:
            return refused
        given = headers.get(SIGNATURE_HEADER.lower(), "")
        wanted = signature(self.signing_key.get_secret_value().encode(), body)
        if not hmac.compare_digest(given.encode(), wanted.encode()):
            self.health.set("degraded", "rejected a transcript with a bad signature")
            return refusal(403, "forbidden", SIGNATURE_HEADER,
                           "missing or wrong sha256=<HMAC-SHA256 of the body>")
        return None

    def accept(self, body: bytes) -> Answer:
        """The answer and entries (posts, dead letters) of one authenticated body."""
        text = body.decode("utf-8", "replace")
        if len(body) > self.config.max_bytes:
            reason = f"{len(body)} bytes, more than max_bytes {self.config.max_bytes}"
            return self.bad_body(413, "too_large", reason, text[:MAX_DEAD_LETTER_CHARS])
        data, problem = parse_json(body)
        if problem is not None:
            return self.bad_body(400, problem["error"], problem["reason"], text)
        entries = data if isinstance(data, list) else [data]
        if not entries:
            return self.bad_body(422, "invalid_transcript", "an empty list", text)
        posts, bad = [], []
        for n, entry in enumerate(entries):
            try:
                found = parse_transcripts(entry)
            except TranscriptError as error:
                where = f"[{n}].{error.field}" if isinstance(data, list) else error.field
                bad.append(({"field": where, "reason": error.reason}, json.dumps(entry)))
                continue
            posts += [post for post in found if self.wanted(post.text)]
        return self.items_answer(posts, bad)
