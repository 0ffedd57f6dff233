"""Facebook pages: the webhook source, engagement counts and the Graph API reply channel."""

__all__ = [  # the public submodules
    "channel",
    "config",
    "counts",
    "source",
]
