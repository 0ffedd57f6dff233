"""ingest/reddit."""
