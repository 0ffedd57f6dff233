"""Sources: platform clients and replay files that yield raw post records."""
