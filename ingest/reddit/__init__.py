"""Reddit: subreddit streams and the inbox as a source, its mapping and replies."""

__all__ = [  # the public submodules
    "config",
    "normalise",
    "reply",
    "source",
]
