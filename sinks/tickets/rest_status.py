"""``round_trip:`` of the ``rest`` ticket sink: how to ask any REST tool for a ticket's state.

Read at config load with the ``type: rest`` entry: ``status`` is one call like the sink's
others (:class:`sinks.tickets.rest_calls.Call`, rendered with ``ticket_id``, ``params`` and the
stored ``incident``), ``status_path`` a JSONPath to the tool's state in the answer, ``resolved``
the states that mean resolved (everything else is open), ``detail_path`` an optional JSONPath
to a resolution text. ``inbound_status_path`` / ``inbound_ticket_path`` read the same out of the
tool's webhook body (default ``$.status`` / ``$.ticket_id``). A bad JSONPath or template fails
at load with its key.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from sinks.tickets.desk_config import RoundTrip
from sinks.tickets.rest_calls import Call, compile_jsonpath


class RestRoundTrip(RoundTrip):
    """``round_trip: {enabled: true, status: {method: GET, path: "/api/tickets/{{ ticket_id }}"},
    status_path: $.status, resolved: [resolved, closed]}``."""

    status: Call | None = Field(default=None, description="the call that reads one ticket")
    status_path: str = "$.status"
    detail_path: str | None = None
    inbound_ticket_path: str = "$.ticket_id"
    inbound_status_path: str = "$.status"
    _paths: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _compile(self) -> RestRoundTrip:
        if self.enabled and self.poll_minutes and self.status is None:
            raise ValueError("round_trip.status: the call that reads a ticket is needed for "
                             "polling (or set poll_minutes: 0 for the webhook only)")
        for name in ("status_path", "detail_path", "inbound_ticket_path", "inbound_status_path"):
            value = getattr(self, name)
            if value is not None:
                self._paths[name] = compile_jsonpath(value, f"round_trip.{name}")
        return self

    def path(self, name: str):
        return self._paths.get(name)
