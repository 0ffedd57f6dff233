"""Pure classification stages: language, noise, topic, sentiment, urgency and priority.

Nothing here does I/O at call time; models and rule files are loaded once at construction.
"""

__all__ = [  # the public submodules
    "brands",
    "cascade",
    "char_ngrams",
    "complaint",
    "config",
    "dedup",
    "e5",
    "e5_webcare",
    "language",
    "line",
    "noise",
    "noise_rules",
    "patterns",
    "pipeline",
    "scopes",
    "sentiment",
    "textcat",
    "topic",
    "transformer",
    "types",
    "urgency",
]
