"""Sinks: the webcare queue store, incidents, trends and dead letters (and later ITSM tools)."""
