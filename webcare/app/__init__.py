"""``webcare serve``: the FastAPI app (:mod:`webcare.app.web`), its routers, the actions on
queue items, the dashboard and the report."""

__all__ = [  # the public submodules
    "analytics",
    "api",
    "bulk",
    "charts",
    "config",
    "dashboard",
    "dead_letters",
    "deps",
    "desk_web",
    "engagement",
    "erase",
    "health",
    "knowledge",
    "outbound_pages",
    "pages",
    "queries",
    "replies",
    "report",
    "search",
    "security",
    "service",
    "ticket_events",
    "web",
]
