"""Facebook page webhooks: feed posts, comments and mentions pushed by Meta.

* ``GET`` verification handshake: ``hub.mode=subscribe`` with the configured verify token
  echoes ``hub.challenge``; anything else is 403.
* ``POST`` deliveries must carry ``X-Hub-Signature-256: sha256=<HMAC of the raw body with the
  app secret>``; a missing or wrong signature is 403 and nothing is recorded.
* ``{"object": "page", "entry": [{"changes": [{"field": "feed", "value": {...}}]}]}`` —
  each added/edited post or comment with a message becomes a Post; likes, reactions and
  removals are skipped; an entry or change without the expected fields is a dead letter
  and the delivery is answered 422 naming it (the good changes are accepted).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from ingest.facebook.config import FacebookConfig
from ingest.http_receiver import Answer, refusal
from ingest.textutil import parse_time
from ingest.webhook import ReceiverSource, parse_json
from schemas import Author, Post
from schemas.plumbing.credentials import secret

KEPT_ITEMS = {"post", "status", "comment", "photo", "video", "share"}


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


def delivery_items(body: dict[str, Any]) -> tuple[list[Post], list[tuple[dict[str, str], str]]]:
    """Every post of one delivery, and each malformed entry or change as ``(problem, raw)``
    (``problem``: ``{"field", "reason"}``, ``raw``: its JSON, kept as a dead letter)."""
    entries = body.get("entry")
    if not isinstance(entries, list):
        return [], [({"field": "entry", "reason": "not a list"}, json.dumps(entries))]
    posts, bad = [], []
    for n, entry in enumerate(entries):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list) or "id" not in entry:
            reason = "not an object with an id and a list of changes"
            bad.append(({"field": f"entry[{n}]", "reason": reason}, json.dumps(entry)))
            continue
        for m, change in enumerate(changes):
            try:
                post = change_post(str(entry["id"]), change["field"], change["value"])
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                problem = {"field": f"entry[{n}].changes[{m}]",
                           "reason": f"bad Facebook change: {type(error).__name__}: {error}"}
                bad.append((problem, json.dumps(change)))
                continue
            if post is not None:
                posts.append(post)
    return posts, bad


class FacebookSource(ReceiverSource):
    """See the module docstring."""

    platform = "facebook"
    error_name = "invalid_change"

    def __init__(self, config: FacebookConfig, state=None) -> None:
        super().__init__(config, state)
        self.app_secret = secret(config.app_secret_env, config.app_secret_file)
        self.verify_token = secret(config.verify_token_env, config.verify_token_file)

    def on_get(self, path: str, query: dict[str, str]) -> Answer:
        token = query.get("hub.verify_token", "").encode()
        if (path == self.config.path and query.get("hub.mode") == "subscribe"
                and hmac.compare_digest(token, self.verify_token.get_secret_value().encode())):
            return Answer(200, query.get("hub.challenge", ""),
                          content_type="text/plain; charset=utf-8")
        return refusal(403, "forbidden", "hub.verify_token", "verification failed")

    def authenticate(self, headers: dict[str, str], body: bytes) -> Answer | None:
        given = headers.get("x-hub-signature-256", "")
        wanted = signature(self.app_secret.get_secret_value().encode(), body)
        if not hmac.compare_digest(given.encode(), wanted.encode()):
            self.health.set("degraded", "rejected a delivery with a bad signature")
            return refusal(403, "forbidden", "X-Hub-Signature-256",
                           "missing or wrong sha256=<HMAC-SHA256 of the body with the app secret>")
        return None

    def accept(self, body: bytes) -> Answer:
        data, problem = parse_json(body)
        text = body.decode("utf-8", "replace")
        if problem is not None:
            return self.bad_body(400, problem["error"], problem["reason"], text)
        if not isinstance(data, dict) or data.get("object") != "page":
            found = data.get("object") if isinstance(data, dict) else type(data).__name__
            return self.bad_body(422, "invalid_delivery", f"object is {found!r}, not 'page'",
                                 text, field="object")
        posts, bad = delivery_items(data)
        return self.items_answer(posts, bad)
