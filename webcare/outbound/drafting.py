"""Incident events → one status-post draft per channel (and language), after each store flush.

:class:`Drafter` is called by the pipeline's incident listener (:mod:`webcare.outbound.wiring`)
with the events the store just applied, on the pipeline's own store connection. For each
configured channel it renders the event's template (``opened`` / ``updated`` / ``resolved``) in
the incident's main language (``language: main``) or in each language of the affected posters
(``language: posters``). Updates are bounded: no update draft while the channel's last status
draft of the incident is younger than ``update_interval_minutes`` (event time), unless the
incident has just become one that publishes automatically while that draft waits. Incidents
whose urgency is in ``auto_publish`` are approved by ``auto`` (audited), the others wait for a
lead. Drafting is idempotent per (channel, event, language): a replay adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from route.incidents import IncidentEvent
from sinks.store import outbound as outbound_rows
from sinks.store.app_db import iso, parse_iso
from sinks.store.app_store import AppStore
from sinks.store.ticket_outbox import event_id
from webcare.outbound import policy, replies, templates
from webcare.outbound.config import OutboundConfig
from webcare.outbound.store import PostStore

AUTO = "auto"


class Drafter:
    def __init__(self, app: AppStore, config: OutboundConfig) -> None:
        self.app, self.config, self.posts = app, config, PostStore(app)

    def __call__(self, events: list[IncidentEvent], now: datetime) -> int:
        """Draft posts for ``events`` (oldest first); returns how many were added."""
        added = 0
        for event in events:
            added += self.draft(event, now)
            if event.kind != "resolved":  # later posters of an announced incident
                replies.plan_status(self.app, self.config, event.incident.key, now)
        return added

    def draft(self, event: IncidentEvent, now: datetime) -> int:
        incident, added = event.incident, 0
        link = templates.status_link(self.config.status_link, incident)
        for channel in self.config.channels:
            name = channel.channel_name
            approved_by = policy.approver(self.posts, event, name, self.config)  # issue 21
            if approved_by is policy.SKIP:
                continue
            if event.kind == "updated" and self._too_soon(incident.key, name, event.at,
                                                          approved_by is not None):
                continue
            for lang in self.languages(incident):
                text = getattr(self.config.templates[lang], event.kind)
                body = templates.shorten(templates.render(text, templates.values(incident, link)),
                                         channel.max_chars)
                added += self.posts.add({
                    "incident_key": incident.key, "event_id": event_id(event.kind, incident,
                                                                       event.at),
                    "kind": event.kind, "channel": name, "channel_type": channel.type,
                    "lang": lang, "body": body, "event_at": iso(event.at)}, approved_by, now)
        return added

    def _too_soon(self, key: str, channel: str, at: datetime, automatic: bool) -> bool:
        """Within the update interval — unless the incident now publishes automatically while
        the last post still waits for approval (a burst that turned strong goes out now)."""
        last = self.posts.last_status(key, channel)
        if last is None or (automatic and last["state"] == "draft"):
            return False
        gap = timedelta(minutes=self.config.update_interval_minutes)
        return at - parse_iso(last["event_at"]) < gap

    def languages(self, incident) -> list[str]:
        """Languages to draft in: the main one, or every poster language that has templates."""
        known = [lang for lang in incident.languages if lang in self.config.templates]
        if self.config.language == "posters":
            found = [lang for lang in outbound_rows.incident_languages(self.app.db, incident.key)
                     if lang in self.config.templates]
            return found or known[:1] or [self.config.default_language]
        return known[:1] or [self.config.default_language]
