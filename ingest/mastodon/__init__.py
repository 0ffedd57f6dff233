"""Mastodon: timelines and mentions as a source, its status mapping and replies."""

__all__ = [  # the public submodules
    "config",
    "normalise",
    "reply",
    "source",
]
