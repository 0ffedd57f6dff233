"""All persistence: the SQLite and PostgreSQL stores, the app's tables, incident rows and
state, the ticket outbox, push intake, source state, the SQL schemas and the store registry."""

__all__ = [  # the public submodules
    "alert_outbox",
    "app_db",
    "app_store",
    "config",
    "incident_rows",
    "incident_state",
    "intake",
    "migrations",
    "outbox",
    "post_facts",
    "postgres",
    "records",
    "registry",
    "source_state",
    "sqlite",
    "ticket_outbox",
]
