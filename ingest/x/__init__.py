"""X (Twitter) API v2: the stream/search source, its mapping, public metrics and replies."""

__all__ = [  # the public submodules
    "config",
    "counts",
    "normalise",
    "reply",
    "source",
]
