"""ingest/facebook."""
