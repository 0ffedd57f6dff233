"""Viva Engage (Yammer) communities and @mentions of the IT account, over the Yammer REST API v1.

One ``cycle`` polls, for every configured community (``groups``),
``GET {base_url}/api/v1/messages/in_group/{id}.json`` and, with ``mentions_user_id``,
``GET /api/v1/messages/received.json`` (messages the token's user received; only those that
@mention the IT account — ``notified_user_ids`` or ``[[user:ID]]`` — become posts). Each feed
sends ``newer_than=<newest id seen>`` (its cursor: ``group:<id>`` / ``mentions``) and pages
back with ``older_than`` while the page is full of new messages, then yields them oldest
first, so the cursor only moves forward and a restart resumes without duplicates (the dedup
window absorbs a message seen in a group *and* in the mentions feed). The very first poll of
a feed reads ``backfill_pages`` pages only (0: it only notes the newest id). Without
``threaded`` every message (thread starters and all replies) is returned; ``threaded:
extended`` returns starters plus their two latest replies (``threaded_extended``), which can
miss replies in busy threads.

Authors come from the page's ``references``; the asker of a reply (the thread starter's
sender) from the page, its references, a bounded cache or one ``GET /api/v1/messages/{id}.json``.
Roles (starter / official / peer answer) are set by :mod:`ingest.engage.normalise`.

Failures: 401/403 → :class:`AuthFailed` (stop loudly); 429 → :class:`RateLimited` for
``Retry-After`` (else ``rate_limit_wait``); a message that does not normalise → dead letter,
the stream goes on; other HTTP errors → ``degraded``, backoff, retry from the cursor. More
than ``max_pages`` full pages of new messages in one poll: a ``degraded`` warning is logged and
the older ones are skipped.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import requests

from ingest.base import Item, LiveSource
from ingest.engage.config import EngageConfig
from ingest.engage.normalise import PageIndex, mentions, message_post, page_messages
from schemas.errors import AuthFailed, RateLimited
from schemas.plumbing.credentials import secret
from schemas.plumbing.http import parse_retry_after

MAX_DEAD_LETTER_CHARS = 20_000


class EngageSource(LiveSource):
    """See the module docstring."""

    platform = "engage"

    def __init__(self, config: EngageConfig, state=None) -> None:
        super().__init__(config, state)
        token = secret(config.token_env, config.token_file)
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token.get_secret_value()}",
                                     "Accept": "application/json"})
        self.it_accounts = set(config.it_account_ids) | (
            {config.mentions_user_id} if config.mentions_user_id else set())
        self._askers: OrderedDict[str, str | None] = OrderedDict()

    def target(self) -> str:
        return ",".join(self.config.groups) or f"mentions:{self.config.mentions_user_id}"

    def cycle(self) -> Iterator[Item]:
        for group in self.config.groups:
            yield from self._feed(f"group:{group}", f"/api/v1/messages/in_group/{group}.json")
        if self.config.mentions_user_id:
            yield from self._feed("mentions", "/api/v1/messages/received.json")
        self.health.set("ok", "polled")

    def _feed(self, key: str, path: str) -> Iterator[Item]:
        """Every message newer than the feed's cursor, oldest first (see module doc)."""
        since = int(self.cursor[key]) if self.cursor.get(key) else None
        messages, index = self._fetch_new(path, since)
        skip_existing = since is None and self.config.backfill_pages == 0
        for message in _oldest_first(messages):
            item = self._item(key, message, index)
            yield Item(cursor=item.cursor) if skip_existing else item

    def _fetch_new(self, path: str, since: int | None) -> tuple[list[Any], PageIndex]:
        index, messages, older_than = PageIndex(), [], None
        pages = self.config.max_pages if since is not None else max(1, self.config.backfill_pages)
        for _ in range(pages):
            params = {"limit": self.config.page_limit, "newer_than": since,
                      "older_than": older_than, "threaded": self.config.threaded}
            body = self._get(path, {k: v for k, v in params.items() if v is not None})
            index.add(body)
            page = page_messages(body)
            ids = [_id(m) for m in page if _id(m) is not None]
            messages += [m for m in page if since is None or _id(m) is None or _id(m) > since]
            full = len(body.get("messages") or []) >= self.config.page_limit
            if not ids or not full or not (body.get("meta") or {}).get("older_available") \
                    or (since is not None and min(ids) <= since) \
                    or (older_than is not None and min(ids) >= older_than):
                break  # caught up, nothing older, or a server that does not page back
            older_than = min(ids)
        else:
            if since is not None:  # the cursor jumps past what was not read: say so
                self.health.set("degraded", f"{path}: more than {pages} pages of new messages "
                                "in one poll; older ones skipped (raise max_pages)")
        return messages, index

    def _item(self, key: str, message: Any, index: PageIndex) -> Item:
        message_id = _id(message)
        cursor = {key: str(max(message_id, int(self.cursor.get(key) or 0)))} \
            if message_id is not None else {}
        try:
            mentioned = any(mentions(message, account) for account in self.it_accounts)
            if key == "mentions" and (not mentions(message, self.config.mentions_user_id)
                                      or str(message["sender_id"]) in self.it_accounts):
                return Item(cursor=cursor)  # received, but not an @mention by someone else
            post = message_post(message, index, asker_id=self._asker(message, index),
                                it_accounts=self.it_accounts, mentioned=mentioned)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raw = json.dumps(message, default=str)[:MAX_DEAD_LETTER_CHARS]
            return Item(raw=raw, error=f"bad Viva Engage message: {type(error).__name__}: "
                        f"{error}", cursor=cursor)
        if post is None or not self.wanted(post.text):
            return Item(cursor=cursor)
        return Item(post=post, cursor=cursor)

    def _asker(self, message: dict[str, Any], index: PageIndex) -> str | None:
        """Sender id of the message's thread starter (None when it cannot be seen)."""
        thread = str(int(message["thread_id"]))
        if thread in index.senders:
            return index.senders[thread]
        if thread not in self._askers:
            response = self._request(f"/api/v1/messages/{thread}.json", {})
            if response.status_code != 404:  # 404: starter deleted or not visible
                response.raise_for_status()
            starter = response.json() if response.status_code == 200 else {}
            self._askers[thread] = _str(starter.get("sender_id")) \
                if isinstance(starter, dict) else None
            while len(self._askers) > self.config.dedup_window:
                self._askers.popitem(last=False)
        return self._askers[thread]

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        response = self._request(path, params)
        response.raise_for_status()
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("messages", []), list):
            raise ValueError(f"{path}: not a Yammer message list")
        return body

    def _request(self, path: str, params: dict[str, Any]) -> requests.Response:
        """One GET; 401/403 and 429 raised as AuthFailed/RateLimited, others returned."""
        response = self.session.get(self.config.base_url.rstrip("/") + path, params=params,
                                    timeout=self.config.request_timeout)
        if response.status_code in (401, 403):
            raise AuthFailed(f"Viva Engage refused the token (HTTP {response.status_code} "
                             f"on {path})")
        if response.status_code == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimited(f"Viva Engage rate limit on {path} (HTTP 429)",
                              self.config.rate_limit_wait if wait is None else wait)
        return response

    def probe(self) -> str:
        response = self._request("/api/v1/users/current.json", {})
        response.raise_for_status()
        user = response.json()
        for group in self.config.groups:
            self._request(f"/api/v1/groups/{group}.json", {}).raise_for_status()
        return (f"token of {user.get('full_name') or user.get('name')}, "
                f"{len(self.config.groups)} communities readable")


def _id(message: Any) -> int | None:
    try:
        return int(message["id"])
    except (KeyError, TypeError, ValueError):
        return None


def _oldest_first(messages: list[Any]) -> list[Any]:
    """Numeric ids ascending, each once; id-less (malformed) messages last."""
    unique = {_id(m): m for m in messages if _id(m) is not None}
    return [unique[k] for k in sorted(unique)] + [m for m in messages if _id(m) is None]


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
