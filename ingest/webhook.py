"""Push sources: an HTTP receiver whose accepted deliveries go to a durable intake first.

:class:`ReceiverSource` is the base of the Facebook page webhook, the chat transcript webhook
and the generic webhook (``type: webhook``), which accepts ``Post`` JSON (one object, a list,
or JSON lines) with ``Authorization: Bearer <token>``. The HTTP side (uvicorn, limits and
timeouts) is :mod:`ingest.http_receiver`; it runs in a process of its own
(:mod:`ingest.receiver_process`), started on the first ``records()`` call.

A delivery is answered 2xx only once its posts (and the dead-letter envelopes of its bad
entries) are committed to the intake in the source's state file (:mod:`sinks.store.intake`);
``records()`` reads the intake in order and ``checkpoint`` deletes what the runner flushed,
so neither kill -9 nor a restart loses an acknowledged post. ``close()`` stops accepting
(503), lets requests in flight finish, and leaves unread entries for the next start. One
``cycle`` ends after ``idle_timeout`` seconds without an entry (None: never), which bounds
test runs. Requests that fail authentication get 401/403 and nothing is recorded.

Every answer of the generic webhook is JSON, like the chat webhook's:

* 200 ``{"accepted": n, "ids": [...]}``;
* 400 ``invalid_utf8`` / ``invalid_json`` (the body is kept as a dead letter);
* 422 ``invalid_post`` ``{"error", "field", "reason", "errors": [...], "accepted", "ids"}``:
  every bad entry is a dead letter with its validation error, the good ones are accepted;
* 401, 404, 405, 408, 411, 413, 503 (intake full or stopping, with ``Retry-After``).
"""

from __future__ import annotations

import hmac
import json
import time
from abc import abstractmethod
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

from pydantic import ValidationError

from ingest.base import Item, LiveSource
from ingest.config import MAX_BODY, ReceiverConfig, WebhookConfig
from ingest.http_receiver import Answer, ReceiverServer, refusal
from ingest.receiver_process import ReceiverProcess
from schemas import Post
from schemas.plumbing.credentials import secret
from schemas.protocols import MALFORMED_KEY, malformed_payload, malformed_reason
from sinks.store.intake import Intake

READ_BATCH = 500


def validation_errors(error: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    """``[{"field", "reason"}]`` of a pydantic error, fields as dotted paths."""
    found = []
    for problem in error.errors()[:5]:
        where = ".".join(str(part) for part in problem["loc"])
        found.append({"field": f"{prefix}{where}" if where else prefix.rstrip(".") or "body",
                      "reason": problem["msg"]})
    return found


def parse_json(body: bytes) -> tuple[Any, dict[str, str] | None]:
    """The decoded JSON of a body, or None and the problem (``error``, ``reason``)."""
    try:
        return json.loads(body.decode("utf-8")), None
    except UnicodeDecodeError as error:
        return None, {"error": "invalid_utf8", "reason": f"not UTF-8: {error}"}
    except RecursionError:
        return None, {"error": "invalid_json", "reason": "nested too deeply"}
    except ValueError as error:
        return None, {"error": "invalid_json", "reason": f"not JSON: {error}"}


class ReceiverSource(LiveSource):
    """Base for push sources; subclasses implement ``authenticate`` and ``accept``."""

    error_name = "invalid_entry"  # the ``error`` of a 422 answer listing bad entries

    def __init__(self, config: ReceiverConfig, state=None) -> None:
        super().__init__(config, state)
        self.intake = Intake(config.state_path, self.name, config.intake_capacity)
        self.receiver: ReceiverProcess | None = None  # in the pipeline's process
        self.server: ReceiverServer | None = None  # in the receiver process
        self._address: tuple[str, int] = ("", 0)
        self.max_body, self.read_timeout = MAX_BODY, config.read_timeout
        self._read_seq = 0

    def target(self) -> str:
        return f"{self.config.host}:{self.config.port}{self.config.path}"

    def start(self) -> str:
        """Start the receiver process (idempotent); returns its base URL. Called by
        ``records()``; raises :class:`ingest.receiver_process.ReceiverFailed` when it cannot
        bind or build the source."""
        if self.receiver is None:
            self.receiver = ReceiverProcess(type(self), self.config)
            self._address = self.receiver.start()
        host, port = self._address
        return f"http://{host}:{port}"

    def serve_here(self) -> tuple[str, int]:
        """In the receiver process: bind and serve in a thread; the bound address."""
        self.server = ReceiverServer(self, self.config.host, self.config.port,
                                     self.config.max_connections)
        self.server.start()
        return self.server.address

    def serve_stop(self) -> None:
        """In the receiver process: stop accepting, answer what is in flight, finish the
        intake writes."""
        if self.server is not None:
            self.server.stop()
        self.intake.close()

    def cycle(self) -> Iterator[Item]:
        """Yield intake entries in order (first those a previous run left unfinished)."""
        self.start()
        self.health.set("ok", "listening")
        idle, quiet_since = self.config.idle_timeout, time.monotonic()
        while not self._stop.is_set():
            rows = self.intake.read(self._read_seq, READ_BATCH, min(0.25, idle or 0.25))
            for seq, payload in rows:
                self._read_seq = seq
                yield self._item(seq, payload)
            if rows:
                quiet_since = time.monotonic()
            elif idle is not None and time.monotonic() - quiet_since >= idle:
                return

    @staticmethod
    def _item(seq: int, payload: str) -> Item:
        cursor = {"intake": seq}
        if malformed_reason(payload) is not None:
            envelope = json.loads(payload)
            return Item(raw=envelope[MALFORMED_KEY], error=envelope["error"], cursor=cursor)
        return Item(post=Post.model_validate_json(payload), cursor=cursor, post_json=payload)

    def committed(self, cursor: dict[str, Any]) -> None:
        """After a checkpoint: the intake forgets every entry up to the cursor's."""
        if "intake" in cursor:
            self.intake.done(int(cursor["intake"]))

    def close(self) -> None:
        """Stop accepting (in-flight requests finish and are answered), stop reading."""
        super().close()
        if self.receiver is not None:
            self.receiver.stop()

    def persist(self, entries: list[str]) -> Future:
        """Called by the HTTP layer before it answers 2xx (see :mod:`sinks.store.intake`)."""
        return self.intake.submit(entries)

    def on_get(self, path: str, query: dict[str, str]) -> Answer:
        return refusal(405, "method_not_allowed", "method", "deliveries are POSTed")

    def on_post(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        """Route, authenticate, then parse the delivery (headers have lower-case names)."""
        if path != self.config.path:
            return refusal(404, "not_found", "path", f"deliveries go to {self.config.path}")
        refused = self.authenticate(headers, body)
        if refused is not None:
            return refused
        return self.accept(body)

    @abstractmethod
    def authenticate(self, headers: dict[str, str], body: bytes) -> Answer | None:
        """Called per delivery before anything is recorded: ``None`` to accept, else the
        refusal sent back (nothing of a refused delivery is kept)."""

    @abstractmethod
    def accept(self, body: bytes) -> Answer:
        """The answer to an authenticated delivery and the entries to record."""

    # -- answers ------------------------------------------------------------------------
    def bad_body(self, status: int, error: str, reason: str, raw: str,
                 field: str = "body") -> Answer:
        """Refuse the whole body; it is kept as one dead letter with ``reason``."""
        answer = refusal(status, error, field, reason)
        answer.entries = [malformed_payload(raw, f"{field}: {reason}", self.name)]
        return answer

    def items_answer(self, posts: list[Post], bad: list[tuple[dict[str, str], str]]) -> Answer:
        """200 with the accepted ids, or 422 listing each bad entry (``(error, raw)``), whose
        raw text is kept as a dead letter; the good entries are accepted either way."""
        entries = [post.model_dump_json() for post in posts]
        entries += [malformed_payload(raw, f"{problem['field']}: {problem['reason']}",
                                      self.name) for problem, raw in bad]
        ids = [post.id for post in posts]
        if not bad:
            return Answer(200, {"accepted": len(ids), "ids": ids}, entries)
        errors = [problem for problem, _ in bad]
        return Answer(422, {"error": self.error_name, **errors[0], "errors": errors,
                            "accepted": len(ids), "ids": ids}, entries)

    def probe(self) -> str:
        return f"listening on {self.start()}{self.config.path}"


class WebhookSource(ReceiverSource):
    """Generic webhook: Post JSON in, bearer-token auth; invalid posts become dead letters."""

    platform = "webhook"
    error_name = "invalid_post"

    def __init__(self, config: WebhookConfig, state=None) -> None:
        super().__init__(config, state)
        self.token = secret(config.token_env, config.token_file)

    def authenticate(self, headers: dict[str, str], body: bytes) -> Answer | None:
        given = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), self.token.get_secret_value().encode()):
            return refusal(401, "unauthorized", "Authorization", "missing or wrong bearer token")
        return None

    def accept(self, body: bytes) -> Answer:
        data, problem = parse_json(body)
        text = body.decode("utf-8", "replace")
        if problem is not None and problem["error"] == "invalid_json":
            lines = [line for line in text.splitlines() if line.strip()]
            if len(lines) > 1:  # JSON lines: judged line by line
                parsed = [parse_json(line.encode()) for line in lines]
                return self._entries([entry for entry, _ in parsed], lines,
                                     [found for _, found in parsed])
        if problem is not None:
            return self.bad_body(400, problem["error"], problem["reason"], text)
        entries = data if isinstance(data, list) else [data]
        if not entries:
            return self.bad_body(422, "invalid_post", "an empty list", text)
        return self._entries(entries, [json.dumps(entry) for entry in entries],
                             [None] * len(entries))

    def _entries(self, entries: list[Any], raws: list[str],
                 problems: list[dict[str, str] | None]) -> Answer:
        posts, bad = [], []
        for n, (entry, raw, problem) in enumerate(zip(entries, raws, problems)):
            prefix = f"[{n}]." if len(entries) > 1 else ""
            where = prefix.rstrip(".") or "body"
            if problem is not None or not isinstance(entry, dict):
                reason = problem["reason"] if problem else "not a JSON object (a Post)"
                bad.append(({"field": where, "reason": reason}, raw))
                continue
            try:
                post = Post.model_validate(entry)
            except ValidationError as error:
                bad.append((validation_errors(error, prefix)[0], raw))
                continue
            if self.wanted(post.text):
                posts.append(post)
        return self.items_answer(posts, bad)
