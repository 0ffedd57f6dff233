"""FAQ candidates from answered questions: collection, grouping and export."""

__all__ = [  # the public submodules
    "collect",
    "config",
    "export",
    "grouping",
    "questions",
]
