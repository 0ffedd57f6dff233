"""The ``webcare`` command line (:mod:`webcare.cli.main`) and its command groups."""

__all__ = [  # the public submodules
    "app",
    "desk",
    "engagement",
    "kafka",
    "knowledge",
    "main",
    "outbound",
]
