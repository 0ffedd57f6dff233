"""Training code for the shipped classify/ models (run offline, never at classify time)."""
