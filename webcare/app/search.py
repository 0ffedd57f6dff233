"""Search and export of the queue (issue 21): ``GET /api/v1/search`` over every stored post,
and the CSV of a filtered queue (``/queue.csv`` for the page, ``GET /api/v1/queue.csv``).

The search language is :mod:`sinks.store.search`'s (words, ``"a phrase"``, ``-word``, ``OR``),
the same on SQLite (FTS5) and PostgreSQL (full text); an unreadable search is answered 400
with what to change. The CSV takes the queue's filters and ``q``; it is streamed page by page
(:data:`PAGE` rows per query, at most :data:`MAX_ROWS`), every cell spreadsheet-safe
(:func:`schemas.plumbing.spreadsheet.spreadsheet_safe`: text starting with = + - @ cannot run
as a formula), and the export is audited (``queue.export`` with the filters and row count).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from schemas import Decision, QueueItem
from schemas.plumbing.spreadsheet import spreadsheet_safe
from sinks.store import queue as queue_rows
from sinks.store.search import BadSearch, parse
from webcare.app import queries, service
from webcare.app.deps import State, api_user, session_user, state
from webcare.app.service import User

PAGE = 500
MAX_ROWS = 100_000
COLUMNS = ("post_id", "status", "owner", "claimed_at", "priority", "urgency", "sla_deadline",
           "sla_breached", "topic", "sentiment", "platform", "lang", "created_at", "author", "text",
           "incident_key")
Q_HELP = 'full-text search: words, "a phrase", -word, OR (400 when unreadable)'

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["webcare"])


class SearchHit(BaseModel):
    post_id: str
    platform: str
    lang: str
    topic: str
    urgency: str
    priority: int
    action: str = Field(description="the route's action (webcare, incident, ignore, ...)")
    created_at: str
    status: str | None = Field(None, description="queue status; null when not queued")
    author_handle: str
    text: str
    url: str | None = None


def _filter(topic, platform, lang, urgency, mine, status, q) -> queries.QueueFilter:
    flt = queries.QueueFilter(topic or None, platform or None, lang or None, urgency or None,
                              mine, status if status in queries.STATUSES else None)
    flt.text = (q or "").strip() or None
    return flt


def csv_row(row: dict) -> list:
    """One queue view (:func:`webcare.app.queries.queue`) as spreadsheet-safe CSV cells."""
    item: QueueItem = row["item"]
    sla = row.get("sla") or {}
    return [spreadsheet_safe(v) for v in (
        item.post_id, item.status, row.get("owner") or "", row.get("claimed_at") or "",
        item.priority, item.urgency, sla.get("deadline") or "", sla.get("breached", ""),
        item.topic, item.sentiment, item.platform, item.lang, item.created_at.isoformat(),
        item.author_handle, item.text, item.incident_key or "")]


def csv_pages(first: list[dict], fetch: Callable[[int], list[dict]],
              done: Callable[[int], None] | None = None) -> Iterator[str]:
    """CSV text, header first, then a chunk per page: ``first`` (fetched already, so a bad
    search fails before anything is sent), then ``fetch(offset)`` until a short page or
    :data:`MAX_ROWS`; ``done(rows)`` after the last."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield flush()
    page, total = first, 0
    while page:
        writer.writerows(csv_row(row) for row in page)
        total += len(page)
        yield flush()
        if len(page) < PAGE or total >= MAX_ROWS:
            break
        page = fetch(total)
    if done is not None:
        done(total)


def csv_lines(st: State, user: User, flt: queries.QueueFilter) -> Iterator[str]:
    """The filtered queue as CSV chunks (raises BadSearch before the first chunk); each
    later page is read on the streaming thread's own connection; audited at the end."""
    app = st.store()
    at, _ = queries.clock(app, st.app_config)
    first = queries.queue(app, st.app_config, flt, user.name, at, PAGE)  # BadSearch here
    return csv_pages(
        first, lambda offset: queries.queue(st.store(), st.app_config, flt, user.name, at,
                                            PAGE, offset=offset),
        lambda total: st.store().audit(user.name, "queue.export", None, None,
                                       {"rows": total},
                                       {"filters": flt.active(), "q": flt.text}))


def _csv_response(request: Request, user: User, flt: queries.QueueFilter):
    service.require(user, "queue:export")
    try:
        body = csv_lines(state(request), user, flt)
    except BadSearch as error:
        raise HTTPException(400, str(error)) from error
    return StreamingResponse(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="webcare-queue.csv"'})


@pages.get("/queue.csv")
def queue_csv_page(request: Request, user: User = Depends(session_user),
                   topic: str | None = None, platform: str | None = None,
                   lang: str | None = None, urgency: str | None = None, mine: bool = False,
                   status: str | None = None, q: str | None = Query(None, max_length=200)):
    return _csv_response(request, user, _filter(topic, platform, lang, urgency, mine, status,
                                                q))


@api.get("/queue.csv", response_class=StreamingResponse, responses={
    200: {"content": {"text/csv": {}}, "description": "the filtered queue as CSV"}})
def queue_csv(request: Request, user: User = Depends(api_user), topic: str | None = None,
              platform: str | None = None, lang: str | None = None,
              urgency: str | None = None, mine: bool = False, status: str | None = None,
              q: str | None = Query(None, max_length=200, description=Q_HELP)):
    """The filtered queue (the same filters and ``q`` as ``GET /queue``) as CSV, streamed;
    cells starting with = + - @ are prefixed with ' so a spreadsheet shows them as text."""
    return _csv_response(request, user, _filter(topic, platform, lang, urgency, mine, status,
                                                q))


@api.get("/search", response_model=list[SearchHit])
def search_posts(request: Request, user: User = Depends(api_user),
                 q: str = Query(..., min_length=1, max_length=200, description=Q_HELP),
                 topic: str | None = None, platform: str | None = None,
                 lang: str | None = None, urgency: str | None = None,
                 scope: Literal["posts", "queue"] = "posts", limit: int = 100) -> list[dict]:
    """Every stored post whose text matches ``q`` (``scope=queue``: only queued ones), newest
    first, with its queue status; noise and ignored posts included for ``scope=posts``."""
    service.require(user, "queue:read")
    filters = {k: v for k, v in (("topic", topic), ("platform", platform), ("lang", lang),
                                 ("urgency", urgency)) if v}
    app = state(request).store()
    try:
        parse(q)
        rows = queue_rows.search_posts(app.db, q, filters, scope == "queue",
                                       max(1, min(limit, 1000)))
    except BadSearch as error:
        raise HTTPException(400, str(error)) from error
    hits = []
    for row in rows:
        post = Decision.model_validate_json(row["decision_json"]).post
        hits.append({**{k: row[k] for k in ("post_id", "platform", "lang", "topic", "urgency",
                                            "priority", "action", "created_at", "status")},
                     "author_handle": post.author.handle, "text": post.text,
                     "url": post.url})
    return hits
