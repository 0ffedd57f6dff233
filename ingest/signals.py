"""SIGTERM/SIGINT as a stop event, for the long-running commands (``webcare run``, workers).

The event ends :meth:`ingest.batches.MultiSource.batches` (sources closed, what was read
handed out) and a Kafka worker's poll loop; the process then flushes, checkpoints and exits 0.

The handler itself only appends to a list: Python runs handlers in the main thread between
two bytecodes, possibly while that thread is inside ``Event.wait``/``Event.set`` holding the
event's lock, so a handler that sets an event can deadlock the process forever (a second
SIGTERM did exactly that to a receiver process). A relay thread turns the note into the
event within ``RELAY_S``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGTERM, signal.SIGINT)
RELAY_S = 0.05  # how soon a signal becomes the stop event


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
    asked: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, _: asked.append(signum))
                for signum in SIGNALS}
    ended = threading.Event()
    threading.Thread(target=_relay, args=(asked, stop, ended), daemon=True,
                     name="signal-relay").start()
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        ended.set()


def signalled(signals: tuple[int, ...] = (signal.SIGTERM,)) -> list[int]:
    """A list that ``signals`` append to, for a main loop that polls it (no lock is taken
    in the handler; see the module doc). Call from the main thread."""
    asked: list[int] = []
    for signum in signals:
        signal.signal(signum, lambda signum, _: asked.append(signum))
    return asked


def _relay(asked: list[int], stop: threading.Event, ended: threading.Event) -> None:
    while not ended.wait(RELAY_S):
        if asked:
            stop.set()
            return
