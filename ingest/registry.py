"""The live source types, by the ``type`` key of a ``sources`` entry in the YAML config.

``webcare.job.config`` merges these into its ``SOURCE_TYPES`` registry and ``SourceConfig``
union; adding a platform means adding its config and class here (and nowhere else).
"""

from __future__ import annotations

from ingest.bluesky.source import BlueskyConfig, BlueskySource
from ingest.chat.source import ChatConfig, ChatSource
from ingest.engage.source import EngageConfig, EngageSource
from ingest.facebook.source import FacebookConfig, FacebookSource
from ingest.feeds.source import FeedConfig, FeedSource
from ingest.mastodon.source import MastodonConfig, MastodonSource
from ingest.reddit.source import RedditConfig, RedditSource
from ingest.webhook import WebhookConfig, WebhookSource
from ingest.x.source import XConfig, XSource

LIVE_SOURCES = {
    "bluesky": BlueskySource,
    "mastodon": MastodonSource,
    "x": XSource,
    "facebook": FacebookSource,
    "webhook": WebhookSource,
    "reddit": RedditSource,
    "feed": FeedSource,
    "engage": EngageSource,
    "chat": ChatSource,
}
LIVE_CONFIGS = (BlueskyConfig, MastodonConfig, XConfig, FacebookConfig, WebhookConfig,
                RedditConfig, FeedConfig, EngageConfig, ChatConfig)
