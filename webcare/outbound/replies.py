"""Who gets a personal reply, with what text, and whether a platform rule forbids it.

Called after a status post of an incident is published (:mod:`webcare.outbound.delivery`) and
when later events of an announced incident arrive (:mod:`webcare.outbound.drafting`):
:func:`plan_status` plans one ``status`` reply per affected poster (the incident's evidence
posts in the store; the reply goes to the author's latest one), :func:`plan_resolved` one
``resolved`` follow-up to each poster who got (or was about to get) the status reply. Posters
on a platform without a reply channel, and Facebook posters outside Meta's window, are recorded
as ``skipped`` with the reason. Nothing here talks to a platform.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas import Incident
from sinks.store import outbound as outbound_rows
from sinks.store import posts as post_rows
from sinks.store.app_db import parse_iso
from sinks.store.app_store import AppStore
from webcare.outbound import templates
from webcare.outbound.config import OutboundConfig
from webcare.outbound.reply_store import ReplyStore, author_key

META_PLATFORMS = ("facebook",)


def announced(app: AppStore, incident_key: str) -> bool:
    """True once a status post (opened / updated) of the incident is published."""
    return outbound_rows.OutboundPosts(app).announced(incident_key)


def affected_posters(app: AppStore, incident_key: str) -> list[dict[str, Any]]:
    """The latest evidence post of each author of the incident, oldest author first."""
    rows = outbound_rows.incident_poster_rows(app.db, incident_key)
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        latest[(row["platform"], author_key(row["author_handle"]))] = row
    return sorted(latest.values(), key=lambda r: (r["created_at"], r["post_id"]))


def window_reason(app: AppStore, config: OutboundConfig, platform: str, handle: str,
                  now: datetime) -> str | None:
    """Why Meta's messaging window forbids a reply now (None: allowed or not a Meta platform)."""
    if platform not in META_PLATFORMS:
        return None
    last = post_rows.author_last_post_at(app.db, platform, handle)
    if last is None:
        return "no post of the author is stored (Meta's window cannot be checked)"
    hours = (now - parse_iso(last)).total_seconds() / 3600
    limit = config.replies.meta_window_hours
    if hours > limit:
        return f"outside Meta's {limit:g}-hour window: the author's last post is {hours:.1f} h old"
    return None


def plan_status(app: AppStore, config: OutboundConfig, incident_key: str, now: datetime) -> int:
    """One ``status`` reply per affected poster of an announced incident; returns new ones."""
    if not config.replies.enabled or not announced(app, incident_key):
        return 0
    incident = incident_of(app, incident_key)
    store, added = ReplyStore(app), 0
    with app.db.tx():  # one transaction for the whole burst of posters
        for poster in affected_posters(app, incident_key):
            added += store.plan(_row(app, config, incident, poster, "status", now), now)
    return added


def plan_resolved(app: AppStore, config: OutboundConfig, incident_key: str, now: datetime) -> int:
    """Follow-ups once the resolution is published: replies not yet sent are skipped, and
    everyone who got or was due a status reply is told it is resolved."""
    store = ReplyStore(app)
    waiting = store.of(incident_key, "status", ("pending",))
    store.skip_pending(incident_key, "status", "the incident was resolved before it was sent")
    if not config.replies.enabled or not config.replies.resolved_follow_up:
        return 0
    incident, added = incident_of(app, incident_key), 0
    with app.db.tx():
        for reply in store.of(incident_key, "status", ("published",)) + waiting:
            poster = {"post_id": reply["post_id"], "platform": reply["author_platform"],
                      "author_handle": reply["author_handle"], "lang": reply["lang"],
                      "created_at": reply["post_at"]}
            added += store.plan(_row(app, config, incident, poster, "resolved", now), now)
    return added


def _row(app: AppStore, config: OutboundConfig, incident: Incident, poster: dict[str, Any],
         kind: str, now: datetime) -> dict[str, Any]:
    platform, handle = poster["platform"], poster["author_handle"]
    lang = poster["lang"] if poster["lang"] in config.templates else config.default_language
    text = getattr(config.templates[lang], "reply" if kind == "status" else "reply_resolved")
    link = templates.status_link(config.status_link, incident)
    channel = config.reply_channel(platform)
    body = templates.render(text, {**templates.values(incident, link), "author": handle})
    reason = (f"no outbound channel answers {platform} posts" if channel is None
              else window_reason(app, config, platform, handle, now))
    return {"incident_key": incident.key, "kind": kind, "platform": platform, "handle": handle,
            "post_id": poster["post_id"], "post_at": poster["created_at"], "lang": lang,
            "channel": channel.channel_name if channel else None,
            "body": templates.shorten(body, channel.max_chars if channel else None),
            "state": "skipped" if reason else "pending", "reason": reason}


def incident_of(app: AppStore, key: str) -> Incident:
    """The stored incident (its latest aggregates)."""
    return Incident.model_validate_json(post_rows.incident_json(app.db, key))
