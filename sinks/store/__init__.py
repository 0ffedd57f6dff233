"""sinks/store."""
