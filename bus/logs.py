"""Structured JSON logs: one object per line on stderr (ts, level, logger, msg, fields).

Called once by a worker at start. Extra fields are passed as ``extra={"fields": {...}}``.
kafka-python's own loggers are raised to ERROR so an unreachable broker gives our single
retry line per attempt rather than a stream of connection tracebacks.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone

import orjson


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
                 "level": record.levelname.lower(), "logger": record.name,
                 "msg": record.getMessage()}
        entry.update(getattr(record, "fields", {}) or {})
        if record.exc_info and record.levelno >= logging.ERROR:
            entry["error"] = self.formatException(record.exc_info).splitlines()[-1]
        return orjson.dumps(entry, default=str).decode()


def setup(level: str = "INFO", stream=None) -> None:
    """Route the root logger to JSON lines; idempotent (replaces earlier handlers)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
