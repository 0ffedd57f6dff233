"""SIGTERM/SIGINT as a stop event, for the long-running commands (``webcare run``, workers).

The event ends :meth:`ingest.batches.MultiSource.batches` (sources closed, what was read
handed out) and a Kafka worker's poll loop; the process then flushes, checkpoints and exits 0.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event that SIGTERM/SIGINT set while the block runs; the previous handlers come back
    after it. Entered before models load and brokers connect, so a stop asked for during a
    start ends it cleanly too. Off the main thread (where Python cannot take signals) the
    event is only set by whoever holds it."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {signum: signal.signal(signum, lambda *_: stop.set()) for signum in SIGNALS}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
