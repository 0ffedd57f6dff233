"""Alerts (issue 21): on-call notifications to Slack, Microsoft Teams, e-mail and signed
webhooks, for incident events, SLA warnings and breaches, unhealthy sources and dead-letter
spikes; filtered, deduplicated, rate-limited, delivered through a persisted outbox.
See docs/alerts.md."""

__all__ = [  # the public submodules
    "channels",
    "config",
    "delivery",
    "evaluate",
    "events",
    "wiring",
]
