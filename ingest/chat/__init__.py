"""ingest/chat."""
