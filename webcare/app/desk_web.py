"""Teams in the app (issue 21): an agent's availability (online/away), assignment of an item to
an agent by a lead, and the team load (open assigned items per agent, capacity, oldest waiting,
SLA at risk) as a page (``/teams``) and in the JSON API (``/api/v1/teams/...``).

Roles: every agent sets their own availability; leads and admins set anyone's, assign items to
anyone (``assign:any``) and see the load (``teams:read``). Every change is audited in the
transaction that makes it (:mod:`sinks.store.assignment`).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from schemas import QueueItem
from sinks.store import assignment as desk_rows
from sinks.store import queue as queue_rows
from sinks.store.app_db import iso, now
from sinks.store.app_store import AppStore
from webcare.app import queries, service
from webcare.app.deps import api_user, check_csrf, session_user, state
from webcare.app.pages import error_page, render
from webcare.app.queries import desk_of
from webcare.app.service import Conflict, NotFound, User
from webcare.desk.load import team_load
from webcare.desk.sla import Desk

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["teams"])


# -- actions (pages and API) ------------------------------------------------------------------
def set_availability(app: AppStore, user: User, status: str, name: str | None = None) -> str:
    """Set ``name``'s (default: the user's own) availability; returns the name set."""
    service.require(user, "queue:act")
    name = name or user.name
    if name != user.name:
        service.require(user, "assign:any")
    row = app.user(name)
    if row is None or row["role"] not in service.ASSIGNABLE_ROLES:
        raise NotFound(f"no agent {name!r}")
    desk_rows.set_status(app, name, status, now(), user.name)
    return name


def assign_item(app: AppStore, desk: Desk, user: User, post_id: str, agent: str) -> dict:
    """A lead gives an item to ``agent`` (taking it from its owner, if any); audited."""
    service.require(user, "assign:any")
    row = queue_rows.item_row(app.db, post_id)
    if row is None:
        raise NotFound(f"no queue item {post_id!r}")
    target = app.user(agent)
    if target is None or target["disabled"] or target["role"] not in service.ASSIGNABLE_ROLES:
        raise ValueError(f"{agent!r} is not an agent")
    if row["status"] not in ("open", "claimed"):
        raise ValueError(f"the item is {row['status']}; only open or claimed items are assigned")
    if row["owner"] == agent:
        return {"owner": agent, "changed": False}
    item = QueueItem.model_validate_json(row["item_json"])
    brand = desk_rows.sla_facts(app.db, [post_id]).get(post_id, {})
    team = desk.team_of_item(item, brand.get("brand"), brand.get("team"))
    if not desk_rows.assign(app, post_id, team.name if team else None, agent, now(), user.name,
                            expect_owner=row["owner"], reason="manual"):
        raise Conflict(f"claimed by {app.owner(post_id)}", app.owner(post_id))
    return {"owner": agent, "team": team.name if team else None, "changed": True}


def teams_view(app: AppStore, st, at) -> list[dict]:
    return team_load(app, desk_of(st), at)


# -- pages ----------------------------------------------------------------------------------
@pages.get("/teams")
def teams_page(request: Request, user: User = Depends(session_user)):
    service.require(user, "teams:read")
    st = state(request)
    app = st.store()
    at, replayed = queries.clock(app, st.app_config)
    return render(request, "teams.html", {
        "user": user, "teams": teams_view(app, st, at), "clock": iso(at), "replayed": replayed,
        "availability": desk_rows.statuses(app.db).get(user.name, "away")})


@pages.post("/availability")
def availability_form(request: Request, status: str = Form(...), name: str = Form(""),
                      csrf: str = Form(""), back: str = Form("/"),
                      user: User = Depends(session_user)):
    check_csrf(request, csrf)
    try:
        set_availability(state(request).store(), user, status, name or None)
    except NotFound as error:
        return error_page(request, 404, str(error))
    except ValueError as error:
        return error_page(request, 400, str(error))
    return RedirectResponse(back if back in ("/", "/teams") else "/", 303)


@pages.post("/assign")
def assign_form(request: Request, id: str = Form(..., max_length=512),
                agent: str = Form(..., max_length=200), csrf: str = Form(""),
                user: User = Depends(session_user)):
    check_csrf(request, csrf)
    st = state(request)
    try:
        assign_item(st.store(), desk_of(st), user, id, agent)
    except NotFound as error:
        return error_page(request, 404, str(error))
    except (ValueError, Conflict) as error:
        return error_page(request, 409 if isinstance(error, Conflict) else 400, str(error))
    from urllib.parse import quote

    return RedirectResponse("/item?id=" + quote(id, safe=""), 303)


# -- JSON API -------------------------------------------------------------------------------
class Availability(BaseModel):
    status: Literal["online", "away"]
    name: str | None = Field(default=None, max_length=200,
                             description="another agent (leads, admins); default: yourself")


class AssignRequest(BaseModel):
    post_id: str = Field(max_length=512)
    agent: str = Field(max_length=200)


@api.get("/teams")
def teams(request: Request, user: User = Depends(api_user)) -> list[dict]:
    """The configured teams: members, match, SLA policy and time zone, assignment settings."""
    service.require(user, "queue:read")
    desk = desk_of(state(request))
    return [{"team": t.name, "members": t.members, "leads": t.leads,
             "match": t.match.model_dump(), "policy": desk.policy_name(t),
             "timezone": desk.policy(t).timezone, "capacity": t.capacity,
             "strategy": t.strategy} for t in desk.config.teams]


@api.get("/teams/load")
def load(request: Request, user: User = Depends(api_user)) -> list[dict]:
    """Per team and agent: availability, open assigned items, capacity, oldest waiting item,
    SLA at risk and breached (leads, admins)."""
    service.require(user, "teams:read")
    st = state(request)
    app = st.store()
    at, _ = queries.clock(app, st.app_config)
    return teams_view(app, st, at)


@api.get("/availability")
def availability(request: Request, user: User = Depends(api_user)) -> dict:
    """Agents' availability (leads, admins: everyone's; others: their own)."""
    service.require(user, "queue:read")
    found = desk_rows.statuses(state(request).store().db)
    if service.allowed(user, "teams:read"):
        return found
    return {user.name: found.get(user.name, "away")}


@api.post("/availability")
def set_availability_api(body: Availability, request: Request,
                         user: User = Depends(api_user)) -> dict:
    """Go online (automatic assignment may give you items) or away."""
    try:
        name = set_availability(state(request).store(), user, body.status, body.name)
    except NotFound as error:
        raise HTTPException(404, str(error)) from error
    return {"ok": True, "name": name, "status": body.status}


@api.post("/assign")
def assign(body: AssignRequest, request: Request, user: User = Depends(api_user)) -> dict:
    """Assign an open or claimed item to an agent (leads, admins); audited."""
    st = state(request)
    try:
        return {"ok": True, **assign_item(st.store(), desk_of(st), user, body.post_id,
                                          body.agent)}
    except NotFound as error:
        raise HTTPException(404, str(error)) from error
    except Conflict as error:
        raise HTTPException(409, {"message": str(error), "owner": error.owner}) from error
    except ValueError as error:
        raise HTTPException(422, str(error)) from error
