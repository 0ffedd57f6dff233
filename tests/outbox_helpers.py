"""What the ticket and alert tests share: the incident key, a simulated clock, and the request /
response plumbing of their fake HTTP receivers (tests/sinks/tickets/fakes.py,
tests/alerts/receivers.py)."""

from __future__ import annotations

from datetime import timedelta
from http.server import BaseHTTPRequestHandler

from tests.conftest import T0

KEY = "burst:Lumen Telecom:outage:20261120T1200Z"


class SimClock:
    def __init__(self, start=T0) -> None:
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class QuietHandler(BaseHTTPRequestHandler):
    """A fake receiver's request handler that logs nothing."""

    def log_message(self, *args) -> None:
        pass


def read_request(handler: BaseHTTPRequestHandler) -> tuple[dict[str, str], bytes]:
    """(headers with lower-case names, body) of the request ``handler`` is serving."""
    body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
    return {k.lower(): v for k, v in handler.headers.items()}, body


def send_reply(handler: BaseHTTPRequestHandler, status: int, extra: dict[str, str],
               text: str) -> None:
    """Answer with ``status``, the ``extra`` headers and ``text`` as the body."""
    raw = text.encode()
    handler.send_response(status)
    for key, value in extra.items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(raw)))
    handler.end_headers()
    handler.wfile.write(raw)
