"""Source health tells the truth: a killed process reads ``stale``, not "ok, receiving"."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta

import pytest

from ingest.health import Health
from sinks.store.source_state import STALE_AFTER_S, StateStore


def test_a_running_source_without_heartbeat_reads_stale(tmp_path):
    store = StateStore(tmp_path / "state.sqlite")
    Health("x:brand", store).set("ok", "receiving")
    fresh, = store.health()
    later = datetime.now(UTC) + timedelta(seconds=STALE_AFTER_S + 5)
    stale, = store.health(now=later)
    assert fresh["state"] == "ok"
    assert stale["state"] == "stale" and "last seen ok: receiving" in stale["detail"]


def test_ended_states_never_read_stale(tmp_path):
    store = StateStore(tmp_path / "state.sqlite")
    Health("a", store).set("stopped", "closed")
    Health("b", store).set("auth_failed", "401")
    later = datetime.now(UTC) + timedelta(hours=1)
    assert {row["state"] for row in store.health(now=later)} == {"stopped", "auth_failed"}


def test_a_state_file_from_before_heartbeats_is_upgraded(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE health (source TEXT PRIMARY KEY, state TEXT NOT NULL, detail TEXT "
               "NOT NULL, records INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL)")
    db.execute("INSERT INTO health VALUES ('s', 'ok', 'receiving', 3, ?)",
               (datetime.now(UTC).isoformat(timespec="seconds"),))
    db.commit()
    db.close()
    store = StateStore(path)
    Health("t", store).set("ok", "receiving")
    assert [row["state"] for row in store.health()] == ["ok", "ok"]


@pytest.mark.slow
def test_a_killed_process_leaves_a_stale_row(tmp_path):
    """A real process runs a source's heartbeat and is killed with -9; the row goes stale."""
    path = tmp_path / "state.sqlite"
    script = textwrap.dedent(f"""
        import time
        import ingest.health as health
        from sinks.store.source_state import StateStore
        health.HEARTBEAT_S = 0.05
        h = health.Health("webhook:test", StateStore({str(path)!r}))
        h.start()
        h.set("ok", "receiving")
        print("ready", flush=True)
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=os.getcwd())
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.2)  # heartbeats (the file keeps whole seconds)
    beating, = StateStore(path).health()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(1.2)
    dead, = StateStore(path).health()
    later = datetime.fromisoformat(dead["heartbeat_at"]) + timedelta(seconds=STALE_AFTER_S + 1)
    after_kill, = StateStore(path).health(now=later)
    assert beating["state"] == "ok" and beating["heartbeat_at"] > beating["updated_at"]
    assert dead["heartbeat_at"] == beating["heartbeat_at"] or dead["heartbeat_at"] < (
        datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="seconds")
    assert after_kill["state"] == "stale"
