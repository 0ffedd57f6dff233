"""Kafka distributed mode: topics, messages and consumer-group workers for each stage."""

__all__ = [  # the public submodules
    "client",
    "config",
    "event_order",
    "ingest",
    "logs",
    "messages",
    "metrics",
    "stages",
    "tansu",
    "worker",
]
