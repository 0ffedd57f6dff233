"""What every outbound channel shares, the adapters over the app's repliers, the registry.

X, Mastodon and Bluesky reuse the webcare app's reply clients (:mod:`webcare.app.replies`:
tweepy, Mastodon.py, XRPC) with their credential keys; their :class:`ReplyError` becomes the
delivery verdict here. Facebook pages, Viva Engage and the status-page webhook speak plain
HTTP through :mod:`sinks.tickets.http`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ingest.credentials import MissingCredential
from schemas import Post
from sinks.tickets.http import Rejected, Retryable
from webcare.app.replies.base import ReplyError, ReplyTarget


@dataclass(frozen=True)
class Published:
    """Where a status post landed."""

    post_id: str
    url: str


class Channel(Protocol):
    name: str
    can_reply: bool

    def publish(self, text: str, key: str, context: dict | None = None) -> Published:
        """Post ``text``; ``key`` is the outbound id (an idempotency key where one is taken),
        ``context`` the incident event (key, kind, status, lang, link) for channels that want it."""

    def reply(self, post: Post, text: str, key: str) -> str:
        """Answer ``post``; returns the platform's id of the reply."""


def verdict(error: ReplyError) -> Exception:
    """A replier's error as the delivery loop's Retryable / Rejected."""
    if error.status is None or error.status in (408, 429) or error.status >= 500:
        return Retryable(error.describe(), error.retry_after, error.status)
    return Rejected(error.status, str(error), error.describe())


class ReplierChannel:
    """A channel over one of the app's repliers (X, Mastodon, Bluesky)."""

    can_reply = True

    def __init__(self, name: str, replier: Any) -> None:
        self.name, self.replier = name, replier

    def publish(self, text: str, key: str, context: dict | None = None) -> Published:
        try:
            post_id, url = self.replier.publish(text, key)
        except ReplyError as error:
            raise verdict(error) from error
        return Published(post_id, url)

    def reply(self, post: Post, text: str, key: str) -> str:
        try:
            return self.replier.send(ReplyTarget.of(post), text, key)
        except ReplyError as error:
            raise verdict(error) from error


def build_channel(config: Any) -> Channel:
    """One channel client; MissingCredential when its secrets are not set."""
    from webcare.app.replies.bluesky import BlueskyReplier
    from webcare.app.replies.mastodon import MastodonReplier
    from webcare.app.replies.x import XReplier
    from webcare.outbound.channels.engage import EngageChannel
    from webcare.outbound.channels.facebook import FacebookPageChannel
    from webcare.outbound.channels.statuspage import StatuspageChannel

    repliers = {"x": XReplier, "mastodon": MastodonReplier, "bluesky": BlueskyReplier}
    if config.type in repliers:
        try:
            return ReplierChannel(config.channel_name, repliers[config.type](config))
        except LookupError as error:  # the repliers' "nothing configured"
            raise MissingCredential(f"outbound channel {config.channel_name}: {error}") from error
    kinds = {"facebook_page": FacebookPageChannel, "engage_community": EngageChannel,
             "statuspage_webhook": StatuspageChannel}
    return kinds[config.type](config)


def build_channels(configs: list) -> dict[str, Channel]:
    return {c.channel_name: build_channel(c) for c in configs}
