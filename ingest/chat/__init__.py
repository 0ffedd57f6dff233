"""Chat transcripts pushed by webhook: one Post per conversation."""

__all__ = [  # the public submodules
    "config",
    "source",
    "transcript",
]
