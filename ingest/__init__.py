"""Sources: platform connectors (one folder per platform), push receivers and replay files
that yield raw post records; the source registry and source health."""

__all__ = [  # the public submodules
    "base",
    "batches",
    "bluesky",
    "chat",
    "config",
    "engage",
    "facebook",
    "feeds",
    "health",
    "http_receiver",
    "manage",
    "mastodon",
    "receiver_process",
    "reddit",
    "registry",
    "replay",
    "reply",
    "reply_config",
    "signals",
    "textutil",
    "webhook",
    "x",
]
