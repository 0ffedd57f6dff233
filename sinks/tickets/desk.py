"""The ticket round trip: what the service desk did with each ticket, read back into webcare.

Three ways in, one way to record it:

* **polling** — :class:`StatusPoller` reads the tickets of incidents the desk has not resolved
  yet (``ticket_refs``, stored when the outbox delivered the create) from every sink with
  ``round_trip.enabled``: ServiceNow ``GET /api/now/table/incident/{sys_id}`` (``state``,
  ``close_code``), Jira ``GET /rest/api/2/issue/{key}?fields=status,resolution`` (status
  category ``done``), RT REST2 ``GET /REST/2.0/ticket/{id}`` (``Status``), the ``rest`` sink's
  configured ``round_trip.status`` call and JSONPath. :class:`PollThread` runs it every
  ``poll_minutes`` in the pipeline; ``webcare tickets sync`` runs it once.
* **inbound webhooks** — :func:`parse_report` reads a ServiceNow business rule's POST, a Jira
  webhook or a generic signed JSON POST (the app's ``/api/v1/ticket-events/<sink>``, which
  checks :func:`authentic` first).
* :func:`apply_report` records the desk's status (``ticket_status``) and, for a resolved
  ticket, resolves the incident in the store (:func:`sinks.store.ticket_status.resolve`: the
  status, the reason, the audit entry, decided by ``desk:<sink>:<ticket>``).

The incident sink then hands the resolution to the listeners (ticket outbox, outbound, alerts)
once, as a ``resolved`` event with ``decided_by`` set, and drops the incident from its
correlator so quiet volume never resolves it a second time (:mod:`sinks.incident_sink`). The
delivery loop asks :func:`outgoing` what to send for a ``resolved`` entry: nothing to the
ticket the desk resolved, the resolution to the other tools, and for a quiet-volume resolution
on a round-trip sink only a note that proposes it. A failing read is reported and tried again
at the next pass; nothing here raises for one ticket.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import quote

from pydantic import SecretStr

from schemas import Incident
from schemas.errors import WebcareError
from schemas.plumbing import http
from schemas.plumbing.credentials import secret
from sinks.store import ticket_refs, ticket_status
from sinks.tickets.base import Entry
from sinks.tickets.rest_calls import first_scalar
from sinks.tickets.rest_templates import context

log = logging.getLogger("webcare.tickets")
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class BadReport(WebcareError, ValueError):
    """An inbound body that does not say which ticket and which state (answered 422)."""


@dataclass(frozen=True)
class DeskReport:
    """What the tool says about one ticket: ``status`` is ``open`` or ``resolved``."""

    ticket_id: str
    status: str
    tool_status: str | None = None
    detail: str | None = None
    incident_key: str | None = None  # when the tool sent our correlation id


@dataclass(frozen=True)
class Change:
    """One ticket read: its status before (None: first read) and now; ``resolved`` when this
    read resolved the incident."""

    sink: str
    incident_key: str
    ticket_id: str
    before: str | None
    after: str
    tool_status: str | None
    detail: str | None
    resolved: bool = False
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.error is None and self.before != self.after

    def line(self) -> str:
        if self.error:
            return f"{self.sink} {self.ticket_id} ({self.incident_key}): read failed: {self.error}"
        state = f"{self.before or 'unread'} -> {self.after}"
        tool = f" [{self.tool_status}{': ' + self.detail if self.detail else ''}]"
        tail = "; incident resolved by the desk" if self.resolved else ""
        return f"{self.sink} {self.ticket_id} ({self.incident_key}): {state}{tool}{tail}"


def enabled(configs: list) -> list:
    return [c for c in configs if c.round_trip.enabled]


# -- reading one ticket ------------------------------------------------------------------------
def _mapped(config, tool_status: str | None, done: bool = False) -> str:
    resolved = config.round_trip.resolved_states(config.type)
    return "resolved" if done or (tool_status is not None and tool_status in resolved) \
        else "open"


def read(sink, ticket_id: str, incident: Incident | None = None) -> DeskReport:
    """Ask the tool for the ticket's state; raises Retryable / Rejected like a delivery."""
    config = sink.config
    if config.type == "servicenow":
        fields = "sys_id,number,state,close_code,close_notes"
        data = sink.call("GET", f"/api/now/table/incident/{quote(ticket_id)}?sysparm_fields="
                                 f"{fields}&sysparm_exclude_reference_link=true").json()
        return servicenow_report(config, data.get("result") if isinstance(data, dict) else None,
                                 ticket_id)
    if config.type == "jira":
        data = sink.call("GET", f"/rest/api/2/issue/{quote(ticket_id)}"
                                 f"?fields=status,resolution").json()
        return jira_report(config, data, ticket_id)
    if config.type == "rt":
        data = sink.call("GET", f"/ticket/{quote(ticket_id)}").json()
        return generic_report(config, {"ticket_id": ticket_id, **(data or {})}, "Status")
    if config.type == "rest":
        return rest_report(sink, ticket_id, incident)
    raise http.Rejected(400, "", f"{config.type} tickets cannot be polled (use the webhook)")


def servicenow_report(config, record: Any, ticket_id: str | None = None) -> DeskReport:
    if not isinstance(record, dict):
        raise BadReport("no incident record (result) in the body")
    ticket = record.get("sys_id") or ticket_id
    state = _text(record.get("state"))
    if not ticket or state is None:
        raise BadReport("the record needs sys_id and state")
    detail = " ".join(filter(None, (_text(record.get("number")), _text(record.get("close_code")))))
    return DeskReport(str(ticket), _mapped(config, state), state, detail or None,
                      _text(record.get("correlation_id")))


def jira_report(config, data: Any, ticket_id: str | None = None) -> DeskReport:
    issue = data.get("issue", data) if isinstance(data, dict) else None
    fields = issue.get("fields") if isinstance(issue, dict) else None
    status = fields.get("status") if isinstance(fields, dict) else None
    if not isinstance(status, dict) or not (issue.get("key") or ticket_id):
        raise BadReport("the body needs issue.key and issue.fields.status")
    category = status.get("statusCategory") or {}
    name = _text(status.get("name"))
    done = isinstance(category, dict) and category.get("key") == "done"
    resolution = fields.get("resolution")
    detail = _text(resolution.get("name")) if isinstance(resolution, dict) else None
    return DeskReport(str(issue.get("key") or ticket_id), _mapped(config, name, done), name,
                      detail)


def generic_report(config, data: Any, status_field: str = "status") -> DeskReport:
    """``{"ticket_id": ..., "status": <tool state>, "detail": ...}`` (RT: ``Status``; the
    webhook sink's receivers may send ``correlation_id`` instead of the ticket id)."""
    if not isinstance(data, dict):
        raise BadReport("the body must be a JSON object")
    ticket = _text(data.get("ticket_id") if data.get("ticket_id") is not None else data.get("id"))
    state = _text(data.get(status_field) if status_field in data else data.get("status"))
    key = _text(data.get("correlation_id"))
    if (ticket is None and key is None) or state is None:
        raise BadReport(f"the body needs ticket_id (or correlation_id) and {status_field}")
    return DeskReport(ticket or key, _mapped(config, state), state, _text(data.get("detail")),
                      key)


def rest_report(sink, ticket_id: str, incident: Incident | None) -> DeskReport:
    trip = sink.config.round_trip
    if trip.status is None:
        raise http.Rejected(400, "", "round_trip.status is not configured")
    entry = Entry(0, sink.name, "status", "updated", incident or _placeholder(ticket_id),
                  utcnow())
    response = sink.send(trip.status.prepare(context(entry, ticket_id, {},
                                                     sink.config.params)))
    body = response.json()
    state = first_scalar(trip.path("status_path").find(body))
    if state is None:
        raise http.Rejected(response.status, response.body,
                            f"no ticket state at {trip.status_path}")
    detail = first_scalar(trip.path("detail_path").find(body)) if trip.detail_path else None
    return DeskReport(ticket_id, _mapped(sink.config, state), state, detail)


def rest_inbound(config, data: Any) -> DeskReport:
    trip = config.round_trip
    ticket = first_scalar(trip.path("inbound_ticket_path").find(data))
    state = first_scalar(trip.path("inbound_status_path").find(data))
    if ticket is None or state is None:
        raise BadReport(f"the body needs the ticket id at {trip.inbound_ticket_path} and the "
                        f"state at {trip.inbound_status_path}")
    return DeskReport(ticket, _mapped(config, state), state)


def parse_report(config, body: bytes) -> DeskReport:
    """An inbound webhook body as a report; BadReport (with the reason) when it is not one."""
    try:
        data = json.loads(body)
    except ValueError as error:
        raise BadReport(f"the body is not JSON: {error}") from error
    if config.type == "servicenow":
        record = data.get("result", data) if isinstance(data, dict) else None
        return servicenow_report(config, record)
    if config.type == "jira":
        return jira_report(config, data)
    if config.type == "rest":
        return rest_inbound(config, data)
    return generic_report(config, data, "Status" if config.type == "rt" and isinstance(
        data, dict) and "Status" in data else "status")


def inbound_secret(config) -> SecretStr:
    """The sink's inbound secret; MissingCredential names the variable when it is not set."""
    trip = config.round_trip
    return secret(trip.secret_env(config.sink_name), trip.inbound_secret_file)


def authentic(key: SecretStr, body: bytes, headers: dict[str, str]) -> bool:
    """A valid ``X-Webcare-Signature`` / ``X-Hub-Signature`` (``sha256=<HMAC of the body>``,
    Jira Cloud's webhook secret) or the secret itself as ``Authorization: Bearer`` /
    ``X-Webcare-Token`` (a ServiceNow business rule). ``headers``: lower-case names."""
    raw = key.get_secret_value().encode("utf-8")
    expected = "sha256=" + hmac.new(raw, body, hashlib.sha256).hexdigest()
    for name in ("x-webcare-signature", "x-hub-signature"):
        if headers.get(name) and hmac.compare_digest(headers[name].strip().encode(),
                                                     expected.encode()):
            return True
    scheme, _, token = headers.get("authorization", "").partition(" ")
    offered = token.strip() if scheme.lower() == "bearer" else headers.get("x-webcare-token", "")
    return bool(offered) and hmac.compare_digest(offered.strip().encode(), raw)


# -- recording ---------------------------------------------------------------------------------
def apply_report(db, sink: str, key: str, report: DeskReport, via: str,
                 now: datetime) -> Change:
    """Record the desk's status of one ticket; a resolved ticket resolves its incident."""
    before = ticket_status.record(db, sink, key, report.ticket_id, report.status,
                                  report.tool_status, report.detail, via, now)
    resolved = False
    if report.status == "resolved":
        detail = ", ".join(filter(None, (report.tool_status, report.detail)))
        resolved = ticket_status.resolve(db, key, sink, report.ticket_id, now,
                                         detail or None) is not None
    if before != report.status:
        log.info("ticket %s %s (%s): %s -> %s%s", sink, report.ticket_id, key, before,
                 report.status, " (incident resolved by the desk)" if resolved else "")
    return Change(sink, key, report.ticket_id, before, report.status, report.tool_status,
                  report.detail, resolved)


def receive(db, config, report: DeskReport, now: datetime) -> Change | None:
    """An inbound report for sink ``config``: None when the ticket is not one of ours."""
    name = config.sink_name
    key = ticket_status.incident_of_ticket(db, name, report.ticket_id)
    if key is None and report.incident_key:
        found = ticket_refs.ticket_of_incident(db, name, report.incident_key)
        if found:
            key, report = report.incident_key, replace(report, ticket_id=found)
    return None if key is None else apply_report(db, name, key, report, "webhook", now)


class StatusPoller:
    """Reads back the tickets of every ``round_trip.enabled`` sink (``sinks``: built ticket
    sinks by name, as for delivery)."""

    def __init__(self, configs: list, sinks: dict, clock: Clock = utcnow) -> None:
        self.configs = {c.sink_name: c for c in enabled(configs) if c.sink_name in sinks}
        self.sinks, self.clock = sinks, clock
        self._last: dict[str, datetime] = {}

    def due(self, now: datetime) -> list[str]:
        """Sinks whose ``poll_minutes`` have passed since their last poll (0: never)."""
        return [name for name, c in self.configs.items() if c.round_trip.poll_minutes and (
            name not in self._last or now - self._last[name]
            >= timedelta(minutes=c.round_trip.poll_minutes))]

    def run_once(self, db, names: list[str] | None = None) -> list[Change]:
        """Read every target ticket of ``names`` (default: all round-trip sinks) once."""
        ticket_status.ensure(db)
        changes: list[Change] = []
        for name in self.configs if names is None else names:
            config, sink, now = self.configs[name], self.sinks[name], self.clock()
            self._last[name] = now
            since = now - timedelta(days=config.round_trip.max_age_days)
            for _, key, ticket in ticket_status.targets(db, [name], since):
                try:
                    incident = ticket_status.incident(db, key) if config.type == "rest" else None
                    report = read(sink, ticket, incident)
                    changes.append(apply_report(db, name, key, report, "poll", self.clock()))
                except Exception as error:  # noqa: BLE001 - one ticket never stops the pass
                    log.warning("ticket %s %s: status read failed: %s", name, ticket, error)
                    changes.append(Change(name, key, ticket, None, "?", None, None,
                                          error=f"{type(error).__name__}: {error}"))
        return changes


class PollThread:
    """Runs a :class:`StatusPoller` in the background (one store connection per pass, opened
    by ``open_db`` and closed by ``close_db``)."""

    def __init__(self, poller: StatusPoller, open_db: Callable[[], Any],
                 close_db: Callable[[Any], None], tick: float = 30.0) -> None:
        self.poller, self.open_db, self.close_db, self.tick = poller, open_db, close_db, tick
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ticket-status", daemon=True)

    def start(self) -> PollThread:
        if any(c.round_trip.poll_minutes for c in self.poller.configs.values()):
            self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.tick):  # the first pass one tick after the start
            names = self.poller.due(self.poller.clock())
            if names:
                try:
                    handle = self.open_db()
                    try:
                        self.poller.run_once(handle.db, names)
                    finally:
                        self.close_db(handle)
                except Exception:  # noqa: BLE001 - the store was unreachable: next tick
                    log.exception("ticket status pass failed; retrying")

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)


# -- what the delivery loop sends for a resolution ---------------------------------------------
def outgoing(outbox, sink, entry: Entry) -> tuple[Entry, str | None]:
    """The entry to deliver, or a note saying why nothing is sent (the entry is then marked
    sent): the desk's own resolution is not sent back to its ticket; a quiet-volume
    resolution on a round-trip sink becomes a note proposing it (the desk closes the ticket)."""
    if entry.kind != "resolved":
        return entry, None
    with outbox._lock:
        if not getattr(outbox, "desk_tables", False):
            ticket_status.ensure(outbox.db)
            outbox.desk_tables = True
        found = ticket_status.resolution(outbox.db, entry.incident.key)
    if found is not None and found.resolved_at == entry.event_at:
        if found.sink == entry.sink:
            return entry, f"resolved at the desk ({found.decided_by})"
        return entry, None
    trip = getattr(getattr(sink, "config", None), "round_trip", None)
    if trip is not None and trip.enabled:
        return replace(entry, kind="updated"), None
    return entry, None


def _placeholder(ticket_id: str) -> Incident:
    moment = utcnow()
    return Incident(key=ticket_id, kind="single", brand=None, topic="-", urgency="low",
                    title=ticket_id, first_seen=moment, last_seen=moment, post_count=1)


def _text(value: Any) -> str | None:
    if isinstance(value, dict):  # ServiceNow display values: {"value": ..., "display_value"}
        value = value.get("value")
    if value is None or isinstance(value, bool) or isinstance(value, (list, dict)):
        return None
    text = str(value).strip()
    return text or None
