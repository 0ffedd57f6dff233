"""Sinks: the store sink (queue, incidents, trends, dead letters), the incident sink and the
ticket sinks; all persistence lives in :mod:`sinks.store`."""

__all__ = [  # the public submodules
    "incident_sink",
    "outbox_delivery",
    "store",
    "store_sink",
    "tickets",
]
