"""``webcare serve``: the FastAPI application assembled from its routers, with its security
headers and the mapping of authentication errors to responses.

Pages use a session cookie (HttpOnly, SameSite=Strict, Secure over https) plus a per-session
CSRF token on every state-changing request; the JSON API uses ``Authorization: Bearer`` tokens
(``webcare users token``) and never reads cookies. Roles are checked on every endpoint. The
per-process state and the authentication dependencies the routers use live in
:mod:`webcare.app.deps`; this module only puts the app together.

The interactive API docs (``/api/docs``) serve Swagger UI from the files the installed
``fastapi-offline`` package ships, so they work without internet access.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from webcare.app import api, dashboard, desk_web, health, knowledge, pages, security
from webcare.app import outbound_pages as outbound  # issue 8
from webcare.app.deps import ApiAuthFailed, CsrfFailed, LoginRequired, State
from webcare.app.pages import error_page
from webcare.app.security_headers import DOCS_URL, SecurityHeaders
from webcare.app.service import Forbidden

if TYPE_CHECKING:  # the whole file's config is built above the app (webcare.job)
    from webcare.job.config import WebcareConfig

HERE = Path(__file__).parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
OPENAPI_URL = "/api/openapi.json"
DOCS_ASSETS = "/api/docs/assets"  # Swagger UI's script, style sheet and icon, served locally


def swagger_assets() -> Path:
    """The folder of Swagger UI's files in the installed ``fastapi-offline`` package (found
    without importing it: only its files are used)."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fastapi-offline is not installed: it ships the API docs' Swagger UI")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def docs_page() -> tuple[str, str]:
    """The Swagger UI page (local assets only) and its Content-Security-Policy, which allows
    the page's one inline script by its hash and nothing from elsewhere."""
    html = get_swagger_ui_html(
        openapi_url=OPENAPI_URL, title="webcare API",
        swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png").body.decode()
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in re.findall(r"<script>(.*?)</script>", html, re.DOTALL))
    csp = (f"default-src 'none'; script-src 'self' {hashes}; style-src 'self'; "
           "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
    return html, csp


def create_app(config: WebcareConfig, reprocess_stages=None) -> FastAPI:
    """``reprocess_stages``: builds the dead-letter reprocess stages with the pipeline's sink
    chain (:func:`webcare.job.assembly.reprocess_stages`, passed by ``webcare serve``)."""
    if reprocess_stages is not None:
        from webcare.app.dead_letters import use_stages

        use_stages(config, reprocess_stages)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        app.state.webcare.close()

    app = FastAPI(title="webcare", version="1", docs_url=None, redoc_url=None,
                  openapi_url=OPENAPI_URL, lifespan=lifespan)
    app.state.webcare = State(config)
    app.state.templates = templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_assets()), name="docs-assets")
    docs_html, docs_csp = docs_page()

    @app.get(DOCS_URL, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(docs_html)

    app.include_router(health.router)  # /healthz for container health checks and probes
    app.include_router(pages.router)
    app.include_router(dashboard.router)
    app.include_router(knowledge.router)
    app.include_router(knowledge.api_router)
    app.include_router(api.router)
    app.include_router(outbound.pages)
    app.include_router(outbound.api)
    app.include_router(importlib.import_module("webcare.app.ticket_events").router)  # issue 21
    for name in ("search", "bulk", "dead_letters"):  # search, CSV, bulk, dead letters (i. 21)
        module = importlib.import_module(f"webcare.app.{name}")
        app.include_router(module.pages)
        app.include_router(module.api)
    app.include_router(desk_web.pages)  # teams, availability, assignment (issue 21)
    app.include_router(desk_web.api)

    app.add_middleware(SecurityHeaders, csp=CSP, docs_csp=docs_csp)

    if config.app.forwarded_allow_ips:  # behind a TLS-terminating reverse proxy
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=config.app.forwarded_allow_ips)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _: Exception):
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _: Exception):
        return error_page(request, 403, "The form was stale or did not come from this site "
                                        "(CSRF check failed). Reload the page and try again.")

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, error: Exception):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(error)}, status_code=403)
        return error_page(request, 403, str(error))

    @app.exception_handler(ApiAuthFailed)
    async def _api_auth(request: Request, _: Exception):
        return JSONResponse({"detail": "a valid API token is required"}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})

    return app


def templates() -> Jinja2Templates:
    """Autoescaping templates; ``inert`` makes direction/invisible characters visible."""
    env = Jinja2Templates(directory=str(HERE / "templates"))
    env.env.autoescape = True
    env.env.filters["inert"] = security.neutralise
    env.env.filters["sla"] = sla_text
    env.env.filters["safe_url"] = lambda url: url if security.is_web_url(url) else ""
    return env


def sla_text(seconds: int) -> str:
    """``42m left`` / ``2h 05m over`` (the browser keeps it counting)."""
    minutes = abs(int(seconds)) // 60
    text = f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
    return f"{text} over" if seconds < 0 else f"{text} left"

