"""Viva Engage (Yammer): the community source, its message mapping and the reply channel."""

__all__ = [  # the public submodules
    "channel",
    "config",
    "normalise",
    "source",
]
