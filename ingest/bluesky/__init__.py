"""ingest/bluesky."""
