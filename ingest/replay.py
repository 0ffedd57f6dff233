"""JSONL replay source: posts from a file (or stdin), one JSON object per line.

Used by ``webcare run --replay`` / ``webcare classify`` and the demo. With ``speed`` > 0 the
source sleeps so that gaps between consecutive ``created_at`` values are replayed at
``speed`` × real time; the default (0) replays as fast as possible. Event time is carried in
the posts, so the result is the same at any speed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import orjson

from ingest.config import ReplayConfig
from schemas.protocols import RawRecord


def decode_line(raw: bytes) -> str:
    """Decode one input line; invalid UTF-8 bytes become U+FFFD so the post is still handled."""
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")


class ReplaySource:
    """Reads raw lines; parsing into :class:`schemas.Post` is the runner's job (so a bad line
    becomes a dead letter with its line number instead of stopping the source)."""

    def __init__(self, config: ReplayConfig, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.name = f"replay:{config.path}"
        self._sleep = sleep
        self._last_event: datetime | None = None
        self.position = 0

    def _open(self) -> BinaryIO:
        if self.config.path == "-":
            return sys.stdin.buffer
        path = Path(self.config.path)
        if not path.is_file():
            raise FileNotFoundError(f"replay file not found: {path}")
        return path.open("rb")

    def records(self) -> Iterator[RawRecord]:
        """Yield every non-blank line with its 1-based line number as position."""
        stream = self._open()
        try:
            for number, raw in enumerate(stream, start=1):
                line = decode_line(raw)
                if not line.strip():
                    continue
                if self.config.speed > 0:
                    self._pace(line)
                yield RawRecord(payload=line, source=self.name, position=number)
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()

    def checkpoint(self, position: int) -> None:
        """Remember the last line whose results were flushed (files restart from the top)."""
        self.position = position

    def _pace(self, line: str) -> None:
        event = _event_time(line)
        if event is None:
            return
        if self._last_event is not None and event > self._last_event:
            self._sleep((event - self._last_event).total_seconds() / self.config.speed)
        self._last_event = max(event, self._last_event or event)


def _event_time(line: str) -> datetime | None:
    """Best-effort ``created_at`` of a raw line, for pacing only (bad lines are not paced)."""
    try:
        value = orjson.loads(line).get("created_at")
        if not value:
            return None
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    except (orjson.JSONDecodeError, AttributeError, ValueError, TypeError):
        return None
