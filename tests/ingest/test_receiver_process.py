"""The push receiver's own process: a clear error when it cannot start, and no orphan when
the pipeline that started it is killed with -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from ingest.config import WebhookConfig
from ingest.receiver_process import ReceiverFailed
from ingest.webhook import WebhookSource
from tests.job.live.harness import wait_listening, wait_released

pytestmark = pytest.mark.integration


def test_a_receiver_that_cannot_bind_fails_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("WEBCARE_WEBHOOK_TOKEN", "t")
    source = WebhookSource(WebhookConfig(host="192.0.2.1", port=0,  # not this machine's
                                         state_path=str(tmp_path / "s.sqlite")))
    with pytest.raises(ReceiverFailed, match="OSError.*assign"):
        source.start()


def _pipeline_with_receiver(tmp_path) -> tuple[subprocess.Popen, int]:
    """A process that starts a webhook source (whose receiver is its child process) and
    sleeps; with the port the receiver listens on."""
    script = textwrap.dedent(f"""
        import os, time
        os.environ["WEBCARE_WEBHOOK_TOKEN"] = "t"
        from ingest.webhook import WebhookSource
        from ingest.config import WebhookConfig
        source = WebhookSource(WebhookConfig(port=0, state_path={str(tmp_path / "s.sqlite")!r}))
        print(source.start().rsplit(":", 1)[1], flush=True)
        time.sleep(600)
    """)
    pipeline = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                text=True, cwd=os.getcwd())
    port = int(pipeline.stdout.readline())
    assert wait_listening(port, timeout=10)
    return pipeline, port


def test_the_receiver_follows_its_pipeline_when_killed_9(tmp_path):
    pipeline, port = _pipeline_with_receiver(tmp_path)
    os.kill(pipeline.pid, signal.SIGKILL)
    pipeline.wait()
    wait_released(port, timeout=10)  # raises when the receiver process outlived it


def test_the_receiver_ends_under_a_burst_of_sigterms(tmp_path):
    """A SIGTERM handler that set an event deadlocked when a second SIGTERM came while the
    first handler held the event's lock: the receiver lived on, orphaned. Now a burst of
    SIGTERMs ends it."""
    pipeline, port = _pipeline_with_receiver(tmp_path)
    try:
        children = f"/proc/{pipeline.pid}/task/{pipeline.pid}/children"
        receiver = int(open(children).read().split()[0])
        for _ in range(300):
            os.kill(receiver, signal.SIGTERM)
        wait_released(port, timeout=10)  # raises when the receiver hangs
    finally:
        pipeline.kill()
        pipeline.wait()
