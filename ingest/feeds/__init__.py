"""ingest/feeds."""
