"""Training code for the shipped classify/ models (run offline, never at classify time)."""

__all__ = [  # the public submodules
    "complaint",
    "e5_head",
    "e5_webcare",
    "make_itsm_sentiment",
    "posts",
    "sentiment",
    "sentiment_data",
    "sentiment_eval",
    "sentiment_features",
    "sentiment_lexicon",
    "sentiment_stages",
    "topic",
    "transformer",
    "transformer_calibration",
]
