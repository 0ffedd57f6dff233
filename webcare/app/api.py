"""JSON API (``/api/v1``, OpenAPI at ``/api/docs``): the page functions for integrations.

Authenticated by ``Authorization: Bearer <token>`` (``webcare users token --name N``); cookies
are ignored here, so no CSRF token is needed. Roles as on the pages.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field

from sinks.store.search import BadSearch
from webcare.app import queries, service
from webcare.app.dashboard import requested_figures
from webcare.app.deps import api_user, state
from webcare.app.replies import ReplyFailed
from webcare.app.service import Conflict, NotFound, User

router = APIRouter(prefix="/api/v1", tags=["webcare"])


class ItemRef(BaseModel):
    post_id: str = Field(max_length=512)


class TextAction(ItemRef):
    body: str = Field(min_length=1, max_length=5000)


class DismissAction(ItemRef):
    reason: str = Field(default="noise", max_length=200)


class RelabelAction(ItemRef):
    topic: str
    sentiment: Literal["negative", "neutral", "positive"]
    urgency: Literal["critical", "high", "medium", "low"]


def _row(row: dict) -> dict:
    return {**row["item"].model_dump(mode="json"), "owner": row["owner"],
            "claimed_at": row["claimed_at"], "brand": row.get("brand"), "sla": row["sla"]}


def _run(request: Request, user: User, action, *args):
    try:
        return action(state(request).store(), user, *args)
    except Conflict as error:
        raise HTTPException(409, {"message": str(error), "owner": error.owner}) from error
    except ReplyFailed as error:
        raise HTTPException(502, {"message": str(error), "platform": error.error.platform,
                                  "status": error.error.status,
                                  "retry_after": error.error.retry_after}) from error
    except NotFound as error:
        raise HTTPException(404, str(error)) from error
    except ValueError as error:
        raise HTTPException(422, str(error)) from error


@router.get("/me")
def me(user: User = Depends(api_user)) -> dict:
    """The token's user and role."""
    return {"name": user.name, "role": user.role}


@router.get("/queue")
def queue(request: Request, user: User = Depends(api_user), topic: str | None = None,
          platform: str | None = None, lang: str | None = None, urgency: str | None = None,
          mine: bool = False, status: str | None = None, limit: int = 100,
          q: str | None = Query(None, max_length=200, description=(
              'full-text search: words, "a phrase", -word, OR (400 when unreadable)')),
          brand: str | None = None,
          team: str | None = Query(None, description="the team the assignment pass gave "
                                   "the item (teams.teams)")) -> list[dict]:
    """Queue items by priority and waiting time, with owner and SLA (``sla``: the running
    target's ``deadline``, business ``seconds_left``, ``paused``, ``team``, ``policy``,
    ``resolution``: docs/desk.md), filtered by brand and team too; ``q`` searches
    the post texts (SQLite FTS5 / PostgreSQL full text, the same query language)."""
    service.require(user, "queue:read")
    st = state(request)
    app = st.store()
    at, _ = queries.clock(app, st.app_config)
    flt = queries.QueueFilter(topic, platform, lang, urgency, mine,
                              status if status in queries.STATUSES else None, brand, team)
    flt.text = q or None
    try:
        rows = queries.queue(app, st.app_config, flt, user.name, at, max(1, min(limit, 1000)),
                             desk=queries.desk_of(st))
    except BadSearch as error:
        raise HTTPException(400, str(error)) from error
    return [_row(row) for row in rows]


@router.get("/items/{post_id:path}")
def item(request: Request, post_id: str, user: User = Depends(api_user)) -> dict:
    """One item: post, classification with reasons, thread, author's other items, notes."""
    service.require(user, "queue:read")
    st = state(request)
    app = st.store()
    at, _ = queries.clock(app, st.app_config)
    view = queries.item(app, st.app_config, post_id, at, desk=queries.desk_of(st))
    if view is None:
        raise HTTPException(404, "no such queue item")
    return {**_row(view), "decision": view["decision"].model_dump(mode="json"),
            "thread": [d.post.model_dump(mode="json") for d in view["thread"]],
            "author_items": [_row(r) for r in view["author_posts"]],
            "incident": view["incident"], "notes": app.notes(post_id),
            "replies": app.replies(post_id), "relabels": app.relabels(post_id)}


@router.post("/claim")
def claim(body: ItemRef, request: Request, user: User = Depends(api_user)) -> dict:
    """Claim an item; 409 with the owner when someone else has it."""
    _run(request, user, service.claim, body.post_id)
    return {"ok": True, "owner": user.name}


@router.post("/release")
def release(body: ItemRef, request: Request, user: User = Depends(api_user)) -> dict:
    _run(request, user, service.release, body.post_id)
    return {"ok": True}


@router.post("/reply")
def reply(body: TextAction, request: Request, user: User = Depends(api_user),
          idempotency_key: str | None = Header(None, max_length=200)) -> dict:
    """Reply through the post's platform (``mode: sent`` with ``platform_ref``), or recorded
    as ``dry-run`` without credentials. Send an ``Idempotency-Key`` header: a retried request
    with the same key sends nothing again. 502 when the platform refused (nothing marked)."""
    cfg = state(request).app_config
    out = _run(request, user, lambda app, u, *a: service.reply_outcome(app, cfg, u, *a),
               body.post_id, body.body, idempotency_key)
    return {"ok": True, "mode": out.mode, **({"platform_ref": out.platform_ref}
                                             if out.platform_ref else {})}


@router.post("/escalate")
def escalate(body: ItemRef, request: Request, user: User = Depends(api_user)) -> dict:
    """Link to the service-desk incident (a single incident is opened when none exists)."""
    cfg = state(request).app_config
    key = _run(request, user, lambda app, u, *a: service.escalate(app, cfg, u, *a),
               body.post_id)
    return {"ok": True, "incident_key": key}


@router.post("/dismiss")
def dismiss(body: DismissAction, request: Request, user: User = Depends(api_user)) -> dict:
    _run(request, user, service.dismiss, body.post_id, body.reason)
    return {"ok": True}


@router.post("/relabel")
def relabel(body: RelabelAction, request: Request, user: User = Depends(api_user)) -> dict:
    """Correct topic/sentiment/urgency; stored as training data."""
    st = state(request)
    _run(request, user, lambda app, u, *a: service.relabel(app, st.app_config, u, *a),
         body.post_id, body.topic, body.sentiment, body.urgency, st.topics)
    return {"ok": True}


@router.post("/notes")
def note(body: TextAction, request: Request, user: User = Depends(api_user)) -> dict:
    _run(request, user, service.note, body.post_id, body.body)
    return {"ok": True}


@router.get("/audit")
def audit(request: Request, user: User = Depends(api_user), post_id: str | None = None,
          limit: int = 200) -> list[dict]:
    """Audit trail (leads and admins): who, what, when, before/after."""
    service.require(user, "audit:read")
    return state(request).store().audit_entries(post_id, max(1, min(limit, 5000)))


@router.get("/dashboard")
def dashboard(request: Request, user: User = Depends(api_user), start: str | None = None,
              end: str | None = None, by: str = "topic") -> dict:
    """Dashboard figures (comms, leads, admins): series, incidents, themes, response times."""
    service.require(user, "dashboard:read")
    found = requested_figures(request, start, end, by)
    found.pop("charts")
    found["response"].pop("items")
    return found
