"""What every outbound channel shares, the adapters over the app's repliers, the registry.

X, Mastodon and Bluesky reuse their connectors' reply clients (``ingest.<platform>.reply``:
tweepy, Mastodon.py, XRPC) with their credential keys; their :class:`ReplyError` becomes the
delivery verdict here. Facebook pages, Viva Engage and the status-page webhook speak plain
HTTP through :mod:`schemas.plumbing.http`.
"""

from __future__ import annotations

from typing import Any

from ingest.reply import Channel, Published, ReplyError, ReplyTarget
from schemas import Post
from schemas.plumbing.credentials import MissingCredential
from schemas.plumbing.http import Rejected, Retryable


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
    from ingest.bluesky.reply import BlueskyReplier
    from ingest.engage.channel import EngageChannel
    from ingest.facebook.channel import FacebookPageChannel
    from ingest.mastodon.reply import MastodonReplier
    from ingest.x.reply import XReplier
    from webcare.outbound.statuspage import StatuspageChannel

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
