"""``webcare serve``: the FastAPI application, its security headers and authentication.

Pages use a session cookie (HttpOnly, SameSite=Strict, Secure over https) plus a per-session
CSRF token on every state-changing request; the JSON API uses ``Authorization: Bearer`` tokens
(``webcare users token``) and never reads cookies. Roles are checked on every endpoint.
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from sinks.store.app_store import AppStore
from sinks.store.registry import open_store
from webcare.app import security
from webcare.app.service import Forbidden, User

if TYPE_CHECKING:  # the whole file's config is built above the app (webcare.job)
    from webcare.job.config import WebcareConfig

HERE = Path(__file__).parent
SESSION_COOKIE = "wc_session"
LOGIN_COOKIE = "wc_login"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# FastAPI's interactive docs load Swagger UI from a CDN; only that page may do so.
DOCS_CSP = ("default-src 'none'; script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; "
            "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: "
            "https://fastapi.tiangolo.com; connect-src 'self'; frame-ancestors 'none'")


class LoginRequired(Exception):
    pass


class CsrfFailed(Exception):
    pass


def _lost(connection) -> bool:
    """A psycopg connection that is closed or broken (sqlite3 connections never are)."""
    return bool(getattr(connection, "broken", False) or getattr(connection, "closed", False))


class State:
    """Per-process state: config, login limiter and one store connection per worker thread."""

    def __init__(self, config: WebcareConfig) -> None:
        self.config, self.app_config = config, config.app
        self.limiter = security.LoginLimiter(config.app.login_limit.max_failures,
                                             config.app.login_limit.window_seconds)
        self.topics = tuple(config.classify.topic.labels)
        self._local = threading.local()
        self._opened: list = []
        self._lock = threading.Lock()

    def store(self) -> AppStore:
        """The calling thread's store (sqlite3 connections must stay in their thread). A
        connection the database dropped (a PostgreSQL restart or failover) is replaced: the
        request that found it broken failed, the next one reconnects."""
        app = getattr(self._local, "app", None)
        if app is not None and _lost(app.store.db):
            self._forget(app.store)
            app = None
        if app is None:
            store = open_store(self.config.store)
            app = self._local.app = AppStore(store)
            with self._lock:
                self._opened.append(store)
        return app

    def _forget(self, store) -> None:
        with self._lock:
            if store in self._opened:
                self._opened.remove(store)
        try:
            store.close()
        except Exception:  # noqa: BLE001 - it is broken already
            pass

    def close(self) -> None:
        with self._lock:
            for store in self._opened:
                try:
                    store.close()
                except Exception:  # noqa: BLE001 - closing another thread's sqlite handle
                    pass
            self._opened.clear()


def state(request: Request) -> State:
    return request.app.state.webcare


def secure_cookies(request: Request) -> bool:
    mode = state(request).app_config.secure_cookies
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def session_user(request: Request) -> User:
    """The logged-in user of a page request (LoginRequired when there is none)."""
    token = request.cookies.get(SESSION_COOKIE)
    row = state(request).store().session(security.token_hash(token), "session") if token else None
    if row is None:
        raise LoginRequired()
    request.state.csrf = row["csrf"]
    return User(row["name"], row["role"])


def check_csrf(request: Request, submitted: str | None) -> None:
    """The submitted token must match the session's; a foreign Origin is refused too."""
    origin = request.headers.get("origin")
    if origin and origin.rstrip("/") != str(request.base_url).rstrip("/"):
        raise CsrfFailed()
    if not security.same(submitted or request.headers.get("x-csrf-token"),
                         getattr(request.state, "csrf", None)):
        raise CsrfFailed()


def api_user(request: Request) -> User:
    """The user of an API request: ``Authorization: Bearer <token>`` only (no cookies)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    row = None
    if scheme.lower() == "bearer" and token.strip():
        row = state(request).store().session(security.token_hash(token.strip()), "api")
    if row is None:
        raise ApiAuthFailed()
    return User(row["name"], row["role"])


class ApiAuthFailed(Exception):
    pass


def create_app(config: WebcareConfig) -> FastAPI:
    from webcare.app import api, dashboard, health, knowledge, pages

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        app.state.webcare.close()

    app = FastAPI(title="webcare", version="1", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json", lifespan=lifespan)
    app.state.webcare = State(config)
    app.state.templates = templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(health.router)  # /healthz for container health checks and probes
    app.include_router(pages.router)
    app.include_router(dashboard.router)
    app.include_router(knowledge.router)
    app.include_router(knowledge.api_router)
    app.include_router(api.router)
    from webcare.outbound import web as outbound  # issue 8

    app.include_router(outbound.pages)
    app.include_router(outbound.api)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        docs = request.url.path == "/api/docs"
        response.headers["Content-Security-Policy"] = DOCS_CSP if docs else CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"  # no-referrer makes Origin "null"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

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


def error_page(request: Request, status: int, message: str):
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"message": message, "user": None}, status_code=status)
