"""``/knowledge``: FAQ candidates grouped from answered questions, for every role (issue 8).

The page lists each candidate with its count, languages, topics, first/last asked, the best
answer and example phrasings; ``/knowledge/export.md`` and ``/knowledge/export.csv`` download
what ``webcare knowledge export`` writes; ``/api/v1/knowledge`` returns them as JSON. Grouping
runs per request on at most
``knowledge.max_questions`` recent answered questions.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from webcare.app import service
from webcare.app.deps import api_user, session_user, state
from webcare.app.service import User
from webcare.knowledge.export import candidates, csv_text, markdown

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["webcare"])
FORMATS = {"md": ("text/markdown; charset=utf-8", markdown),
           "csv": ("text/csv; charset=utf-8", csv_text)}


def _found(request: Request, min_count: int | None):
    st = state(request)
    return candidates(st.store().db, st.config.knowledge, min_count=min_count)


@router.get("/knowledge")
def knowledge_page(request: Request, user: User = Depends(session_user),
                   min_count: int | None = Query(None, ge=1, le=10_000)):
    service.require(user, "knowledge:read")
    from webcare.app.pages import render

    found = _found(request, min_count)
    shown = min_count or state(request).config.knowledge.min_count
    return render(request, "knowledge.html", {"user": user, "faqs": found,
                                              "min_count": shown})


@router.get("/knowledge/export.{fmt}")
def knowledge_export(request: Request, fmt: str, user: User = Depends(session_user),
                     min_count: int | None = Query(None, ge=1, le=10_000)):
    service.require(user, "knowledge:read")
    if fmt not in FORMATS:
        raise HTTPException(404, "no such format (md or csv)")
    media, render_text = FORMATS[fmt]
    return Response(render_text(_found(request, min_count)), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="faq-candidates.{fmt}"'})


@api_router.get("/knowledge")
def knowledge_api(request: Request, user: User = Depends(api_user),
                  min_count: int | None = Query(None, ge=1, le=10_000)) -> list[dict]:
    """FAQ candidates (every role): question, answer, count, languages, topics, post ids."""
    service.require(user, "knowledge:read")
    return [asdict(faq) for faq in _found(request, min_count)]
