"""The ``webcare`` command line (:mod:`webcare.cli.main`) and its command groups."""

__all__ = [  # the public submodules
    "app",
    "desk",
    "engagement",
    "entry",
    "kafka",
    "knowledge",
    "main",
    "outbound",
]
