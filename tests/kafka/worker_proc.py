"""A worker process for the crash tests: ``python -m tests.kafka.worker_proc CONFIG STAGE``.

Runs :func:`bus.run.run_stage` (the code behind ``webcare worker``) with the fake classifier,
slowed by ``$FAKE_DELAY_MS`` per post so a test can kill it mid-stream.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bus import logs
from bus.run import run_stage
from tests.kafka.harness import fake_classify
from webcare.config import load_config


def slow_classify(post):
    time.sleep(float(os.environ.get("FAKE_DELAY_MS", "0")) / 1000)
    return fake_classify(post)


if __name__ == "__main__":
    logs.setup()
    run_stage(sys.argv[2], load_config(Path(sys.argv[1])), classify=slow_classify)
