"""Local fake platform servers on 127.0.0.1 (free ports) for the ingestor tests.

* :class:`FakeHTTP` — a threaded ``http.server`` whose routes are plain functions
  ``(handler) -> (status, headers, body)``; a body that is a :class:`Chunks` list is sent chunked, one chunk
  per element (streams: SSE, newline-delimited JSON). Every request is recorded.
* :class:`FakeJetstream` — a websocket server that sends frames after the client's cursor
  and then closes, like a Jetstream node that drops the connection.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.sync.server import serve


class Chunks(list):
    """A response body sent with chunked transfer encoding, one chunk per element."""


Route = Callable[["Handler"], tuple[int, dict[str, str], Any]]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query)

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        self.server.fake.requests.append((self.command, self.path, dict(self.headers)))
        route = self.server.fake.routes.get((self.command, path)) or self.server.fake.routes.get(
            (self.command, "*"))
        status, headers, body = route(self) if route else (404, {}, {"error": "not found"})
        if isinstance(body, Chunks):
            return self._chunked(status, headers, body)
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        headers = {"Content-Type": "application/json", **headers}
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _chunked(self, status: int, headers: dict[str, str], chunks: list) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        for chunk in chunks:
            data = chunk if isinstance(chunk, bytes) else chunk.encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.close_connection = True

    do_GET = do_POST = do_DELETE = do_PUT = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeHTTP


class FakeHTTP:
    """``with FakeHTTP({("GET", "/path"): route}) as fake: fake.url``."""

    def __init__(self, routes: dict[tuple[str, str], Route] | None = None) -> None:
        self.routes = dict(routes or {})
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.fake = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeHTTP:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def paths(self, method: str = "GET") -> list[str]:
        return [path for verb, path, _ in self.requests if verb == method]


def json_route(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Route:
    return lambda handler: (status, headers or {}, body)


class FakeJetstream:
    """Serves ``frames`` (dicts or raw strings) with ``time_us`` > the client's cursor.

    ``per_connection`` frames are sent per connection before the server closes it.
    """

    def __init__(self, frames: list[Any], per_connection: int | None = None) -> None:
        self.frames = frames
        self.per_connection = per_connection or len(frames)
        self.paths: list[str] = []
        self._server = serve(self._handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}"

    def __enter__(self) -> FakeJetstream:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()

    def _handle(self, socket: Any) -> None:
        path = socket.request.path
        self.paths.append(path)
        cursor = int(parse_qs(urlsplit(path).query).get("cursor", ["0"])[0])
        sent = 0
        for frame in self.frames:
            if isinstance(frame, dict) and frame.get("time_us", 0) < cursor:
                continue
            socket.send(frame if isinstance(frame, str) else json.dumps(frame))
            sent += 1
            if sent >= self.per_connection:
                break
        socket.close()


def drain(source, checkpoint: bool = True) -> list:  # noqa: ANN001 - any ingest source
    """Read a source to its end, checkpointing each record as the runner would after a flush
    (``checkpoint=False``: as if the run crashed before any flush)."""
    records = []
    for record in source.records():
        records.append(record)
        if checkpoint:
            source.checkpoint(record.position)
    return records


def platform_ids(records) -> list:  # noqa: ANN001
    """The ``platform_id`` of each record's Post, in order."""
    from schemas import Post

    return [Post.model_validate_json(record.payload).platform_id for record in records]
