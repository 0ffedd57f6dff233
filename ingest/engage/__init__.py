"""ingest/engage."""
