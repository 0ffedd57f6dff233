"""Routing: configurable rules that turn a classified post into an action."""

__all__ = [  # the public submodules
    "baseline",
    "burst",
    "evidence",
    "incidents",
    "rules",
]
