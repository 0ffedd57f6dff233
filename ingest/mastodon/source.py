"""Mastodon via Mastodon.py: hashtag / public / local timelines and mention notifications.

One ``cycle``: verify the token (401 → :class:`AuthFailed`), then *catch up* over REST with
``min_id`` from the checkpointed cursor (so nothing is lost while disconnected), then — with
``streaming: true`` — hold the server-sent-event streams open until the server drops them;
the next cycle catches up again and the dedup window absorbs the overlap. Without streaming a
cycle is one poll. 429 → :class:`RateLimited` until ``X-RateLimit-Reset``. Malformed stream
events (bad JSON, a status without its fields) become dead letters.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from mastodon import (
    Mastodon,
    MastodonRatelimitError,
    MastodonUnauthorizedError,
    StreamListener,
)

from ingest.base import Item, LiveSource
from ingest.mastodon.config import MastodonConfig
from ingest.mastodon.normalise import notification_post, status_post
from schemas.errors import AuthFailed, RateLimited
from schemas.plumbing.credentials import secret

_DONE = object()


class _Listener(StreamListener):
    """Puts raw SSE events on a queue; never parses into Mastodon.py types (we keep dicts)."""

    def __init__(self, key: str, out: queue.Queue, stop: threading.Event) -> None:
        self.key, self.out, self.stop = key, out, stop

    def _dispatch_event(self, name, raw_payload, for_stream, payload_present):
        if self.stop.is_set():
            raise ConnectionAbortedError("source closed")
        if name in ("update", "notification", "status.update"):
            self.out.put((self.key, name, raw_payload))

    def handle_heartbeat(self) -> None:
        if self.stop.is_set():
            raise ConnectionAbortedError("source closed")

    def on_abort(self, err: Exception) -> None:
        pass


class MastodonSource(LiveSource):
    """See the module docstring; one ``cycle`` = catch-up + (optionally) one streaming session."""

    platform = "mastodon"

    def __init__(self, config: MastodonConfig, state=None) -> None:
        super().__init__(config, state)
        self.token = secret(config.access_token_env, config.access_token_file,
                            required=config.notifications)
        self.client = Mastodon(
            access_token=self.token.get_secret_value() if self.token else None,
            api_base_url=config.api_base_url, version_check_mode="none",
            ratelimit_method="throw", request_timeout=config.request_timeout)

    def target(self) -> str:
        return self.config.api_base_url.split("//", 1)[-1]

    def _fetchers(self) -> dict[str, Callable[..., list]]:
        c = self.client
        fetch: dict[str, Callable[..., list]] = {
            f"tag:{tag}": (lambda tag=tag, **kw: c.timeline_hashtag(tag, **kw))
            for tag in self.config.hashtags}
        for name in self.config.timelines:
            fetch[name] = lambda local=(name == "local"), **kw: c.timeline_public(local=local, **kw)
        if self.config.notifications:
            fetch["notifications"] = lambda **kw: c.notifications(types=["mention"], **kw)
        return fetch

    def cycle(self) -> Iterator[Item]:
        try:
            if self.token is not None:
                self.client.account_verify_credentials()
            self.health.set("ok", "connected")
            for key, fetch in self._fetchers().items():
                yield from self._catch_up(key, fetch)
            if self.config.streaming:
                yield from self._stream()
        except MastodonUnauthorizedError as error:
            raise AuthFailed(f"Mastodon rejected the access token: {error}") from error
        except MastodonRatelimitError as error:
            reset = self.client.ratelimit_reset or time.time() + 60
            raise RateLimited(f"Mastodon rate limit: {error}", reset - time.time()) from error

    def _catch_up(self, key: str, fetch: Callable[..., list]) -> Iterator[Item]:
        """Page forward from the cursor (``min_id``) until nothing new is left."""
        while True:
            since = self.cursor.get(key)
            page = fetch(min_id=since, limit=self.config.backfill_limit)
            for entry in sorted(page, key=lambda e: int(e["id"])):
                yield self._item(key, "notification" if key == "notifications" else "update",
                                 entry)
            if since is None or len(page) < self.config.backfill_limit:
                return

    def _stream(self) -> Iterator[Item]:
        """Hold one SSE stream per target open until the server drops any of them."""
        events: queue.Queue = queue.Queue()
        stop = threading.Event()
        targets = {f"tag:{tag}": lambda l, tag=tag: self.client.stream_hashtag(tag, l)
                   for tag in self.config.hashtags}
        for name in self.config.timelines:
            targets[name] = (self.client.stream_local if name == "local"
                             else self.client.stream_public)
        if self.config.notifications:
            targets["notifications"] = self.client.stream_user
        for key, start in targets.items():
            threading.Thread(target=self._run_stream, args=(start, _Listener(key, events, stop),
                                                            events), daemon=True).start()
        try:
            while not self._stop.is_set():
                event = events.get()
                if event is _DONE or isinstance(event, BaseException):
                    if isinstance(event, BaseException):
                        raise event
                    return
                yield self._raw_item(*event)
        finally:
            stop.set()

    @staticmethod
    def _run_stream(start: Callable, listener: _Listener, out: queue.Queue) -> None:
        try:
            start(listener)
            out.put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the consuming thread
            out.put(error)

    def _raw_item(self, key: str, name: str, payload: str) -> Item:
        try:
            return self._item(key, name, json.loads(payload))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return Item(raw=payload, error=f"bad Mastodon {name} event: {error}")

    def _item(self, key: str, name: str, entry: dict[str, Any]) -> Item:
        try:
            post = notification_post(entry) if name == "notification" else status_post(entry)
            cursor = {key: str(max(int(entry["id"]), int(self.cursor.get(key) or 0)))}
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            return Item(raw=json.dumps(entry, default=str), error=f"bad Mastodon {name}: {error}")
        if post is None or not self.wanted(post.text):
            return Item(cursor=cursor)
        return Item(post=post, cursor=cursor)

    def probe(self) -> str:
        try:
            if self.token is None:
                self.client.timeline_public(limit=1)
                return f"{self.target()} reachable (no token)"
            account = self.client.account_verify_credentials()
        except MastodonUnauthorizedError as error:
            raise AuthFailed(f"Mastodon rejected the access token: {error}") from error
        return f"{self.target()} reachable, token of @{account['acct']}"
