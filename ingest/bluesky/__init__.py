"""Bluesky: the Jetstream source, engagement counts from the AppView and replies over XRPC."""

__all__ = [  # the public submodules
    "config",
    "counts",
    "reply",
    "source",
]
