"""The source types, by the ``type`` key of a ``sources`` entry in the YAML config.

``webcare.job.config`` builds its ``SourceConfig`` union from :data:`LIVE_CONFIGS` (and
:class:`ingest.config.ReplayConfig`); :func:`ingest.manage.build_sources` builds the sources
through :func:`source_class`. The config models are light; a source's module (and its client
library: tweepy, praw, Mastodon.py, websockets, ...) is imported only when a source of that type
is built. Adding a platform means adding its config and its class here (and nowhere else).
"""

from __future__ import annotations

from importlib import import_module

from ingest.bluesky.config import BlueskyConfig
from ingest.chat.config import ChatConfig
from ingest.config import WebhookConfig
from ingest.engage.config import EngageConfig
from ingest.facebook.config import FacebookConfig
from ingest.feeds.config import FeedConfig
from ingest.mastodon.config import MastodonConfig
from ingest.reddit.config import RedditConfig
from ingest.x.config import XConfig

LIVE_CONFIGS = (BlueskyConfig, MastodonConfig, XConfig, FacebookConfig, WebhookConfig,
                RedditConfig, FeedConfig, EngageConfig, ChatConfig)

# type -> "module:class" of the source it builds
SOURCE_CLASSES = {
    "replay": "ingest.replay:ReplaySource",
    "bluesky": "ingest.bluesky.source:BlueskySource",
    "mastodon": "ingest.mastodon.source:MastodonSource",
    "x": "ingest.x.source:XSource",
    "facebook": "ingest.facebook.source:FacebookSource",
    "webhook": "ingest.webhook:WebhookSource",
    "reddit": "ingest.reddit.source:RedditSource",
    "feed": "ingest.feeds.source:FeedSource",
    "engage": "ingest.engage.source:EngageSource",
    "chat": "ingest.chat.source:ChatSource",
}


def source_class(source_type: str) -> type:
    """The source class of a ``sources`` entry's ``type`` (its module imported now)."""
    module, name = SOURCE_CLASSES[source_type].split(":")
    return getattr(import_module(module), name)
