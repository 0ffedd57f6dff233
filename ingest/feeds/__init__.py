"""RSS/Atom feeds (forums, status pages): the polling source and its entry mapping."""

__all__ = [  # the public submodules
    "config",
    "normalise",
    "source",
]
