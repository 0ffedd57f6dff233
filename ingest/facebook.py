"""Facebook page webhooks: feed posts, comments and mentions pushed by Meta.

* ``GET`` verification handshake: ``hub.mode=subscribe`` with the configured verify token
  echoes ``hub.challenge``; anything else is 403.
* ``POST`` deliveries must carry ``X-Hub-Signature-256: sha256=<HMAC of the raw body with the
  app secret>``; a missing or wrong signature is 403 and nothing is recorded.
* ``{"object": "page", "entry": [{"changes": [{"field": "feed", "value": {...}}]}]}`` —
  each added/edited post or comment with a message becomes a Post; likes, reactions and
  removals are skipped; a change without the expected fields is a dead letter.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from ingest.base import Item
from ingest.credentials import secret
from ingest.textutil import parse_time
from ingest.webhook import ReceiverConfig, ReceiverSource
from schemas import Author, Post

KEPT_ITEMS = {"post", "status", "comment", "photo", "video", "share"}


class FacebookConfig(ReceiverConfig):
    """``{type: facebook, port: 8081, path: /facebook}`` plus the two secrets."""

    type: Literal["facebook"] = "facebook"
    path: str = "/facebook"
    app_secret_env: str = "FACEBOOK_APP_SECRET"
    app_secret_file: str | None = None
    verify_token_env: str = "FACEBOOK_VERIFY_TOKEN"
    verify_token_file: str | None = None


def signature(secret_value: bytes, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for ``body``."""
    return "sha256=" + hmac.new(secret_value, body, hashlib.sha256).hexdigest()


def change_post(page_id: str, field: str, value: dict[str, Any]) -> Post | None:
    """One ``changes[]`` entry as a Post; None for reactions, removals and text-less items."""
    if field not in ("feed", "mention") or value.get("verb", "add") not in ("add", "edited"):
        return None
    if value.get("item", "post") not in KEPT_ITEMS or not value.get("message"):
        return None
    comment_id = value.get("comment_id")
    item_id = str(comment_id or value["post_id"])
    sender = value.get("from") or {}
    return Post(
        id=f"facebook:{item_id}", platform="facebook", platform_id=item_id,
        text=str(value["message"]), created_at=parse_time(value["created_time"]),
        author=Author(id=sender.get("id"), handle=sender.get("name") or sender.get("id")
                      or "unknown", display_name=sender.get("name")),
        url=f"https://www.facebook.com/{item_id}",
        reply_to_id=str(value["parent_id"]) if comment_id and value.get("parent_id") else None,
        conversation_id=str(value["post_id"]) if value.get("post_id") else None,
        raw={"page_id": page_id, "field": field, "value": value},
    )


def delivery_items(body: dict[str, Any]) -> list[Item]:
    """Every post in one delivery; malformed changes become dead-letter items."""
    items = []
    for entry in body.get("entry") or []:
        for change in entry.get("changes") or []:
            try:
                post = change_post(str(entry["id"]), change["field"], change["value"])
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                items.append(Item(raw=json.dumps(change), error=f"bad Facebook change: {error}"))
                continue
            if post is not None:
                items.append(Item(post=post))
    return items


class FacebookSource(ReceiverSource):
    """See the module docstring."""

    platform = "facebook"

    def __init__(self, config: FacebookConfig, state=None) -> None:
        super().__init__(config, state)
        self.app_secret = secret(config.app_secret_env, config.app_secret_file)
        self.verify_token = secret(config.verify_token_env, config.verify_token_file)

    def on_get(self, path: str) -> tuple[int, str]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        token = query.get("hub.verify_token", "").encode()
        if (urlsplit(path).path == self.config.path and query.get("hub.mode") == "subscribe"
                and hmac.compare_digest(token, self.verify_token.get_secret_value().encode())):
            return 200, query.get("hub.challenge", "")
        return 403, "verification failed"

    def authenticate(self, headers: dict[str, str], body: bytes) -> tuple[int, str] | None:
        given = next((v for k, v in headers.items() if k.lower() == "x-hub-signature-256"), "")
        wanted = signature(self.app_secret.get_secret_value().encode(), body)
        if not hmac.compare_digest(given.encode(), wanted.encode()):
            self.health.set("degraded", "rejected a delivery with a bad signature")
            return 403, "bad signature"
        return None

    def accept(self, body: bytes) -> list[Item]:
        try:
            data = json.loads(body)
            if data.get("object") != "page":
                raise ValueError(f"object is {data.get('object')!r}, not 'page'")
        except (ValueError, AttributeError) as error:
            return [Item(raw=body.decode("utf-8", "replace"), error=f"bad delivery: {error}")]
        return delivery_items(data)
