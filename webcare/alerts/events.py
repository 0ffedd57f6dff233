"""What an alert says: :class:`AlertEvent`, built from an incident event, a queue item near or
past its SLA, an unhealthy source or a dead-letter spike; and the per-alert ``when:`` filter.

Producers (the incident listener, :mod:`webcare.alerts.evaluate`) build events; the outbox
stores them as JSON and the channels render them at delivery time. ``key`` is the event's
idempotency key: the same occurrence (the same incident event, the same item's warning or
breach, the same unhealthy episode of a source, the same spike window) always gets the same
key, so each alert delivers it once. ``attrs`` carries what ``when:`` filters on; an attribute
an event does not carry is absent (the filter key is then not applied). Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, Field

from schemas import Incident, QueueItem
from sinks.store.alert_outbox import NewAlert
from sinks.store.records import iso
from webcare.alerts.config import URGENCY_RANK, AlertBase

DIGEST = "alerts.digest"
TEST = "alerts.test"
SEVERITY_OF_SOURCE = {"auth_failed": "critical", "stale": "high", "rate_limited": "high"}


class AlertEvent(BaseModel):
    event: str
    key: str
    subject: str
    at: datetime
    severity: str = Field(description="critical, high, medium, low or info")
    title: str
    text: str
    facts: list[tuple[str, str]] = Field(default_factory=list)
    attrs: dict[str, Any] = Field(default_factory=dict)
    data: dict[str, Any] = Field(default_factory=dict)

    def new_alert(self) -> NewAlert:
        return NewAlert(self.key, self.event, self.subject, self.at, self.model_dump_json())

    @property
    def message_id(self) -> str:
        """A stable short id of the key (e-mail Message-ID, logs)."""
        return hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:32]


def matches(alert: AlertBase, event: AlertEvent) -> bool:
    """True if ``alert`` subscribes to the event's kind and its ``when:`` lets it through."""
    if not alert.wants(event.event):
        return False
    when, attrs = alert.when, event.attrs
    for key in ("brand", "topic", "source"):
        wanted = getattr(when, key)
        if wanted is not None and key in attrs and attrs[key] not in wanted:
            return False
    if when.platform is not None and "platforms" in attrs \
            and not set(attrs["platforms"]) & set(when.platform):
        return False
    if when.min_urgency is not None and "urgency" in attrs \
            and URGENCY_RANK.get(attrs["urgency"], -1) < URGENCY_RANK[when.min_urgency]:
        return False
    return True


# -- producers -------------------------------------------------------------------------------
def from_incident(kind: str, incident: Incident, at: datetime) -> AlertEvent:
    """``incident.opened|updated|resolved`` from one correlator event (the ticket event id)."""
    verb = {"opened": "opened", "updated": "update", "resolved": "resolved"}[kind]
    brand = incident.brand or "-"
    title = f"Incident {verb}: {incident.title}"
    if kind == "resolved":
        text = (f"{brand} {incident.topic}: resolved after {incident.post_count} posts "
                f"({_span(incident.first_seen, incident.last_seen)}).")
    else:
        text = (f"{incident.post_count} posts about {incident.topic} for {brand} since "
                f"{_hm(incident.first_seen)}; urgency {incident.urgency}.")
    facts = [("Brand", brand), ("Topic", incident.topic), ("Urgency", incident.urgency),
             ("Posts", str(incident.post_count)), ("Status", incident.status),
             ("Platforms", ", ".join(incident.platforms) or "-"), ("Incident", incident.key)]
    if incident.reasons:
        facts.append(("Why", "; ".join(incident.reasons)[:300]))
    return AlertEvent(
        event=f"incident.{kind}", key=f"incident.{kind}|{incident.key}|{iso(at)}",
        subject=f"incident:{incident.key}", at=at, title=title, text=text, facts=facts,
        severity=incident.urgency if kind != "resolved" else "info",
        attrs={"brand": incident.brand, "topic": incident.topic, "urgency": incident.urgency,
               "platforms": list(incident.platforms)},
        data={"kind": kind, "incident": incident.model_dump(mode="json")})


def sla_event(item: QueueItem, brand: str | None, phase: str, deadline: datetime,
              minutes: int, now: datetime) -> AlertEvent:
    """``item.sla_breach`` in ``phase`` "warning" (before the deadline) or "breached"."""
    left = (deadline - now).total_seconds() / 60
    when = (f"due in {left:.0f} min" if phase == "warning"
            else f"overdue by {-left:.0f} min")
    title = (f"SLA {'warning' if phase == 'warning' else 'breached'}: {item.urgency} "
             f"{item.topic} post on {item.platform} {when}")
    text = f"{item.author_handle}: {' '.join(item.text.split())[:280]}"
    facts = [("Urgency", item.urgency), ("SLA", f"{minutes} min to first reply"),
             ("Deadline", deadline.strftime("%Y-%m-%d %H:%M UTC")), ("Status", item.status),
             ("Topic", item.topic), ("Platform", item.platform), ("Brand", brand or "-"),
             ("Item", item.post_id)]
    return AlertEvent(
        event="item.sla_breach", key=f"item.sla_breach|{phase}|{item.post_id}",
        subject=f"item:{item.post_id}", at=deadline if phase == "breached" else now,
        title=title, text=text, facts=facts,
        severity=item.urgency, attrs={"brand": brand, "topic": item.topic,
                                      "urgency": item.urgency, "platforms": [item.platform]},
        data={"phase": phase, "deadline": deadline.isoformat(), "sla_minutes": minutes,
              "item": item.model_dump(mode="json")})


def source_event(row: dict[str, Any], since: datetime) -> AlertEvent:
    """``source.unhealthy`` for one state row (``auth_failed``, ``stale``, long
    ``rate_limited``); the episode starts at ``since`` (part of the key: a new episode alerts
    again)."""
    state, source = row["state"], row["source"]
    what = {"auth_failed": "credentials rejected", "stale": "no heartbeat (process gone?)",
            "rate_limited": "rate-limited"}[state]
    platform = source.split(":")[0]
    return AlertEvent(
        event="source.unhealthy", key=f"source.unhealthy|{source}|{state}|{iso(since)}",
        subject=f"source:{source}", at=since, severity=SEVERITY_OF_SOURCE[state],
        title=f"Source {source} unhealthy: {what}", text=str(row.get("detail") or state),
        facts=[("Source", source), ("State", state), ("Since", _hm(since)),
               ("Records", str(row.get("records", 0))),
               ("Checkpointed", str(row.get("checkpointed_at") or "-"))],
        attrs={"source": source, "urgency": SEVERITY_OF_SOURCE[state],
               "platforms": [platform]},
        data={"source": source, "state": state, "detail": row.get("detail"),
              "since": since.isoformat(), "state_path": row.get("state_path")})


def dead_letter_event(count: int, window_minutes: float, start: datetime,
                      now: datetime) -> AlertEvent:
    """``dead_letters.spike``: ``count`` dead letters in the window starting at ``start``
    (one event per window)."""
    return AlertEvent(
        event="dead_letters.spike", key=f"dead_letters.spike|{window_minutes:g}|{iso(start)}",
        subject="dead_letters", at=now, severity="high",
        title=f"Dead letters spike: {count} in the last {window_minutes:g} min",
        text="Records are failing a stage; their payloads and reasons are in the store's "
             "dead_letters table.",
        facts=[("Dead letters", str(count)), ("Window", f"{window_minutes:g} min"),
               ("Since", _hm(start))],
        attrs={"urgency": "high"},
        data={"count": count, "window_minutes": window_minutes, "window_start": start.isoformat()})


def digest_event(alert: str, rows: list[tuple[str, str, str]], max_per_hour: int,
                 now: datetime) -> AlertEvent:
    """One message for the alerts held back by ``max_per_hour``: counts per event kind and
    the first titles."""
    events = [AlertEvent.model_validate_json(row[2]) for row in rows]
    kinds = Counter(e.event for e in events)
    lines = [f"- {e.title}" for e in events[:15]]
    if len(events) > 15:
        lines.append(f"- ... and {len(events) - 15} more")
    summary = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    return AlertEvent(
        event=DIGEST, key=f"{DIGEST}|{now.timestamp()}", subject=f"digest:{alert}", at=now,
        severity=max((e.severity for e in events), key=lambda s: URGENCY_RANK.get(s, -1)),
        title=f"{len(events)} more alerts held back (over {max_per_hour}/hour): {summary}",
        text="\n".join(lines), facts=[(kind, str(n)) for kind, n in kinds.most_common()],
        data={"count": len(events), "events": dict(kinds),
              "items": [{"event": e.event, "subject": e.subject, "title": e.title,
                         "key": e.key} for e in events]})


def probe_event(alert: str, now: datetime) -> AlertEvent:
    return AlertEvent(
        event=TEST, key=f"{TEST}|{alert}|{now.timestamp()}", subject=f"test:{alert}", at=now,
        severity="info", title=f"webcare test alert for {alert}",
        text="If you can read this, the alert's destination works.",
        facts=[("Alert", alert), ("Sent", now.strftime("%Y-%m-%d %H:%M:%S UTC"))])


def _hm(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _span(start: datetime, end: datetime) -> str:
    minutes = max(0, int((end - start).total_seconds() // 60))
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"
