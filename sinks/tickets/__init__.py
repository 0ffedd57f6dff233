"""Ticket sinks: incidents delivered to ITSM tools through a persisted outbox.

``outbox`` stores one entry per incident event and ticket sink; ``delivery`` sends them in
order per incident with retries; ``servicenow``, ``jira``, ``rt`` and ``webhook`` speak each
tool's API; ``registry`` maps the ``tickets:`` config list to sink objects; ``wiring`` plugs
it all into the pipeline and the ``webcare tickets`` commands.
"""

__all__ = [  # the public submodules
    "base",
    "delivery",
    "jira",
    "registry",
    "rest_auth",
    "rest_calls",
    "rest_templates",
    "rt",
    "servicenow",
    "templated",
    "webhook",
    "wiring",
]
