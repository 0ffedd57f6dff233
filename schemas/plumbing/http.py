"""The small HTTP client every ticket sink uses, and what a response means for delivery.

Called by the sinks once per request from the delivery loop. :func:`request` never raises for
an HTTP status; :func:`check` turns a response into the delivery verdict: 2xx is returned,
429/5xx and timeouts raise :class:`Retryable` (with ``Retry-After`` if the server sent one),
other 4xx raise :class:`Rejected` carrying the body, which the outbox keeps as a dead letter.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from schemas.errors import WebcareError

MAX_BODY_CHARS = 4000


class Retryable(WebcareError):
    """Try again later: 429, 5xx, a timeout or a refused connection."""

    def __init__(self, detail: str, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.status = status


class Rejected(WebcareError):
    """The server refused the request for good (4xx other than 429): a dead letter."""

    def __init__(self, status: int, body: str, detail: str = "") -> None:
        super().__init__(detail or f"HTTP {status}: {body[:200]}")
        self.status = status
        self.body = body


@dataclass
class Response:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body as JSON; a 2xx that is not JSON is a contract break (Rejected)."""
        try:
            return json.loads(self.body) if self.body else {}
        except ValueError as error:
            raise Rejected(self.status, self.body, f"response is not JSON: {error}") from error


def request(method: str, url: str, headers: dict[str, str], body: Any = None,
            timeout: float = 10.0, data: bytes | None = None) -> Response:
    """Send one request (``body`` as JSON, or ready ``data`` bytes); network failures and
    timeouts raise :class:`Retryable`."""
    if data is None and body is not None:
        data = json.dumps(body).encode("utf-8")
    if data is not None:
        headers = {"Content-Type": "application/json", **headers}
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Accept": "application/json", **headers})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Response(resp.status, _text(resp.read()), _lower(resp.headers))
    except urllib.error.HTTPError as error:
        return Response(error.code, _text(error.read()), _lower(error.headers))
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise Retryable(f"{method} {url}: {getattr(error, 'reason', error)}") from error


def check(response: Response, now: datetime | None = None) -> Response:
    """Return a 2xx response; raise :class:`Retryable` or :class:`Rejected` otherwise."""
    status = response.status
    if 200 <= status < 300:
        return response
    if status == 429 or status >= 500 or status == 408:
        wait = parse_retry_after(response.headers.get("retry-after"), now)
        raise Retryable(f"HTTP {status}: {response.body[:200]}", wait, status)
    raise Rejected(status, response.body[:MAX_BODY_CHARS])


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date); None if
    absent or unreadable. Never negative."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # "²" is a digit to isdigit, not to float
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (moment - now).total_seconds())


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")[:MAX_BODY_CHARS]


def _lower(headers) -> dict[str, str]:
    return {key.lower(): value for key, value in (headers or {}).items()}
