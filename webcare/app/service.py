"""The actions an agent takes on a queue item; the HTML pages and the JSON API both call these.

Roles are checked here as well as in the routes (defence in depth). Acting on an item someone
else has claimed is refused with :class:`Conflict` naming the owner; acting on an unclaimed item
claims it first. Every action is audited by :class:`sinks.store.app_store.AppStore`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas import Decision
from schemas.errors import WebcareError
from schemas.results import URGENCY_LEVELS
from sinks.store import items as item_rows
from sinks.store import posts as post_rows
from sinks.store import queue as queue_rows
from sinks.store import records
from sinks.store.app_db import now
from sinks.store.app_store import AppStore
from webcare.app.config import AppConfig
from webcare.app.queries import item as load_item
from webcare.app.replies import AlreadySending, Outcome, send_reply

PERMISSIONS = {
    "queue:read": {"agent", "lead", "comms", "admin"},
    "queue:act": {"agent", "lead", "admin"},
    "claim:override": {"lead", "admin"},
    "audit:read": {"lead", "admin"},
    "dashboard:read": {"comms", "lead", "admin"},
    "knowledge:read": {"agent", "lead", "comms", "admin"},
    "outbound:read": {"agent", "lead", "comms", "admin"},  # outbound incident updates (issue 8)
    "outbound:decide": {"lead", "admin"},
    "deadletters:manage": {"lead", "admin"},  # list, reprocess, discard (issue 21)
    "queue:export": {"agent", "lead", "comms", "admin"},  # CSV of the filtered queue
    "teams:read": {"lead", "admin"},  # team load (issue 21)
    "assign:any": {"lead", "admin"},  # assign an item to an agent, set others' availability
}
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class User:
    name: str
    role: str


ASSIGNABLE_ROLES = ("agent", "lead", "admin")  # who may be given queue items (issue 21)

class Forbidden(WebcareError, PermissionError):
    pass


class NotFound(WebcareError, LookupError):
    pass


class Conflict(WebcareError, RuntimeError):
    def __init__(self, message: str, owner: str | None = None) -> None:
        super().__init__(message)
        self.owner = owner


def allowed(user: User, permission: str) -> bool:
    return user.role in PERMISSIONS[permission]


def require(user: User, permission: str) -> None:
    if not allowed(user, permission):
        raise Forbidden(f"role {user.role!r} may not {permission}")


def _own(app: AppStore, user: User, post_id: str) -> None:
    if not queue_rows.exists(app.db, post_id):
        raise NotFound(f"no queue item {post_id!r}")
    won, owner = app.claim(post_id, user.name)
    if not won:
        raise Conflict(f"claimed by {owner}", owner)


def claim(app: AppStore, user: User, post_id: str) -> None:
    require(user, "queue:act")
    _own(app, user, post_id)


def release(app: AppStore, user: User, post_id: str) -> None:
    require(user, "queue:act")
    owner = app.owner(post_id)
    if owner is None:
        return
    if not app.release(post_id, user.name, force=allowed(user, "claim:override")):
        raise Conflict(f"claimed by {owner}", owner)


def render_canned(template: str, values: dict[str, str]) -> str:
    """``{name}`` variables replaced by plain values; unknown ones stay as written."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def canned_for(config: AppConfig, app: AppStore, user: User, post_id: str,
               name: str) -> str | None:
    view = load_item(app, config, post_id, now())
    if view is None:
        return None
    item = view["item"]
    templates = config.canned.get(item.lang) or config.canned.get("en", {})
    if name not in templates:
        return None
    return render_canned(templates[name], {
        "author": item.author_handle, "topic": item.topic.replace("_", " "), "agent": user.name,
        "brand": view["decision"].classification.brand or "", "incident":
        item.incident_key or "incident"})


def reply(app: AppStore, config: AppConfig, user: User, post_id: str, body: str,
          idempotency_key: str | None = None) -> str:
    """Send a reply through the post's platform (or record it as a dry-run); returns the mode
    (``sent`` or ``dry-run``). See :func:`reply_outcome`."""
    return reply_outcome(app, config, user, post_id, body, idempotency_key).mode


def reply_outcome(app: AppStore, config: AppConfig, user: User, post_id: str, body: str,
                  idempotency_key: str | None = None) -> Outcome:
    """Send once per idempotency key (:func:`webcare.app.replies.send_reply`); a platform
    refusal raises :class:`webcare.app.replies.ReplyFailed` (audited, item not marked
    replied), a send of the same key in progress :class:`Conflict`."""
    require(user, "queue:act")
    body = body.strip()
    if not body or len(body) > 5000:
        raise ValueError("a reply needs 1 to 5000 characters")
    _own(app, user, post_id)
    post = Decision.model_validate_json(post_rows.decision_json(app.db, post_id)).post
    try:
        return send_reply(app, config.reply, user.name, post, body, idempotency_key)
    except AlreadySending as error:
        raise Conflict(str(error)) from error


def escalate(app: AppStore, config: AppConfig, user: User, post_id: str) -> str:
    """Link the item to its service-desk incident, opening a single one when none exists."""
    require(user, "queue:act")
    _own(app, user, post_id)
    view = load_item(app, config, post_id, now())
    decision = view["decision"]
    key = view["item"].incident_key
    if key is None or not item_rows.incident_exists(app.db, key):
        incident = records.single_incident(decision.model_copy(update={"incident_key": None}))
        key = incident.key
        item_rows.open_single_incident(app.db, incident, post_id)
    app.set_status(post_id, user.name, "escalate", "escalated", incident_key=key)
    return key


def dismiss(app: AppStore, user: User, post_id: str, reason: str = "noise") -> None:
    require(user, "queue:act")
    _own(app, user, post_id)
    app.set_status(post_id, user.name, "dismiss", "dismissed", {"reason": reason[:200]})


def relabel(app: AppStore, config: AppConfig, user: User, post_id: str, topic: str,
            sentiment: str, urgency: str, topics: tuple[str, ...]) -> None:
    require(user, "queue:act")
    if topic not in topics or sentiment not in SENTIMENTS or urgency not in URGENCY_LEVELS:
        raise ValueError("unknown topic, sentiment or urgency")
    view = load_item(app, config, post_id, now())
    if view is None:
        raise NotFound(f"no queue item {post_id!r}")
    c = view["decision"].classification
    before = {"topic": c.topic, "sentiment": c.sentiment.label, "urgency": c.urgency}
    after = {"topic": topic, "sentiment": sentiment, "urgency": urgency}
    app.add_relabel(post_id, user.name, view["decision"].post.text, c.lang, before, after)


def note(app: AppStore, user: User, post_id: str, body: str) -> None:
    require(user, "queue:act")
    body = body.strip()
    if not body or len(body) > 5000:
        raise ValueError("a note needs 1 to 5000 characters")
    if not queue_rows.exists(app.db, post_id):
        raise NotFound(f"no queue item {post_id!r}")
    app.add_note(post_id, user.name, body)


def relabel_lines(app: AppStore) -> list[dict]:
    """Relabels as labelled JSONL rows (``webcare train --data``)."""
    return [{"id": r["post_id"], "text": r["text"], "lang": r["lang"],
             "labels": {"topic": r["topic"], "sentiment": r["sentiment"],
                        "urgency": r["urgency"]}, "relabelled_by": r["actor"],
             "relabelled_at": r["at"]} for r in app.relabels()]
