"""``GET /healthz`` of ``webcare serve``: the health check of containers and Kubernetes probes.

No login and no cookies; the answer says only ``ok`` or ``unavailable``. 200 when the
calling worker thread's store answers ``SELECT 1`` (PostgreSQL reachable, schema migrated at
open), else 503 with the error's type, so an orchestrator stops routing to the app and
restarts it when the store stays unreachable.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sinks.store.health import ping
from webcare.app.deps import state

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    try:
        ping(state(request).store().db)
    except Exception as error:  # noqa: BLE001 - any store failure means: not healthy
        return JSONResponse({"status": "unavailable", "error": type(error).__name__},
                            status_code=503)
    return JSONResponse({"status": "ok"})
