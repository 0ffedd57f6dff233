"""The security headers on every response of ``webcare serve``.

A plain ASGI middleware (not starlette's ``BaseHTTPMiddleware``, which runs each request in an
extra task and wraps the body in a stream): it edits the response head as it passes and
costs a few microseconds per request. ``Cache-Control: no-store`` is a default an endpoint
may override; the others are always set.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_URL = "/api/docs"
FIXED = ((b"x-content-type-options", b"nosniff"),
         (b"referrer-policy", b"same-origin"),  # no-referrer makes Origin "null"
         (b"x-frame-options", b"DENY"))
FIXED_NAMES = {name for name, _ in FIXED} | {b"content-security-policy"}


class SecurityHeaders:
    """Content-Security-Policy (``docs_csp`` on the API docs page, ``csp`` elsewhere),
    nosniff, same-origin referrers, no framing, and no caching unless the endpoint says."""

    def __init__(self, app: ASGIApp, csp: str, docs_csp: str) -> None:
        self.app, self.csp, self.docs_csp = app, csp.encode(), docs_csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.docs_csp if scope["path"] == DOCS_URL else self.csp

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ())
                           if k.lower() not in FIXED_NAMES]
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": [*headers, (b"content-security-policy", csp),
                                                  *FIXED]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
