"""``POST /api/v1/ticket-events/{sink}``: the service desk tells webcare what it did to a ticket.

For ticket sinks with ``round_trip.enabled`` (issue 21). The tool calls it from a ServiceNow
business rule (the record's ``sys_id``, ``state``, ``close_code``), a Jira webhook (``issue``
with ``fields.status``) or any tool's signed JSON POST (``{"ticket_id", "status"}``; RT:
``Status``; ``type: rest``: the configured ``inbound_*_path``). Authentication is a shared
secret per sink (``round_trip.inbound_secret_env`` / ``_file``, default
``$WEBCARE_TICKET_EVENTS_<NAME>``): ``X-Webcare-Signature`` or ``X-Hub-Signature``
``sha256=<HMAC-SHA256 of the body>``, or the secret itself as ``Authorization: Bearer`` or
``X-Webcare-Token``. No session, no CSRF: the caller is a machine holding the secret.

Answers: 200 ``recorded`` (and whether the incident was resolved by this report), 202
``ignored`` for a ticket webcare did not create, 401 bad or missing signature, 400 a body that
is not JSON, 422 a body that does not say which ticket and which state (with the reason), 404
an unknown sink or one without round trip, 413 a body over 1 MiB, 503 when the sink's secret is
not configured. The report is recorded like a poll (:func:`sinks.tickets.desk.receive`); the
pipeline announces a desk resolution to the listeners at its next flush, ``webcare tickets
sync`` at once.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from webcare.app.deps import state

router = APIRouter(prefix="/api/v1", tags=["tickets"])
MAX_BODY = 1 << 20


def _sink_config(config, name: str):
    return next((c for c in config.tickets if c.sink_name == name and c.round_trip.enabled),
                None)


@router.post("/ticket-events/{sink}")
async def ticket_event(sink: str, request: Request) -> JSONResponse:
    """One desk report about one ticket (see the module doc for formats and answers)."""
    from schemas.plumbing.credentials import MissingCredential
    from sinks.tickets import desk

    config = _sink_config(state(request).config, sink)
    if config is None:
        return JSONResponse({"detail": f"no ticket sink {sink!r} with round_trip.enabled"}, 404)
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"detail": "body over 1 MiB"}, 413)
    try:
        key = desk.inbound_secret(config)
    except MissingCredential as error:
        return JSONResponse({"detail": f"inbound secret of {sink!r}: {error}"}, 503)
    headers = {name.lower(): value for name, value in request.headers.items()}
    if not desk.authentic(key, body, headers):
        return JSONResponse({"detail": "a valid signature or token is required"}, 401,
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        report = desk.parse_report(config, body)
    except desk.BadReport as error:
        status = 400 if str(error).startswith("the body is not JSON") else 422
        return JSONResponse({"detail": str(error)}, status)
    change = await run_in_threadpool(_record, request, config, report)
    if change is None:
        return JSONResponse({"status": "ignored", "ticket_id": report.ticket_id,
                             "reason": f"not a ticket webcare created in {sink!r}"}, 202)
    return JSONResponse({"status": "recorded", "ticket_id": change.ticket_id,
                         "incident_key": change.incident_key, "desk_status": change.after,
                         "tool_status": change.tool_status,
                         "incident_resolved": change.resolved}, 200)


def _record(request: Request, config, report):
    from sinks.store import ticket_status
    from sinks.tickets import desk

    db = state(request).store().store.db
    ticket_status.ensure(db)
    return desk.receive(db, config, report, datetime.now(timezone.utc))
