"""Push sources: an HTTP receiver in a background thread feeding ``records()`` via a queue.

:class:`ReceiverSource` is the base of the Facebook page webhook and of the generic webhook
(``type: webhook``), which accepts ``Post`` JSON (one object, a list, or JSON lines) with
``Authorization: Bearer <token>``. The server starts on the first ``records()`` call and
answers only after the request's items are queued; durability starts at the runner's flush
(keep ``pipeline.batch_size`` small for push sources). One ``cycle`` ends after
``idle_timeout`` seconds without a request (None: never), which bounds test runs.
Requests that fail authentication get 401/403 and nothing is recorded.
"""

from __future__ import annotations

import hmac
import json
import queue
import threading
from abc import abstractmethod
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from pydantic import Field, ValidationError

from ingest.base import Item, LiveConfig, LiveSource
from ingest.credentials import secret
from schemas import Post

MAX_BODY = 5 * 2**20


class ReceiverConfig(LiveConfig):
    """Listening address shared by push sources."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535, description="0 = any free port")
    path: str = "/webhook"
    idle_timeout: float | None = Field(default=None, gt=0)
    poll_interval: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:
        pass  # request lines may carry tokens in query strings; never log them

    def do_GET(self) -> None:
        self._answer(*self.server.source.on_get(self.path))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:  # refused unread
            return self._answer(*self.server.source.too_large(length))
        body = self.rfile.read(length)
        self._answer(*self.server.source.on_post(self.path, dict(self.headers), body))

    def _answer(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", self.server.source.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    source: ReceiverSource


class ReceiverSource(LiveSource):
    """Base for push sources; subclasses implement ``on_get`` / ``accept``."""

    content_type = "text/plain; charset=utf-8"  # of every answer this receiver sends

    def __init__(self, config: ReceiverConfig, state=None) -> None:
        super().__init__(config, state)
        self.queue: queue.Queue[Item] = queue.Queue()
        self.server: _Server | None = None

    def target(self) -> str:
        return f"{self.config.host}:{self.config.port}{self.config.path}"

    def start(self) -> str:
        """Bind and serve (idempotent); returns the base URL. Called by ``records()``."""
        if self.server is None:
            self.server = _Server((self.config.host, self.config.port), _Handler)
            self.server.source = self
            threading.Thread(target=self.server.serve_forever, daemon=True).start()
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def cycle(self) -> Iterator[Item]:
        self.start()
        self.health.set("ok", "listening")
        while not self._stop.is_set():
            try:
                yield self.queue.get(timeout=self.config.idle_timeout)
            except queue.Empty:
                return

    def close(self) -> None:
        super().close()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def on_get(self, path: str) -> tuple[int, str]:
        return 405, "method not allowed"

    def too_large(self, length: int) -> tuple[int, str]:
        """The answer to a body over ``MAX_BODY`` bytes, which is refused without reading."""
        return 413, f"too large: {length} bytes, at most {MAX_BODY}"

    def on_post(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        """Route, authenticate, then queue the request's items (each post or dead letter)."""
        if path.split("?")[0] != self.config.path:
            return 404, "not found"
        refusal = self.authenticate(headers, body)
        if refusal is not None:
            return refusal
        items = self.accept(body)
        for item in items:
            self.queue.put(item)
        return 200, f"accepted {len(items)}"

    @abstractmethod
    def authenticate(self, headers: dict[str, str], body: bytes) -> tuple[int, str] | None:
        """Called per delivery before anything is recorded: ``None`` to accept, else the
        (status, message) refusal sent back (nothing of a refused delivery is kept)."""

    @abstractmethod
    def accept(self, body: bytes) -> list[Item]:
        """The items of an authenticated delivery (bad entries become dead-letter items)."""

    def probe(self) -> str:
        return f"listening on {self.start()}{self.config.path}"


class WebhookConfig(ReceiverConfig):
    """``{type: webhook, port: 8080, path: /webhook, token_env: WEBCARE_WEBHOOK_TOKEN}``."""

    type: Literal["webhook"] = "webhook"
    token_env: str = "WEBCARE_WEBHOOK_TOKEN"
    token_file: str | None = None


class WebhookSource(ReceiverSource):
    """Generic webhook: Post JSON in, bearer-token auth; invalid posts become dead letters."""

    platform = "webhook"

    def __init__(self, config: WebhookConfig, state=None) -> None:
        super().__init__(config, state)
        self.token = secret(config.token_env, config.token_file)

    def authenticate(self, headers: dict[str, str], body: bytes) -> tuple[int, str] | None:
        given = headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), self.token.get_secret_value().encode()):
            return 401, "bad token"
        return None

    def accept(self, body: bytes) -> list[Item]:
        text = body.decode("utf-8", "replace").strip()
        try:
            data = json.loads(text)
            entries = data if isinstance(data, list) else [data]
        except ValueError:
            entries = [line for line in text.splitlines() if line.strip()]
        return [self._item(entry) for entry in entries]

    @staticmethod
    def _item(entry: Any) -> Item:
        raw = entry if isinstance(entry, str) else json.dumps(entry)
        try:
            return Item(post=Post.model_validate_json(raw))
        except ValidationError as error:
            return Item(raw=raw, error=f"not a Post: {error.errors()[0]['msg']}")
