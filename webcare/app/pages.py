"""HTML pages: login, the queue (filters, SLA countdowns, live updates), one item, the audit.

Every POST carries the session's CSRF token; every page checks the role it needs.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, StreamingResponse

from sinks.store import assignment as desk_rows
from sinks.store import search
from sinks.store.app_db import iso, new_id, now
from webcare.app import queries, security, service
from webcare.app.deps import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    secure_cookies,
    session_user,
    state,
)
from webcare.app.replies import ReplyFailed, reply_live
from webcare.app.service import Conflict, NotFound, User
from webcare.desk import canned as canned_replies

router = APIRouter(include_in_schema=False)
ACTIONS = ("claim", "release", "reply", "escalate", "dismiss", "relabel", "note")


def render(request: Request, name: str, context: dict, status: int = 200):
    user = context.get("user")
    context = {"csrf": getattr(request.state, "csrf", ""), "perm": (
        (lambda p: service.allowed(user, p)) if user else (lambda p: False)), **context}
    return request.app.state.templates.TemplateResponse(request, name, context,
                                                        status_code=status)


def error_page(request: Request, status: int, message: str):
    """The error page (no user shown): 404s here, 403s of the app's error handlers."""
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"message": message, "user": None}, status_code=status)


@router.get("/login")
def login_form(request: Request, error: str | None = None, status: int = 200):
    token = security.new_token()
    response = render(request, "login.html", {"user": None, "login_csrf": token,
                                              "error": error}, status)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=secure_cookies(request), max_age=3600)
    return response


@router.post("/login")
def login(request: Request, name: str = Form(..., max_length=200),
          password: str = Form(..., max_length=1000), csrf: str = Form("")):
    st = state(request)
    if not security.same(csrf, request.cookies.get(LOGIN_COOKIE)):
        return login_form(request, "The login form expired; please try again.", 403)
    keys = (f"user:{name.lower()}", f"addr:{request.client.host if request.client else '-'}")
    if st.limiter.blocked(*keys):
        return login_form(request, "Too many failed logins; wait a few minutes.", 429)
    app = st.store()
    row = app.user(name)
    if not security.verify_password(row["password_hash"] if row else None, password) \
            or row["disabled"]:
        st.limiter.failed(*keys)
        return login_form(request, "Unknown user or wrong password.", 401)
    st.limiter.succeeded(*keys)
    token, hours = security.new_token(), st.app_config.session_hours
    app.add_session(security.token_hash(token), name, "session", security.new_token(),
                    now() + timedelta(hours=hours))
    app.audit(name, "login")
    response = RedirectResponse("/dashboard" if row["role"] == "comms" else "/", 303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=secure_cookies(request), max_age=int(hours * 3600))
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, user: User = Depends(session_user), csrf: str = Form("")):
    check_csrf(request, csrf)
    state(request).store().end_session(security.token_hash(request.cookies[SESSION_COOKIE]))
    state(request).store().audit(user.name, "logout")
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def queue_page(request: Request, user: User = Depends(session_user), topic: str | None = None,
               platform: str | None = None, lang: str | None = None,
               urgency: str | None = None, mine: bool = False, status: str | None = None,
               q: str | None = None, brand: str | None = None, team: str | None = None):
    service.require(user, "queue:read")
    st = state(request)
    app = st.store()
    flt = queries.QueueFilter(topic or None, platform or None, lang or None, urgency or None,
                              mine, status if status in queries.STATUSES else None,
                              brand or None, team or None)
    flt.text = (q or "").strip()[:search.MAX_QUERY_CHARS + 1] or None  # issue 21
    at, replayed = queries.clock(app, st.app_config)
    try:
        rows, search_error = queries.queue(app, st.app_config, flt, user.name, at,
                                           desk=queries.desk_of(st)), None
    except search.BadSearch as error:  # the page says what to change, 400
        rows, search_error = [], str(error)
    return render(request, "queue.html", {
        "user": user, "rows": rows, "filter": flt, "facets": queries.facets(app),
        "statuses": queries.STATUSES, "clock": iso(at), "replayed": replayed,
        "breached": sum(r["sla"]["breached"] for r in rows), "search_error": search_error,
        "export_query": request.url.query,
        "teams": [t.name for t in queries.desk_of(st).config.teams],  # issue 21
        "availability": desk_rows.statuses(app.db).get(user.name, "away"),
        "agents": assignable(app, user)},
        400 if search_error else 200)


@router.get("/item")
def item_page(request: Request, id: str, user: User = Depends(session_user),
              canned: str | None = None, error: str | None = None, status: int = 200):
    service.require(user, "queue:read")
    st = state(request)
    app = st.store()
    at, replayed = queries.clock(app, st.app_config)
    desk = queries.desk_of(st)
    view = queries.item(app, st.app_config, id, at, desk=desk)
    if view is None:
        return error_page(request, 404, "No such queue item.")
    templates, draft = brand_canned(st.app_config, desk, view, user, canned)
    return render(request, "item.html", {
        "user": user, "v": view, "clock": iso(at), "replayed": replayed, "error": error,
        "notes": app.notes(id), "replies": app.replies(id), "relabels": app.relabels(id),
        "audit": app.audit_entries(id), "canned": sorted(templates), "draft": draft or "",
        "reply_key": new_id(), "reply_live": reply_live(st.app_config.reply,
                                                        view["decision"].post.platform),
        "topics": st.topics, "sentiments": service.SENTIMENTS,
        "urgencies": ("critical", "high", "medium", "low"),
        "agents": assignable(app, user)}, status)


def assignable(app, user: User) -> list[str]:
    """Whom a lead may give items to (the item page's and the queue's bulk assign); none for
    users without ``assign:any``."""
    if not service.allowed(user, "assign:any"):
        return []
    return [u["name"] for u in app.users()
            if u["role"] in service.ASSIGNABLE_ROLES and not u["disabled"]]


def brand_canned(config, desk, view: dict, user: User, name: str | None):
    """The item's canned replies (the brand's over the app's, for its language) and, when one
    is asked for, its rendered draft with the brand's signature (issue 21)."""
    item, brand = view["item"], view["decision"].classification.brand
    templates = canned_replies.templates(desk.config, config.canned, brand, item.lang)
    draft = canned_replies.draft(desk.config, config.canned, brand, item.lang, name, {
        "author": item.author_handle, "topic": item.topic.replace("_", " "),
        "agent": user.name, "brand": brand or "",
        "incident": item.incident_key or "incident"}) if name else None
    return templates, draft


@router.post("/item/{action}")
def item_action(request: Request, action: str, id: str = Form(..., max_length=512),
                csrf: str = Form(""), body: str = Form("", max_length=5000),
                topic: str = Form(""), sentiment: str = Form(""), urgency: str = Form(""),
                idempotency_key: str = Form("", max_length=200),
                user: User = Depends(session_user)):
    check_csrf(request, csrf)
    if action not in ACTIONS:
        return error_page(request, 404, "Unknown action.")
    st = state(request)
    app, cfg = st.store(), st.app_config
    try:
        if action == "claim":
            service.claim(app, user, id)
        elif action == "release":
            service.release(app, user, id)
        elif action == "reply":
            service.reply(app, cfg, user, id, body, idempotency_key or None)
        elif action == "escalate":
            service.escalate(app, cfg, user, id)
        elif action == "dismiss":
            service.dismiss(app, user, id, body or "noise")
        elif action == "relabel":
            service.relabel(app, cfg, user, id, topic, sentiment, urgency, st.topics)
        else:
            service.note(app, user, id, body)
    except Conflict as error:
        return item_page(request, id, user, error=f"Not done: this item is {error}.",
                         status=409)
    except ReplyFailed as error:
        return item_page(request, id, user, error=str(error), status=502)
    except NotFound:
        return error_page(request, 404, "No such queue item.")
    except ValueError as error:
        return item_page(request, id, user, error=str(error), status=400)
    back = "/" if action in ("release", "dismiss") else "/item?id="
    return RedirectResponse(back if back == "/" else back + _quote(id), 303)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


@router.get("/audit")
def audit_page(request: Request, user: User = Depends(session_user)):
    service.require(user, "audit:read")
    entries = state(request).store().audit_entries(limit=500)
    return render(request, "audit.html", {"user": user, "entries": entries})


@router.get("/events")
async def events(request: Request, user: User = Depends(session_user)):
    """Server-sent events: ``queue`` whenever items arrive or an action changes one."""
    service.require(user, "queue:read")
    st = state(request)

    async def stream(poll: float = 2.0, lifetime: float = 300.0):
        last, waited = None, 0.0
        yield "retry: 3000\n\n"
        while waited < lifetime and not await request.is_disconnected():
            version = await run_in_threadpool(lambda: queries.queue_version(st.store()))
            if version != last:
                yield f"event: queue\ndata: {version}\n\n"
                last = version
            else:
                yield ": keep-alive\n\n"
            await asyncio.sleep(poll)
            waited += poll

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
