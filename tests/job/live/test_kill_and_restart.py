"""Acknowledged means durable, with real processes: ``webcare run`` with a webhook source is
killed with -9 at random moments while a retrying sender posts, then stopped with SIGTERM.
Every post answered 2xx is stored exactly once and nothing is left in the intake."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import pytest

from tests.job.live.harness import (
    Sender,
    free_port,
    intake_left,
    post_json,
    start_run,
    stop,
    stored,
    wait_listening,
    wait_released,
    wait_until,
    write_config,
)

POSTS = 5000
KILLS = 10


@pytest.mark.integration
def test_kill_9_at_random_moments_loses_no_acknowledged_post(tmp_path):
    port = free_port()
    config = write_config(tmp_path, port, batch_size=64)
    bodies = [post_json(n, "chaos") for n in range(POSTS)]
    sender = Sender(port, bodies, threads=4).start()
    rng, kills, log = random.Random(18), 0, tmp_path / "run.log"
    proc = start_run(config, log)
    while kills < KILLS:
        assert wait_listening(port, proc), log.read_text()[-3000:]
        time.sleep(rng.uniform(0.1, 2.5))  # mid-request, mid-batch, mid-flush: wherever
        proc.kill()
        proc.wait()
        kills += 1
        wait_released(port)  # the receiver process follows its pipeline
        proc = start_run(config, log)
    sender.join(timeout=600)
    assert sender.done and len(sender.acked) == POSTS
    store = tmp_path / "store.sqlite"
    wait_until(lambda: len(stored(store)) >= POSTS, timeout=300, what="every post stored")
    assert wait_listening(port, proc), log.read_text()[-3000:]  # the last run is up (it
    # may have nothing left to do: stopping it while Python still starts is not the point)
    assert stop(proc) == 0, log.read_text()[-3000:]
    counts, queued = stored(store), stored(store, "queue_items")
    assert set(counts) == {f"chaos-{n}" for n in range(POSTS)}
    assert max(counts.values()) == 1 and max(queued.values(), default=1) == 1
    assert intake_left(tmp_path / "state.sqlite") == 0  # every entry finished and released
    assert sender.retries > 0  # the kills were felt by the sender


@pytest.mark.integration
def test_sigterm_drains_and_a_restart_resumes(tmp_path):
    """SIGTERM while posts arrive: exit 0 in bounded time; what was accepted but not yet
    processed is processed after the restart."""
    port = free_port()
    config = write_config(tmp_path, port, batch_size=16)
    log = tmp_path / "run.log"
    proc = start_run(config, log)
    assert wait_listening(port, proc)
    sender = Sender(port, [post_json(n, "term") for n in range(600)], threads=2).start()
    time.sleep(1.0)
    assert stop(proc, timeout=60) == 0, log.read_text()[-3000:]
    proc = start_run(config, log)
    sender.join(timeout=300)
    store = tmp_path / "store.sqlite"
    wait_until(lambda: len(stored(store)) >= 600, timeout=120, what="every post stored")
    assert wait_listening(port, proc)  # the restarted run is up before it is stopped
    assert stop(proc) == 0
    assert set(stored(store)) == {f"term-{n}" for n in range(600)}
    assert intake_left(tmp_path / "state.sqlite") == 0


def catches_sigterm(pid: int) -> bool:
    """Whether the process has a SIGTERM handler installed (``SigCgt`` in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    return False


@pytest.mark.integration
@pytest.mark.parametrize("after_s", [0.0, 0.3, 1.0])
def test_sigterm_while_starting_exits_cleanly(tmp_path, after_s):
    """Whenever an orchestrator stops it, even while Python still imports and the models
    load, ``webcare run`` ends with exit 0 (nothing was accepted before the receiver ran).
    ``after_s`` counts from the first moment the program can answer a signal at all (its
    start-up handler installed: before that the interpreter is still starting, and the
    kernel's default action applies to any program)."""
    config = write_config(tmp_path, free_port(), batch_size=16)
    log = tmp_path / "run.log"
    proc = start_run(config, log)
    wait_until(lambda: catches_sigterm(proc.pid), timeout=30, every=0.001,
               what="a SIGTERM handler")
    time.sleep(after_s)
    assert stop(proc, timeout=60) == 0, log.read_text()[-3000:]
