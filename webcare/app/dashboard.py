"""Communications dashboard: volume and sentiment over time (by topic, platform or language)
with incidents shaded on the timeline, top negative themes, response times, and engagement next
to sentiment (reach, engagement per hour, per topic/platform, top posts). The same
figures feed ``webcare report`` (:func:`figures`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from sinks.store.app_store import AppStore
from webcare.app import analytics, charts, engagement, queries, service
from webcare.app.config import AppConfig
from webcare.app.deps import session_user, state
from webcare.app.service import User
from webcare.desk.sla import Desk

router = APIRouter(include_in_schema=False)
CHARTS = ("volume", "sentiment", "themes", "engagement", "reach")


def figures(app: AppStore, config: AppConfig, start: datetime | None, end: datetime | None,
            by: str = "topic", desk: Desk | None = None) -> dict[str, Any]:
    """The dashboard's figures; SLA figures on the desk's one clock (``desk``: teams and
    policies; default: 24/7 with ``app.sla_minutes``)."""
    lo, hi = analytics.window(app, start, end)
    at, _ = queries.clock(app, config)
    data = analytics.series(app, lo, hi, by)
    found = analytics.incidents(app, lo, hi)
    spans = [(i["first_seen"], i["last_seen"], i["incident_key"]) for i in found]
    themes = analytics.negative_themes(app, lo, hi)
    reached = engagement.figures(app, lo, hi, data["buckets"], by)
    return {
        "from": lo, "to": hi, "by": by, "series": data, "incidents": found, "themes": themes,
        "response": analytics.response_times(app, config, lo, hi, at, desk),
        "engagement": reached,
        "charts": {
            "volume": charts.lines(f"Posts per hour by {by} (incidents shaded)",
                                   data["buckets"], data["volume"], spans),
            "sentiment": charts.stacked("Sentiment per hour (incidents shaded)",
                                        data["buckets"], data["sentiment"], spans),
            "themes": charts.bars("Negative posts by topic", themes["topics"]),
            "engagement": charts.stacked("Engagement per hour by sentiment (incidents shaded)",
                                         data["buckets"], reached["hourly"]["by_sentiment"],
                                         spans),
            "reach": charts.lines(f"Reach per hour by {by} (followers of distinct authors)",
                                  data["buckets"], reached["hourly"]["reach"], spans),
        }}


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise HTTPException(400, "from/to must be ISO dates, e.g. 2026-11-20T00:00Z") from error
    return moment if moment.tzinfo else moment.astimezone()


def requested_figures(request: Request, start: str | None, end: str | None, by: str) -> dict:
    if by not in analytics.DIMENSIONS:
        by = "topic"
    st = state(request)
    return figures(st.store(), st.app_config, _when(start), _when(end), by,
                   queries.desk_of(st))


@router.get("/dashboard")
def dashboard_page(request: Request, user: User = Depends(session_user),
                   start: str | None = None, end: str | None = None, by: str = "topic"):
    service.require(user, "dashboard:read")
    from webcare.app.pages import render

    found = requested_figures(request, start, end, by)
    found.pop("charts")
    return render(request, "dashboard.html", {
        "user": user, "f": found, "dims": analytics.DIMENSIONS, "start": start or "",
        "end": end or "", "chart_names": CHARTS})


@router.get("/dashboard/chart/{name}.svg")
def dashboard_chart(request: Request, name: str, user: User = Depends(session_user),
                    start: str | None = None, end: str | None = None, by: str = "topic"):
    service.require(user, "dashboard:read")
    if name not in CHARTS:
        raise HTTPException(404, "no such chart")
    svg = requested_figures(request, start, end, by)["charts"][name]
    return Response(svg, media_type="image/svg+xml")
