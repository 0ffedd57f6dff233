"""RSS/Atom feeds (forums, status pages) via feedparser, polled with conditional GET.

One ``cycle`` fetches every configured URL once, sending the ``ETag``/``Last-Modified`` of the
last response (304 → nothing to do), parses the body with feedparser and yields its entries
oldest first. Seen-item tracking is the base class's dedup window: entry ids handed on are
persisted in the state file (bounded by ``dedup_window``), so a restart — or a feed without
validators that resends everything — does not re-emit. The validators are cursor entries
that commit only after the entries before them were flushed.

Failures: a body feedparser cannot read (no entries, and a ``bozo`` error or no RSS/Atom
version — say an HTML maintenance page) becomes one dead letter, not repeated while the body
stays the same; an entry without id/link/title is a dead letter. 401/403 →
:class:`AuthFailed` (stop loudly); 429/503 with ``Retry-After`` → :class:`RateLimited`. A feed that is down marks the source ``degraded`` but the other feeds
are still read; only when every feed failed does the cycle raise (backoff, retry).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import requests

from ingest.base import Item, LiveSource
from ingest.feeds.config import FeedConfig
from ingest.feeds.normalise import entry_post
from schemas.errors import AuthFailed, RateLimited
from schemas.plumbing.credentials import secret

MAX_DEAD_LETTER_BYTES = 20_000


class FeedSource(LiveSource):
    """See the module docstring; one ``cycle`` = one conditional GET per feed."""

    platform = "feed"

    def __init__(self, config: FeedConfig, state=None) -> None:
        super().__init__(config, state)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = config.user_agent
        if config.authorization_env or config.authorization_file:
            token = secret(config.authorization_env, config.authorization_file)
            self.session.headers["Authorization"] = token.get_secret_value()

    def target(self) -> str:
        return self.config.urls[0] if len(self.config.urls) == 1 else f"{len(self.config.urls)}"

    def cycle(self) -> Iterator[Item]:
        failed: list[Exception] = []
        for url in self.config.urls:
            try:
                yield from self._poll(url)
            except (requests.RequestException, ConnectionError) as error:
                failed.append(error)
                self.health.set("degraded", f"{url}: {type(error).__name__}: {error}"[:300])
        if failed and len(failed) == len(self.config.urls):
            raise failed[-1]

    def _poll(self, url: str) -> Iterator[Item]:
        """Fetch one feed and yield its new entries, then the validators as a cursor."""
        known = dict(self.cursor.get(url) or {})
        response = self.session.get(url, headers=_conditional(known),
                                    timeout=self.config.request_timeout)
        if response.status_code == 304:
            return
        self._raise_for_status(url, response)
        validators = {"etag": response.headers.get("ETag"),
                      "modified": response.headers.get("Last-Modified")}
        parsed = feedparser.parse(response.content, response_headers={
            "content-type": response.headers.get("Content-Type", ""), "content-location": url})
        if (parsed.bozo or not parsed.get("version")) and not parsed.entries:
            yield from self._malformed(url, known, validators, response.content,
                                       parsed.get("bozo_exception"))
            return
        now = datetime.now(UTC)
        for entry in reversed(parsed.entries):  # feeds list newest first
            yield self._item(url, parsed.feed, entry, now)
        yield Item(cursor={url: validators})

    def _item(self, url: str, feed: dict[str, Any], entry: dict[str, Any],
              now: datetime) -> Item:
        try:
            post = entry_post(url, feed, entry, track_updates=self.config.track_updates,
                              now=now)
        except (KeyError, TypeError, ValueError) as error:
            return Item(raw=json.dumps(dict(entry), default=str),
                        error=f"bad feed entry in {url}: {error}")
        return Item(post=post) if self.wanted(post.text) else Item()

    def _malformed(self, url: str, known: dict[str, Any], validators: dict[str, Any],
                   body: bytes, error: Exception | None) -> Iterator[Item]:
        """One dead letter per distinct unreadable body (a feed stuck broken is told once)."""
        digest = hashlib.sha256(body).hexdigest()
        if known.get("bad") == digest:
            return
        self.health.set("degraded", f"{url}: malformed feed: {error}"[:300])
        yield Item(raw=body[:MAX_DEAD_LETTER_BYTES].decode("utf-8", "replace"),
                   error=f"malformed feed {url}: {type(error).__name__}: {error}",
                   cursor={url: {**validators, "bad": digest}})

    def _raise_for_status(self, url: str, response: requests.Response) -> None:
        status = response.status_code
        if status in (401, 403):
            raise AuthFailed(f"feed {url} refused access (HTTP {status})")
        if status in (429, 503) and (status == 429 or response.headers.get("Retry-After")):
            wait = response.headers.get("Retry-After") or self.config.rate_limit_wait
            raise RateLimited(f"feed {url}: HTTP {status}", _seconds(wait))
        response.raise_for_status()

    def probe(self) -> str:
        for url in self.config.urls:
            response = self.session.get(url, timeout=self.config.request_timeout)
            self._raise_for_status(url, response)
            if not feedparser.parse(response.content).get("version"):
                raise ValueError(f"{url} is not an RSS or Atom feed")
        return f"{len(self.config.urls)} feed(s) reachable"


def _conditional(known: dict[str, Any]) -> dict[str, str]:
    headers = {}
    if known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if known.get("modified"):
        headers["If-Modified-Since"] = known["modified"]
    return headers


def _seconds(value: Any) -> float:
    """``Retry-After`` is seconds or an HTTP date."""
    try:
        return float(value)
    except (TypeError, ValueError):
        pass
    try:
        return max(0.0, (parsedate_to_datetime(str(value)) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return 60.0
