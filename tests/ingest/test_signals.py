"""SIGTERM/SIGINT as the stop event: set soon after a signal, and never a deadlock when
signals arrive while the main thread waits on the event (a handler that took the event's
lock could hang the process for good)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

pytestmark = pytest.mark.integration

WAITER = textwrap.dedent("""
    from ingest.signals import stop_on_signals
    with stop_on_signals() as stop:
        print("ready", flush=True)
        while not stop.wait(0.0001):  # the main thread in and out of the event's lock
            pass
    print("stopped", flush=True)
""")


@pytest.mark.parametrize("burst", [1, 300])
def test_a_burst_of_signals_sets_the_stop_event_once(burst):
    waiter = subprocess.Popen([sys.executable, "-c", WAITER], stdout=subprocess.PIPE,
                              text=True, cwd=os.getcwd())
    try:
        assert waiter.stdout.readline().strip() == "ready"
        for n in range(burst):
            os.kill(waiter.pid, signal.SIGTERM if n % 2 == 0 else signal.SIGINT)
        out, _ = waiter.communicate(timeout=20)
        assert out.strip() == "stopped" and waiter.returncode == 0
    finally:
        waiter.kill()
        waiter.wait()


def test_the_previous_handlers_come_back_after_the_block():
    from ingest.signals import stop_on_signals

    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals() as stop:
        assert signal.getsignal(signal.SIGTERM) is not before
        os.kill(os.getpid(), signal.SIGTERM)
        deadline = time.monotonic() + 5
        while not stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stop.is_set()
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_handler_takes_no_lock():
    """Python runs a handler in the main thread between bytecodes, maybe while that thread
    holds the event's lock inside ``wait``/``set``; a handler that then sets the event waits
    on a lock its own thread holds: a process that never stops. Called with the lock held,
    the handler must return at once, and the event is set soon after."""
    from ingest.signals import RELAY_S, stop_on_signals

    with stop_on_signals() as stop:
        handler = signal.getsignal(signal.SIGTERM)
        returned = threading.Event()

        def signal_while_locked() -> None:
            with stop._cond:  # the lock the main thread holds inside Event.wait/set
                handler(signal.SIGTERM, None)
            returned.set()

        threading.Thread(target=signal_while_locked, daemon=True).start()
        assert returned.wait(5), "the handler blocked on the event's lock"
        assert stop.wait(RELAY_S * 40)
