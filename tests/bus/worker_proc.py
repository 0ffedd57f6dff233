"""A worker process for the crash tests: ``python -m tests.bus.worker_proc CONFIG STAGE``.

Runs :func:`webcare.job.kafka.run_stage` (the code behind ``webcare worker``), slowed by
``$FAKE_DELAY_MS`` per post so a test can kill it mid-stream. With ``$REAL_CLASSIFIER=1`` the
classifier is the real ``Classifier`` of the shipped default config (the test's YAML supplies
the ``kafka`` and ``store`` sections); otherwise the keyword stand-in.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bus import logs
from tests.bus.harness import fake_classify
from webcare.job.config import load_config
from webcare.job.kafka import run_stage


def delay() -> None:
    time.sleep(float(os.environ.get("FAKE_DELAY_MS", "0")) / 1000)


def slow_classify(post):
    delay()
    return fake_classify(post)


class SlowClassifier:
    """The real Classifier, sleeping ``$FAKE_DELAY_MS`` per post of each batch."""

    def __init__(self, config) -> None:
        from classify.pipeline import Classifier

        self.inner = Classifier(config.classify)

    def classify_batch(self, posts):
        for _ in posts:
            delay()
        return self.inner.classify_batch(posts)


if __name__ == "__main__":
    logs.setup()
    config = load_config(Path(sys.argv[1]))
    classify = slow_classify
    if os.environ.get("REAL_CLASSIFIER") == "1":
        config = load_config().model_copy(update={"kafka": config.kafka, "store": config.store})
        classify = SlowClassifier(config) if sys.argv[2] == "classify" else None
    run_stage(sys.argv[2], config, classify=classify)
