"""The dead-letter view (issue 21, leads and admins): list, show, reprocess, discard.

The pipeline's dead letters (``dead_letters``: stage, reason, original payload, source, time)
are listed newest first, filtered by stage, source and status (open, reprocessed, discarded).
**Reprocess** runs the stored payload through the configured stages again, built as
:mod:`webcare.job.assembly` builds them (:class:`classify.pipeline.Classifier` on
``config.classify``, :class:`route.rules.Router` on ``config.route``), and writes the decision
with the store's own ``write`` (queue item, trends, single incidents; idempotent by post id).
A success marks the dead letter ``reprocessed``; a failure keeps it ``open`` with the new
stage and reason. **Discard** needs a reason. Every action writes an audit entry
(``deadletter.reprocess``, ``deadletter.reprocess_failed``, ``deadletter.discard``) in the
transaction that records it. The CLI (``webcare dead-letters``) calls the same functions.

With the pipeline's sink chain (``Stages.write``: :func:`webcare.job.assembly.reprocess_stages`,
which ``webcare dead-letters reprocess`` uses and ``webcare serve`` hands to :func:`create_app`
through :func:`use_stages`), the decision goes through burst correlation, incidents, tickets,
outbound and alerts as in the pipeline, so the post joins its open incident. Without it (an
app built without that factory, e.g. in tests) only the store's ``write`` runs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from schemas import Classification, Decision, Post
from schemas.dead_letters import dead_letter, parse_post
from schemas.protocols import RawRecord
from schemas.results import DeadLetter
from sinks.store import dead_letters as rows
from sinks.store.app_store import AppStore
from webcare.app import service
from webcare.app.deps import api_user, check_csrf, session_user, state
from webcare.app.pages import error_page, render
from webcare.app.service import NotFound, User

if TYPE_CHECKING:
    from webcare.job.config import WebcareConfig

PERMISSION = "deadletters:manage"
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/dead-letters", tags=["dead letters"])


@dataclass
class Stages:
    """The classify and route stages a reprocess runs (built once per process)."""

    classify: Callable[[Post], Classification]
    route: Callable[[Post, Classification], Decision]
    # the pipeline's sink chain: correlate, store, incidents, tickets, outbound, alerts;
    # returns the decision as stored (None: the store's write only)
    write: Callable[[Decision], Decision] | None = None


def build_stages(config: WebcareConfig) -> Stages:
    """The configured stages, as :func:`webcare.job.assembly.build_pipeline` builds them."""
    from classify.pipeline import Classifier
    from route.rules import Router

    return Stages(Classifier(config.classify), Router(config.route))


_stages: dict[int, Stages] = {}
_factories: dict[int, Callable[[WebcareConfig], Stages]] = {}
_lock = threading.Lock()


def use_stages(config: WebcareConfig, factory: Callable[[WebcareConfig], Stages]) -> None:
    """Build the stages of ``config`` with ``factory`` (injected by the code that builds the
    app, above it: ``webcare serve`` passes the pipeline's sink chain)."""
    with _lock:
        _factories[id(config)] = factory
        _stages.pop(id(config), None)


def stages_for(config: WebcareConfig) -> Stages:
    """One set of stages per config object (loading the classifier takes a while)."""
    with _lock:
        if id(config) not in _stages:
            _stages[id(config)] = _factories.get(id(config), build_stages)(config)
        return _stages[id(config)]


@dataclass
class Outcome:
    ok: bool
    status: str
    stage: str | None = None
    reason: str | None = None
    post_id: str | None = None
    action: str | None = None


def listing(app: AppStore, user: User, stage: str | None = None, source: str | None = None,
            status: str | None = "open", limit: int = 200) -> list[dict[str, Any]]:
    service.require(user, PERMISSION)
    return rows.list_rows(app.db, stage or None, source or None, status, max(1, min(limit, 5000)))


def show(app: AppStore, user: User, fingerprint: str) -> dict[str, Any]:
    service.require(user, PERMISSION)
    row = rows.get(app.db, fingerprint)
    if row is None:
        raise NotFound(f"no dead letter {fingerprint!r}")
    return row


def _run(letter: dict[str, Any], stages: Stages) -> Decision | DeadLetter:
    record = RawRecord(payload=letter["payload"], source=letter["source"] or "dead-letter",
                       position=letter["line"] or 0)
    post = parse_post(record)
    if isinstance(post, DeadLetter):
        return post
    try:
        classification = stages.classify(post)
    except Exception as error:  # noqa: BLE001 - any stage failure becomes the new reason
        return dead_letter(record, "classify", error, post_id=post.id)
    try:
        return stages.route(post, classification)
    except Exception as error:  # noqa: BLE001
        return dead_letter(record, "route", error, post_id=post.id)


def reprocess(app: AppStore, user: User, fingerprint: str, stages: Stages) -> Outcome:
    """Run the dead letter through ``stages`` and store the decision; see the module doc.
    Raises NotFound, and :class:`service.Conflict` for a discarded or reprocessed one."""
    letter = show(app, user, fingerprint)
    if letter["status"] != "open":
        raise service.Conflict(f"this dead letter is {letter['status']} already")
    result = _run(letter, stages)
    if isinstance(result, Decision):
        try:
            if stages.write is not None:
                result = stages.write(result)
            else:
                app.store.write([result], [])
        except Exception as error:  # noqa: BLE001 - the store refused: stays a dead letter
            result = DeadLetter(stage="store", error_type=type(error).__name__,
                                reason=str(error)[:500], payload=letter["payload"],
                                post_id=result.post.id, occurred_at=result.post.created_at)
    before = {"status": "open", "stage": letter["stage"], "reason": letter["reason"]}
    with app.db.tx():
        if isinstance(result, Decision):
            rows.set_state(app.db, fingerprint, "reprocessed", user.name, None, True,
                           result.post.id)
            app.audit(user.name, "deadletter.reprocess", None, before,
                      {"status": "reprocessed", "post_id": result.post.id,
                       "action": result.action}, {"fingerprint": fingerprint})
            return Outcome(True, "reprocessed", post_id=result.post.id, action=result.action)
        rows.record_failure(app.db, fingerprint, result.stage, result.error_type,
                            result.reason)
        rows.set_state(app.db, fingerprint, "open", user.name, f"failed again: {result.reason}",
                       True, result.post_id)
        app.audit(user.name, "deadletter.reprocess_failed", None, before,
                  {"status": "open", "stage": result.stage, "reason": result.reason},
                  {"fingerprint": fingerprint})
    return Outcome(False, "open", result.stage, result.reason, result.post_id)


def discard(app: AppStore, user: User, fingerprint: str, reason: str) -> None:
    """Mark a dead letter discarded with ``reason`` (1-500 characters) and audit it."""
    letter = show(app, user, fingerprint)
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise ValueError("a discard needs a reason of 1 to 500 characters")
    if letter["status"] == "discarded":
        raise service.Conflict("this dead letter is discarded already")
    with app.db.tx():
        rows.set_state(app.db, fingerprint, "discarded", user.name, reason, False)
        app.audit(user.name, "deadletter.discard", None,
                  {"status": letter["status"], "stage": letter["stage"],
                   "reason": letter["reason"]}, {"status": "discarded"},
                  {"fingerprint": fingerprint, "reason": reason})


# -- pages ------------------------------------------------------------------------------
@pages.get("/dead-letters")
def list_page(request: Request, user: User = Depends(session_user), stage: str | None = None,
              source: str | None = None, status: str = "open", message: str | None = None):
    service.require(user, PERMISSION)
    app = state(request).store()
    chosen = status if status in rows.STATUSES else None
    return render(request, "dead_letters.html", {
        "user": user, "letters": listing(app, user, stage, source, chosen),
        "facets": rows.facets(app.db), "statuses": rows.STATUSES,
        "filter": {"stage": stage or "", "source": source or "", "status": chosen or "all"},
        "message": message})


@pages.get("/dead-letters/show")
def show_page(request: Request, id: str, user: User = Depends(session_user),
              error: str | None = None, status_code: int = 200):
    app = state(request).store()
    try:
        letter = show(app, user, id)
    except NotFound:
        return error_page(request, 404, "No such dead letter.")
    return render(request, "dead_letter.html", {"user": user, "d": letter, "error": error},
                  status_code)


@pages.post("/dead-letters/{action}")
def action_page(request: Request, action: str, id: str = Form(..., max_length=200),
                csrf: str = Form(""), reason: str = Form("", max_length=500),
                user: User = Depends(session_user)):
    from urllib.parse import quote


    check_csrf(request, csrf)
    st = state(request)
    app = st.store()
    try:
        if action == "reprocess":
            out = reprocess(app, user, id, stages_for(st.config))
            if not out.ok:
                return show_page(request, id, user, f"Reprocessing failed again at "
                                 f"{out.stage}: {out.reason}", 422)
            note = f"Reprocessed: post {out.post_id} routed to {out.action}."
        elif action == "discard":
            discard(app, user, id, reason)
            note = "Discarded."
        else:
            return error_page(request, 404, "Unknown action.")
    except NotFound:
        return error_page(request, 404, "No such dead letter.")
    except (service.Conflict, ValueError) as error:
        return show_page(request, id, user, str(error), 409 if isinstance(
            error, service.Conflict) else 400)
    return RedirectResponse("/dead-letters?message=" + quote(note), 303)


# -- JSON API -----------------------------------------------------------------------------
class DeadLetterRow(BaseModel):
    fingerprint: str
    stage: str
    error_type: str
    reason: str
    source: str | None = None
    line: int | None = None
    post_id: str | None = None
    occurred_at: str
    status: Literal["open", "reprocessed", "discarded"]
    actor: str | None = Field(None, description="who last reprocessed or discarded it")
    at: str | None = None
    note: str | None = Field(None, description="discard reason, or the last failed attempt")
    attempts: int = 0
    payload_chars: int | None = None


class DeadLetterDetail(DeadLetterRow):
    payload: str = Field(description="the original payload, unchanged")


class ReprocessResult(BaseModel):
    ok: bool
    status: str
    stage: str | None = Field(None, description="where it failed again (ok false)")
    reason: str | None = None
    post_id: str | None = None
    action: str | None = Field(None, description="the route's action for the post (ok true)")


class DiscardBody(BaseModel):
    fingerprint: str = Field(max_length=200)
    reason: str = Field(min_length=1, max_length=500)


class ReprocessBody(BaseModel):
    fingerprint: str = Field(max_length=200)


def _api(call):
    try:
        return call()
    except NotFound as error:
        raise HTTPException(404, str(error)) from error
    except service.Conflict as error:
        raise HTTPException(409, str(error)) from error
    except ValueError as error:
        raise HTTPException(422, str(error)) from error


@api.get("", response_model=list[DeadLetterRow])
def api_list(request: Request, user: User = Depends(api_user), stage: str | None = None,
             source: str | None = None,
             status: Literal["open", "reprocessed", "discarded", "all"] = "open",
             limit: int = 200) -> list[dict]:
    """Dead letters (leads, admins), newest first, without payloads; filter by stage,
    source and status."""
    app = state(request).store()
    return listing(app, user, stage, source, None if status == "all" else status, limit)


@api.get("/{fingerprint}", response_model=DeadLetterDetail)
def api_show(request: Request, fingerprint: str, user: User = Depends(api_user)) -> dict:
    """One dead letter with its original payload."""
    return _api(lambda: show(state(request).store(), user, fingerprint))


@api.post("/reprocess", response_model=ReprocessResult)
def api_reprocess(body: ReprocessBody, request: Request,
                  user: User = Depends(api_user)) -> dict:
    """Run it through the configured classify and route stages and store it; ``ok`` false
    (200) when it failed again (it stays open with the new stage and reason)."""
    st = state(request)
    service.require(user, PERMISSION)
    out = _api(lambda: reprocess(st.store(), user, body.fingerprint, stages_for(st.config)))
    return out.__dict__


@api.post("/discard")
def api_discard(body: DiscardBody, request: Request, user: User = Depends(api_user)) -> dict:
    """Discard with a reason (audited)."""
    _api(lambda: discard(state(request).store(), user, body.fingerprint, body.reason))
    return {"ok": True}
