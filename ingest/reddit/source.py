"""Reddit via praw: subreddit submission/comment streams and the account's inbox.

Streams (``submissions``, ``comments`` of ``r/a+b``; ``mentions`` and comment ``replies`` of
the inbox with ``inbox: true``) are praw ``stream_generator``s with ``pause_after=0``: one
``cycle`` drains every stream until Reddit has nothing new, then the base loop waits
``poll_interval``. The generators survive between cycles; a new one (after an error or a
restart) continues ``before`` the checkpointed fullname, so nothing is skipped, and the
dedup window drops the overlap when Reddit falls back to the newest page. A rejected client
or password (401, ``invalid_grant``) or a 403 → :class:`AuthFailed`; 429 →
:class:`RateLimited` for ``Retry-After``/``x-ratelimit-reset`` seconds. A thing that does not
normalise becomes a dead letter. ``oauth_url``/``reddit_url`` point praw at a proxy or fake.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import praw
from praw.models.util import stream_generator
from prawcore import exceptions as core

from ingest.base import Item, LiveSource
from ingest.reddit.config import RedditConfig
from ingest.reddit.normalise import thing_dict, thing_post
from schemas.errors import AuthFailed, RateLimited
from schemas.plumbing.credentials import secret


class RedditSource(LiveSource):
    """See the module docstring; one ``cycle`` = every stream drained once."""

    platform = "reddit"

    def __init__(self, config: RedditConfig, state=None) -> None:
        super().__init__(config, state)
        c = config
        client_id = secret(c.client_id_env, c.client_id_file)
        client_secret = secret(c.client_secret_env, c.client_secret_file)
        username = secret(c.username_env, None, required=c.inbox)
        password = secret(c.password_env, c.password_file, required=c.inbox)
        self.reddit = praw.Reddit(
            client_id=client_id.get_secret_value(),
            client_secret=client_secret.get_secret_value(),
            username=username.get_secret_value() if username else None,
            password=password.get_secret_value() if password else None,
            user_agent=c.user_agent, oauth_url=c.oauth_url.rstrip("/"),
            reddit_url=c.reddit_url.rstrip("/"), check_for_updates=False,
            requestor_kwargs={"timeout": c.request_timeout})
        self._streams: dict[str, Iterator[Any]] = {}
        self._authors: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def target(self) -> str:
        return "+".join(self.config.subreddits) or "inbox"

    def _listings(self) -> dict[str, Callable[..., Iterator[Any]]]:
        """Stream key → praw listing function (what ``stream_generator`` polls)."""
        listings: dict[str, Callable[..., Iterator[Any]]] = {}
        if self.config.subreddits:
            sub = self.reddit.subreddit("+".join(self.config.subreddits))
            for kind in self.config.streams:
                listings[kind] = sub.new if kind == "submissions" else sub.comments
        if self.config.inbox:
            listings["mentions"] = self.reddit.inbox.mentions
            listings["replies"] = self.reddit.inbox.comment_replies
        return listings

    def cycle(self) -> Iterator[Item]:
        with _translated_errors(self.config.rate_limit_wait):
            if self.config.inbox:
                self.reddit.user.me()  # a wrong password fails here, before any listing
            self.health.set("ok", "connected")
            for key, listing in self._listings().items():
                yield from self._drain(key, listing)

    def _drain(self, key: str, listing: Callable[..., Iterator[Any]]) -> Iterator[Item]:
        """Yield one stream's new things until praw pauses (a response with nothing new)."""
        stream = self._streams.get(key)
        if stream is None:
            since = self.cursor.get(key)
            stream = self._streams[key] = stream_generator(
                listing, pause_after=0, continue_after_id=since,
                skip_existing=self.config.skip_existing and since is None)
        try:
            for thing in stream:
                if thing is None:
                    return
                yield self._item(key, thing)
        except BaseException:
            self._streams.pop(key, None)  # a failed generator is finished; resume from cursor
            raise

    def _item(self, key: str, thing: Any) -> Item:
        data: dict[str, Any] = {}
        try:
            data = thing_dict(thing)
            post = thing_post(data, self._author_details(data))
        except (KeyError, TypeError, ValueError) as error:
            return Item(raw=json.dumps(data, default=str),
                        error=f"bad Reddit {key} thing: {type(error).__name__}: {error}")
        cursor = {key: _newest(self.cursor.get(key), post.platform_id)}
        return Item(post=post, cursor=cursor) if self.wanted(post.text) else Item(cursor=cursor)

    def _author_details(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """Karma and profile followers of the author (``author_details: true``), cached."""
        name = data.get("author")
        if not self.config.author_details or not name or name == "[deleted]":
            return None
        if name not in self._authors:
            try:
                about = self.reddit.request(method="GET", path=f"user/{name}/about")
                self._authors[name] = author_details(about.get("data") or {})
            except (core.NotFound, core.Forbidden, core.Redirect):
                self._authors[name] = {}  # suspended or shadow-banned: unknown, not fatal
            while len(self._authors) > 5000:
                self._authors.popitem(last=False)
        return self._authors[name]

    def probe(self) -> str:
        with _translated_errors(self.config.rate_limit_wait):
            if self.config.inbox:
                return f"token of u/{self.reddit.user.me()}, inbox readable"
            sub = self.reddit.subreddit("+".join(self.config.subreddits))
            list(sub.new(limit=1))
        return f"r/{self.target()} readable (app-only token)"


def author_details(about: dict[str, Any]) -> dict[str, Any]:
    """The reach fields of ``/user/<name>/about``: karma and profile followers."""
    profile = about.get("subreddit") if isinstance(about.get("subreddit"), dict) else {}
    return {"link_karma": int(about.get("link_karma") or 0),
            "comment_karma": int(about.get("comment_karma") or 0),
            "followers": int(profile.get("subscribers") or 0)}


def _newest(current: str | None, fullname: str) -> str:
    """The newer of two fullnames of one kind (base-36 ids grow over time)."""
    if current is None:
        return fullname
    return max(current, fullname, key=lambda name: int(name.split("_", 1)[1], 36))


class _translated_errors:
    """Context manager: prawcore errors → AuthFailed / RateLimited (others pass through)."""

    def __init__(self, default_wait: float) -> None:
        self.default_wait = default_wait

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, tb) -> bool:
        if isinstance(error, core.TooManyRequests):
            headers = error.response.headers
            wait = error.retry_after or headers.get("x-ratelimit-reset") or self.default_wait
            raise RateLimited(f"Reddit rate limit: {error}", float(wait)) from error
        refused = (core.OAuthException, core.InvalidToken, core.Forbidden,
                   core.InsufficientScope)
        if isinstance(error, refused) or (isinstance(error, core.ResponseException)
                                          and error.response.status_code == 401):
            raise AuthFailed(f"Reddit rejected the credentials: {error}") from error
        return False
