"""ingest/x."""
