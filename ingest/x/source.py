"""X (Twitter) API v2 via tweepy: filtered stream, recent search and mentions.

One ``cycle``: catch up with recent search (``query``) and the mentions timeline
(``mentions_user_id``), each from its ``since_id`` cursor, then — when ``rules`` are set —
sync the filtered-stream rules with the config (add missing, delete others) and hold the
stream until it drops; the next cycle's search catches up what the stream missed.
401/403 → :class:`AuthFailed` (the source stops); 429 → :class:`RateLimited` until
``x-rate-limit-reset``. ``api_base_url`` reroutes tweepy's fixed ``https://api.twitter.com``
(tests, proxies) with a requests adapter.
"""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
import tweepy

from ingest.base import Item, LiveSource
from ingest.x.config import API, XConfig
from ingest.x.normalise import EXPANSIONS, TWEET_FIELDS, USER_FIELDS, tweet_post, users_by_id
from schemas.errors import AuthFailed, RateLimited
from schemas.plumbing.credentials import secret

FIELDS = {"tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS, "expansions": EXPANSIONS}
_DONE = object()


class RebaseAdapter(requests.adapters.HTTPAdapter):
    """Sends requests for ``https://api.twitter.com`` to another base URL."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        request.url = self.base + request.url[len(API):]
        return super().send(request, **kwargs)


class _Stream(tweepy.StreamingClient):
    """Hands raw lines and errors to a queue; never retries by itself (our loop does)."""

    def __init__(self, token: str, out: queue.Queue) -> None:
        super().__init__(token, return_type=dict, max_retries=0, daemon=True)
        self.out = out

    def on_data(self, raw_data: bytes) -> None:
        self.out.put(raw_data)

    def on_request_error(self, status_code: int) -> None:
        self.out.put(status_code)
        self.disconnect()

    def on_closed(self, response: requests.Response) -> None:
        self.disconnect()

    def on_connection_error(self) -> None:
        self.disconnect()

    def on_disconnect(self) -> None:
        self.out.put(_DONE)


class XSource(LiveSource):
    """See the module docstring."""

    platform = "x"

    def __init__(self, config: XConfig, state=None) -> None:
        super().__init__(config, state)
        self.token = secret(config.bearer_token_env, config.bearer_token_file)
        self.client = tweepy.Client(self.token.get_secret_value(), return_type=dict)
        self._reroute(self.client.session)

    def target(self) -> str:
        return self.config.query or self.config.mentions_user_id or "stream"

    def _reroute(self, session: requests.Session) -> None:
        if self.config.api_base_url.rstrip("/") != API:
            session.mount(API, RebaseAdapter(self.config.api_base_url))

    def cycle(self) -> Iterator[Item]:
        with _translated_errors():
            if self.config.query:
                yield from self._poll("search", "next_token", lambda **kw: (
                    self.client.search_recent_tweets(self.config.query, **kw)))
            if self.config.mentions_user_id:
                yield from self._poll("mentions", "pagination_token", lambda **kw: (
                    self.client.get_users_mentions(self.config.mentions_user_id, **kw)))
        if self.config.rules:
            yield from self._stream()

    def _poll(self, key: str, page_param: str, call: Callable[..., dict]) -> Iterator[Item]:
        """Every page newer than the ``since_id`` cursor, yielded oldest first."""
        tweets, users, token = [], {}, None
        while True:
            page = call(since_id=self.cursor.get(key), max_results=self.config.max_results,
                        **{page_param: token}, **FIELDS)
            tweets += page.get("data") or []
            users.update(users_by_id(page.get("includes")))
            token = (page.get("meta") or {}).get("next_token")
            if not token or self.cursor.get(key) is None:
                break
        for tweet in sorted(tweets, key=lambda t: int(t["id"])):
            yield self._item(key, tweet, users)

    def _item(self, key: str, tweet: dict[str, Any], users: dict) -> Item:
        try:
            post = tweet_post(tweet, users)
        except (KeyError, TypeError, ValueError) as error:
            return Item(raw=json.dumps(tweet), error=f"bad X tweet: {error}")
        cursor = {key: str(max(int(post.platform_id), int(self.cursor.get(key) or 0)))}
        return Item(post=post, cursor=cursor) if self.wanted(post.text) else Item(cursor=cursor)

    def sync_rules(self, stream: tweepy.StreamingClient) -> None:
        """Make the account's stream rules equal the configured ones."""
        current = stream.get_rules().get("data") or []
        wanted = set(self.config.rules)
        stale = [rule["id"] for rule in current if rule["value"] not in wanted]
        missing = wanted - {rule["value"] for rule in current}
        if stale:
            stream.delete_rules(stale)
        if missing:
            stream.add_rules([tweepy.StreamRule(value) for value in sorted(missing)])

    def _stream(self) -> Iterator[Item]:
        out: queue.Queue = queue.Queue()
        stream = _Stream(self.token.get_secret_value(), out)
        self._reroute(stream.session)
        with _translated_errors():
            self.sync_rules(stream)
        stream.filter(threaded=True, **FIELDS)
        try:
            while (frame := out.get()) is not _DONE:
                if isinstance(frame, int):
                    _raise_for_status(frame, self.config.stream_429_wait)
                yield from self._frame(frame)
        finally:
            stream.disconnect()

    def _frame(self, raw: bytes) -> Iterator[Item]:
        text = raw.decode("utf-8", "replace")
        try:
            frame = json.loads(text)
            tweet = frame["data"]
            users = users_by_id(frame.get("includes"))
        except (ValueError, KeyError, TypeError) as error:
            yield Item(raw=text, error=f"bad X stream frame: {type(error).__name__}: {error}")
            return
        yield self._item("stream", tweet, users)

    def probe(self) -> str:
        with _translated_errors():
            if self.config.rules:
                stream = tweepy.StreamingClient(self.token.get_secret_value(), return_type=dict)
                self._reroute(stream.session)
                count = len(stream.get_rules().get("data") or [])
                return f"stream rules readable ({count} active)"
            self.client.search_recent_tweets(self.config.query or "from:X", max_results=10)
        return "recent search reachable"


class _translated_errors:
    """Context manager: tweepy errors → AuthFailed / RateLimited (others pass through)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, tb) -> bool:
        if isinstance(error, (tweepy.Unauthorized, tweepy.Forbidden)):
            raise AuthFailed(f"X rejected the bearer token: {error}") from error
        if isinstance(error, tweepy.TooManyRequests):
            reset = int(error.response.headers.get("x-rate-limit-reset", time.time() + 60))
            raise RateLimited(f"X rate limit: {error}", reset - time.time()) from error
        return False


def _raise_for_status(status: int, wait: float) -> None:
    if status in (401, 403):
        raise AuthFailed(f"X stream refused the bearer token (HTTP {status})")
    if status == 429:
        raise RateLimited("X stream: too many connections (HTTP 429)", wait)
    raise ConnectionError(f"X stream HTTP {status}")
