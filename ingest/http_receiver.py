"""The HTTP side of every push source: uvicorn (h11) + starlette in a background thread.

Started by :meth:`ingest.webhook.ReceiverSource.start`. What a hostile internet gets:

* chunked bodies are read like any other; a POST with neither ``Content-Length`` nor
  chunked transfer is 411; an invalid or negative ``Content-Length`` is 400 (h11 refuses
  the request line); a declared length over ``max_body`` is 413 before one byte of the body
  is read and before any authentication work; a chunked body is cut off at ``max_body``.
* a body that does not arrive within ``read_timeout`` seconds is 408; a connection that
  sends no complete request head within ``read_timeout`` is closed; an idle keep-alive
  connection is closed after 5 s; at most ``max_connections`` connections are served,
  beyond that uvicorn answers 503 (no thread per connection: one event loop).
* every answer is JSON ``{"error", "field", "reason"}`` (or the receiver's own answer); the
  receiver's handler never raises out of a request: an unexpected failure is 500 and logged.
* accepted entries are written to the durable intake before the 2xx is sent; a full intake is
  503 with ``Retry-After``; a stopping source is 503 too, so senders retry elsewhere or later.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Protocol

import h11
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from uvicorn.protocols.http.h11_impl import H11Protocol

from schemas.errors import WebcareError
from sinks.store.intake import IntakeClosed, IntakeFull

log = logging.getLogger("webcare.ingest")
KEEP_ALIVE_S = 5
RETRY_AFTER_S = 5


@dataclass
class Answer:
    """What a receiver answers to one request, and the intake entries it accepted."""

    status: int
    body: dict[str, Any] | str
    entries: list[str] = field(default_factory=list)
    content_type: str = "application/json"

    def encode(self) -> bytes:
        return (self.body if isinstance(self.body, str) else json.dumps(self.body)).encode()


def refusal(status: int, error: str, field_name: str, reason: str) -> Answer:
    """A JSON error answer naming the field and the reason (nothing accepted)."""
    return Answer(status, {"error": error, "field": field_name, "reason": reason})


class Receiver(Protocol):
    """What the HTTP layer needs of a push source."""

    max_body: int
    read_timeout: float

    def on_get(self, path: str, query: dict[str, str]) -> Answer: ...

    def on_post(self, path: str, headers: dict[str, str], body: bytes) -> Answer: ...

    def persist(self, entries: list[str]) -> Future: ...


class _TooLarge(WebcareError):
    """A streamed body passed the receiver's limit (the argument: bytes read so far)."""


async def _read_body(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge(size)
        chunks.append(chunk)
    return b"".join(chunks)


def _length_refusal(headers: dict[str, str], limit: int) -> Answer | None:
    """411/413 decided from the request head alone (h11 already refused a bad length)."""
    length = headers.get("content-length")
    if length is None:
        if "chunked" not in headers.get("transfer-encoding", "").lower():
            return refusal(411, "length_required", "Content-Length",
                           "send Content-Length or a chunked body")
        return None
    if int(length) > limit:
        return refusal(413, "too_large", "body", f"{length} bytes, at most {limit} are read")
    return None


def build_app(receiver: Receiver) -> Callable:
    """The ASGI app of one receiver."""

    async def app(scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            answer = await _answer(receiver, request)
        except Exception:  # noqa: BLE001 - a request never takes the receiver down
            log.exception("receiver failed on a request")
            answer = refusal(500, "internal", "body", "the receiver failed; retry later")
        headers = {"Retry-After": str(RETRY_AFTER_S)} if answer.status == 503 else None
        await Response(answer.encode(), answer.status, headers,
                       media_type=answer.content_type)(scope, receive, send)

    return app


async def _answer(receiver: Receiver, request: Request) -> Answer:
    path = request.url.path
    if request.method == "GET":
        return receiver.on_get(path, dict(request.query_params))
    if request.method != "POST":
        return refusal(405, "method_not_allowed", "method", "POST deliveries here")
    headers = {key.lower(): value for key, value in request.headers.items()}
    refused = _length_refusal(headers, receiver.max_body)
    if refused is not None:
        return refused
    try:
        body = await asyncio.wait_for(_read_body(request, receiver.max_body),
                                      receiver.read_timeout)
    except _TooLarge as size:
        return refusal(413, "too_large", "body",
                       f"more than {receiver.max_body} bytes ({size} read)")
    except (TimeoutError, asyncio.TimeoutError):
        return refusal(408, "timeout", "body",
                       f"the body did not arrive within {receiver.read_timeout:g} s")
    answer = receiver.on_post(path, headers, body)
    return await _persisted(receiver, answer)


async def _persisted(receiver: Receiver, answer: Answer) -> Answer:
    """Write the accepted entries durably before the answer goes out."""
    if not answer.entries:
        return answer
    try:
        await asyncio.wrap_future(receiver.persist(answer.entries))
    except IntakeFull as error:
        return refusal(503, "intake_full", "body", f"{error}; retry after {RETRY_AFTER_S} s")
    except IntakeClosed as error:
        return refusal(503, "stopping", "body", f"{error}; retry after {RETRY_AFTER_S} s")
    except Exception as error:  # noqa: BLE001 - not written: the sender must retry
        log.error("intake write failed: %s", error)
        return refusal(503, "not_stored", "body", f"{type(error).__name__}: {error}")
    return answer


class _GuardedH11(H11Protocol):
    """uvicorn's h11 protocol plus a deadline for each request head (slowloris): armed when
    the connection opens and after every answer; a head still incomplete at the deadline
    closes the connection."""

    head_timeout: float = 10.0
    _waits = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._await_head()

    def _await_head(self) -> None:
        self._waits += 1
        self.loop.call_later(self.head_timeout, self._drop_without_head, self._waits)

    def _drop_without_head(self, wait: int) -> None:
        answered = self.cycle is None or self.cycle.response_complete
        if (wait == self._waits and answered and self.conn.their_state is h11.IDLE
                and not self.transport.is_closing()):
            self.transport.close()


class ReceiverServer:
    """One listening socket served by uvicorn in a daemon thread."""

    def __init__(self, receiver: Receiver, host: str, port: int, max_connections: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that name it, and
        # without it every answer waits ~40 ms for the client's delayed ACK (Nagle)
        self.socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        protocol = type("GuardedH11", (_GuardedH11,), {"head_timeout": receiver.read_timeout})
        config = uvicorn.Config(build_app(receiver), http=protocol, lifespan="off",
                                access_log=False, log_level="warning",
                                timeout_keep_alive=KEEP_ALIVE_S,
                                limit_concurrency=max_connections,
                                timeout_graceful_shutdown=int(receiver.read_timeout) + 1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]},
                                       daemon=True, name=f"receiver-{port}")

    @property
    def address(self) -> tuple[str, int]:
        return self.socket.getsockname()[:2]

    def start(self, timeout: float = 10.0) -> None:
        """Serve in the background; returns once uvicorn is listening."""
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self.server.started:
            raise RuntimeError(f"receiver on {self.address} did not start")

    def stop(self) -> None:
        """Stop accepting, let requests in flight finish (bounded), close the socket."""
        self.server.should_exit = True
        self.thread.join(timeout=self.server.config.timeout_graceful_shutdown or 10)
        self.socket.close()
