"""schemas/plumbing."""
