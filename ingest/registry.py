"""The live source types, by the ``type`` key of a ``sources`` entry in the YAML config.

``webcare.config`` merges these into its ``SOURCE_TYPES`` registry and ``SourceConfig``
union; adding a platform means adding its config and class here (and nowhere else).
"""

from __future__ import annotations

from ingest.bluesky import BlueskyConfig, BlueskySource
from ingest.chat import ChatConfig, ChatSource
from ingest.engage import EngageConfig, EngageSource
from ingest.facebook import FacebookConfig, FacebookSource
from ingest.feeds import FeedConfig, FeedSource
from ingest.mastodon import MastodonConfig, MastodonSource
from ingest.reddit import RedditConfig, RedditSource
from ingest.webhook import WebhookConfig, WebhookSource
from ingest.x import XConfig, XSource

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
