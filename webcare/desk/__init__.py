"""The service desk's organisation (issue 21): teams, assignment, SLA policies on business
time, per-brand canned replies. Below the app and the alerts, which both use its one SLA clock
(:class:`webcare.desk.sla.Desk`); its SQL lives in :mod:`sinks.store.assignment`."""

__all__ = ["assign", "canned", "clock", "config", "load", "sla"]
