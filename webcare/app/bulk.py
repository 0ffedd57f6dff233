"""Bulk actions on queue items (issue 21): select rows in the queue, then claim or dismiss
them all; the page form (CSRF-checked) and ``POST /api/v1/queue/bulk`` call :func:`apply`.

Each item goes through the single-item action (:func:`webcare.app.service.claim` /
:func:`webcare.app.service.dismiss`): the same role check, the same claim rule (an item someone
else holds is refused for that item only, naming the owner), and one audit entry per item;
a ``bulk`` audit entry records the request and its counts. ``assign`` gives each item to an
agent through the desk's assignment (:func:`webcare.app.desk_web.assign_item`: leads and
admins, the item's team and SLA policy, audited).
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from sinks.store.app_store import AppStore
from webcare.app import service
from webcare.app.deps import api_user, check_csrf, session_user, state
from webcare.app.desk_web import assign_item
from webcare.app.pages import render
from webcare.app.queries import desk_of
from webcare.app.service import Conflict, NotFound, User
from webcare.desk.sla import Desk

MAX_ITEMS = 200
ACTIONS = ("claim", "dismiss", "assign")

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["webcare"])


class BulkResult(BaseModel):
    post_id: str
    ok: bool
    error: str | None = Field(None, description="why this item was not changed")
    owner: str | None = Field(None, description="who holds it, when a claim refused it")


class BulkBody(BaseModel):
    action: Literal["claim", "dismiss", "assign"]
    post_ids: list[str] = Field(min_length=1, max_length=MAX_ITEMS)
    reason: str = Field(default="noise", max_length=200, description="dismiss reason")
    assignee: str | None = Field(None, max_length=200, description="assign: the agent")


class BulkAnswer(BaseModel):
    action: str
    done: int
    failed: int
    results: list[BulkResult]


def apply(app: AppStore, user: User, action: str, post_ids: list[str], reason: str = "noise",
          assignee: str | None = None, desk: Desk | None = None) -> list[BulkResult]:
    """Run ``action`` on each item in order; a refusal of one item never stops the rest."""
    service.require(user, "queue:act")
    if action not in ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}")
    if action == "assign":
        service.require(user, "assign:any")
        if not assignee or desk is None:
            raise ValueError("assigning needs an assignee" if desk is not None else
                             "assigning needs the desk (the teams: section)")
    ids = list(dict.fromkeys(i for i in post_ids if i))[:MAX_ITEMS]
    if not ids:
        raise ValueError("select at least one item")
    results = []
    for post_id in ids:
        try:
            if action == "claim":
                service.claim(app, user, post_id)
            elif action == "dismiss":
                service.dismiss(app, user, post_id, reason or "noise")
            else:
                assign_item(app, desk, user, post_id, assignee)
            results.append(BulkResult(post_id=post_id, ok=True))
        except Conflict as error:
            results.append(BulkResult(post_id=post_id, ok=False, error=str(error),
                                      owner=error.owner))
        except (NotFound, ValueError) as error:
            results.append(BulkResult(post_id=post_id, ok=False, error=str(error)))
    done = sum(r.ok for r in results)
    app.audit(user.name, "bulk", None, None, {"done": done, "failed": len(results) - done},
              {"action": action, "post_ids": ids, **({"assignee": assignee} if assignee else {})})
    return results


@pages.post("/queue/bulk")
async def bulk_page(request: Request, user: User = Depends(session_user)):
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    action = str(form.get("action", ""))
    ids = [str(v)[:512] for v in form.getlist("ids")]
    reason = str(form.get("reason", "noise"))[:200] or "noise"
    assignee = str(form.get("assignee", ""))[:200] or None
    try:  # the worker thread's own store connection (sqlite3 stays in its thread)
        results = await run_in_threadpool(
            lambda: apply(state(request).store(), user, action, ids, reason, assignee,
                          desk_of(state(request))))
    except ValueError as error:
        return render(request, "bulk.html", {"user": user, "action": action, "results": [],
                                             "error": str(error)}, 400)
    return render(request, "bulk.html", {"user": user, "action": action, "results": results,
                                         "error": None})


@api.post("/queue/bulk", response_model=BulkAnswer)
def bulk_api(body: BulkBody, request: Request, user: User = Depends(api_user)) -> dict:
    """Claim, dismiss or assign (leads, admins) many items; each item is audited and answered
    on its own (``ok``, ``error``, ``owner``)."""
    try:
        results = apply(state(request).store(), user, body.action, body.post_ids, body.reason,
                        body.assignee, desk_of(state(request)))
    except ValueError as error:
        raise HTTPException(422, str(error)) from error
    done = sum(r.ok for r in results)
    return {"action": body.action, "done": done, "failed": len(results) - done,
            "results": results}
