"""ingest/mastodon."""
