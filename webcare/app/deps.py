"""The app's per-process state and its authentication dependencies, which every router uses.

:class:`State` holds the config, the login limiter and one store connection per worker
thread; :func:`state` finds it on a request. Pages authenticate with the session cookie
(:func:`session_user`, plus :func:`check_csrf` on every state-changing request); the JSON API
with ``Authorization: Bearer`` tokens (:func:`api_user`), never cookies. The app itself is
assembled in :mod:`webcare.app.web`, which maps the errors here to responses.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from fastapi import Request

from schemas.errors import WebcareError
from sinks.store.app_store import AppStore
from sinks.store.registry import open_store
from webcare.app import security
from webcare.app.service import User

if TYPE_CHECKING:  # the whole file's config is built above the app (webcare.job)
    from webcare.job.config import WebcareConfig

__all__ = [
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "ApiAuthFailed",
    "CsrfFailed",
    "LoginRequired",
    "State",
    "api_user",
    "check_csrf",
    "secure_cookies",
    "session_user",
    "state",
]

SESSION_COOKIE = "wc_session"
LOGIN_COOKIE = "wc_login"


class LoginRequired(WebcareError):
    """A page needs a session and the request has none (answered with a redirect to login)."""


class CsrfFailed(WebcareError):
    """A state-changing page request without the session's CSRF token, or from a foreign
    Origin (answered 403)."""


class ApiAuthFailed(WebcareError):
    """An API request without a valid bearer token (answered 401)."""


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
