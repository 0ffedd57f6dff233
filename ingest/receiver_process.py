"""A push source's HTTP receiver in a process of its own, beside the pipeline that reads it.

Started by :meth:`ingest.webhook.ReceiverSource.start`. Receiving (HTTP parsing, auth,
validation, intake writes) and classifying are both CPU work in Python; in one process they
share one interpreter lock, so a busy classifier delays acknowledgements and a flood of
requests starves the classifier. The child process builds the same source from its config,
serves it (:mod:`ingest.http_receiver`) and writes accepted entries to the durable intake;
the parent reads the intake. They share nothing else.

Lifecycle: the child (``python -m ingest.receiver_process``, the source's class and config as
JSON on stdin) reports its bound address (or the error that kept it from binding) on stdout; SIGTERM makes it stop accepting, finish the requests in flight and exit; it also gets
SIGTERM when its parent dies (``PR_SET_PDEATHSIG``, with a parent-pid check as fallback), so
a kill -9 of the pipeline leaves no orphan holding the port. A restarted pipeline's child
retries binding while the old one lets go.
"""

from __future__ import annotations

import ctypes
import errno
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from ingest.signals import signalled
from schemas.errors import WebcareError

BIND_RETRY_S = 15.0
START_TIMEOUT_S = 60.0
PR_SET_PDEATHSIG = 1
WATCH_S = 0.2  # how often the child looks for SIGTERM and for its parent


class ReceiverFailed(WebcareError, RuntimeError):
    """The receiver process could not start (the message is the child's error)."""


def _path(kind: type) -> str:
    return f"{kind.__module__}:{kind.__qualname__}"


def _load(path: str) -> type:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


class ReceiverProcess:
    """One child process (``python -m ingest.receiver_process``) serving one push source."""

    def __init__(self, source_type: type, config: Any) -> None:
        self.spec = json.dumps({"source": _path(source_type), "config_type": _path(type(config)),
                                "config": config.model_dump(mode="json")})
        self.process: subprocess.Popen | None = None

    def start(self) -> tuple[str, int]:
        """Start the child; returns the address it listens on, or raises ReceiverFailed."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ingest.receiver_process"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True)
        self.process.stdin.write(self.spec + "\n")
        self.process.stdin.close()
        answer = _first_line(self.process.stdout, START_TIMEOUT_S)
        if answer is None:
            self.stop()
            raise ReceiverFailed(f"no answer from the receiver within {START_TIMEOUT_S:g} s")
        kind, value = json.loads(answer)
        if kind == "error":
            self.process.wait(10)
            raise ReceiverFailed(value)
        return value[0], value[1]

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM: the child stops accepting and answers what is in flight, then exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _first_line(stream, timeout: float) -> str | None:
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0] if lines and lines[0] else None


def serve(spec: dict[str, Any], report) -> None:
    """The child's main: build the source, serve until SIGTERM or the parent's death."""
    stopping = signalled()  # no lock in the handler: see ingest.signals
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    parent = os.getppid()
    _die_with_parent()
    try:
        config = _load(spec["config_type"]).model_validate(spec["config"])
        source = _load(spec["source"])(config)
        address = _bind(source)
    except Exception as error:  # noqa: BLE001 - reported to the parent, which raises it
        report(["error", f"{type(error).__name__}: {error}"])
        return
    report(["address", list(address)])
    while not stopping and os.getppid() == parent:
        time.sleep(WATCH_S)
    source.serve_stop()


def _bind(source: Any) -> tuple[str, int]:
    deadline = time.monotonic() + BIND_RETRY_S
    while True:
        try:
            return source.serve_here()
        except OSError as error:
            if error.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass  # not Linux: the parent-pid check in serve covers it


def _report(message: list) -> None:
    """The one line the parent reads; later output to stdout goes to stderr (nobody reads
    the pipe after that line, and a full pipe would block the receiver)."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())


if __name__ == "__main__":
    serve(json.loads(sys.stdin.readline()), _report)
