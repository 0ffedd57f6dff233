"""The outbound page (``/outbound``) and its JSON API (``/api/v1/outbound``).

Everyone with queue access sees drafts, posts and replies; leads and admins edit, approve
(which publishes at once, in the request) and reject — each audited in the same transaction as
the change (:class:`webcare.outbound.store.PostStore`). Pages need the session's CSRF token;
the API takes ``Authorization: Bearer`` tokens. What a publish that fails leaves behind is shown
(state, HTTP status, error) and retried by the delivery loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from sinks.store.app_db import now
from webcare.app import service
from webcare.app.deps import api_user, check_csrf, session_user, state
from webcare.app.pages import render
from webcare.app.service import User
from webcare.outbound.reply_store import ReplyStore
from webcare.outbound.store import Conflict, PostStore
from webcare.outbound.wiring import build_deliverer

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/outbound", tags=["outbound"])
ACTIONS = ("edit", "approve", "reject")


def _deliverer(request: Request):
    """One set of channel clients per app process (credentials read once)."""
    found = getattr(request.app.state, "outbound_deliverer", None)
    if found is None:
        found = request.app.state.outbound_deliverer = build_deliverer(
            state(request).config.outbound)
    return found


def act(request: Request, user: User, outbound_id: str, action: str, body: str | None = None,
        reason: str | None = None) -> dict:
    """Edit / approve (then publish now) / reject one draft; returns the post afterwards."""
    service.require(user, "outbound:decide")
    if action not in ACTIONS:
        raise LookupError("unknown action")
    if body is not None and not body.strip():
        raise ValueError("the text cannot be empty")
    app = state(request).store()
    posts = PostStore(app)
    row = posts.get(outbound_id)
    channel = state(request).config.outbound.channel(row["channel"]) if row else None
    if body is not None and channel is not None and channel.max_chars \
            and len(body.strip()) > channel.max_chars:
        raise ValueError(f"{row['channel']} takes at most {channel.max_chars} characters")
    posts.decide(outbound_id, user.name, action, now(), body and body.strip(), reason)
    if action == "approve":
        _deliverer(request).publish(app, outbound_id)
    return posts.get(outbound_id)


def overview(request: Request, incident: str | None) -> dict:
    app = state(request).store()
    posts = PostStore(app)
    return {"drafts": posts.list(("draft",), incident),
            "posts": [p for p in posts.list(None, incident, 500) if p["state"] != "draft"],
            "replies": ReplyStore(app).of(incident) if incident else None}


@pages.get("/outbound")
def outbound_page(request: Request, user: User = Depends(session_user),
                  incident: str | None = None, error: str | None = None,
                  notice: str | None = None, status: int = 200):
    service.require(user, "outbound:read")
    return render(request, "outbound.html", {"user": user, "incident": incident, "error": error,
                                             "notice": notice, **overview(request, incident)},
                  status)


@pages.post("/outbound/{action}")
def outbound_action(request: Request, action: str, outbound_id: str = Form(..., max_length=64),
                    csrf: str = Form(""), body: str | None = Form(None, max_length=5000),
                    reason: str = Form("", max_length=200), user: User = Depends(session_user)):
    check_csrf(request, csrf)
    try:
        row = act(request, user, outbound_id, action, body if action != "reject" else None,
                  reason or None)
    except Conflict as error:
        return outbound_page(request, user, error=f"Not done: {error}.", status=409)
    except (LookupError, ValueError) as error:
        return outbound_page(request, user, error=str(error), status=400)
    target = "/outbound?incident=" + _quote(row["incident_key"])
    return RedirectResponse(target, 303)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


class Decision(BaseModel):
    body: str | None = Field(default=None, max_length=5000)
    reason: str | None = Field(default=None, max_length=200)


@api.get("")
def list_posts(request: Request, user: User = Depends(api_user),
               only: str | None = Query(None, alias="state"), incident: str | None = None,
               limit: int = 200) -> list[dict]:
    """Status posts, newest first (``state``: draft, approved, published, failed, ...)."""
    service.require(user, "outbound:read")
    states = (only,) if only else None
    return PostStore(state(request).store()).list(states, incident, max(1, min(limit, 1000)))


@api.get("/incidents/{key:path}")
def incident_record(request: Request, key: str, user: User = Depends(api_user)) -> dict:
    """Everything drafted, published and replied for one incident."""
    service.require(user, "outbound:read")
    app = state(request).store()
    return {"incident_key": key, "posts": PostStore(app).list(None, key, 1000),
            "replies": ReplyStore(app).of(key)}


@api.post("/{outbound_id}/{action}")
def decide(request: Request, outbound_id: str, action: str, decision: Decision,
           user: User = Depends(api_user)) -> dict:
    """``edit`` (body), ``approve`` (optional body; publishes now) or ``reject`` (reason)."""
    try:
        return act(request, user, outbound_id, action, decision.body, decision.reason)
    except Conflict as error:
        raise HTTPException(409, str(error)) from error
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except ValueError as error:
        raise HTTPException(422, str(error)) from error
