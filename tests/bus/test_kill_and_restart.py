"""Acknowledged means durable on Kafka too, with real processes: the four stage workers
(``webcare worker --stage ingest|classify|route|sink``) against a Tansu broker, each kind
killed with -9 at random moments and restarted while a retrying sender posts to the ingest
worker's webhook; then SIGTERM. Every post answered 2xx is stored exactly once."""

from __future__ import annotations

import random
import subprocess
import time
import uuid

import pytest

from tests.job.live.harness import (
    WEBCARE,
    Sender,
    free_port,
    intake_left,
    kafka_section,
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
KINDS = ("ingest", "classify", "route", "sink")
ROUNDS = 3  # kills of each kind


def worker(config, stage: str, log) -> subprocess.Popen:
    return start_run(config, log, ("worker", "--stage", stage))


@pytest.mark.integration
def test_each_worker_kind_killed_9_loses_no_acknowledged_post(tmp_path, broker):
    port = free_port()
    config = write_config(tmp_path, port, kafka_section(broker, f"c{uuid.uuid4().hex[:8]}"),
                          batch_size=64)
    subprocess.run([WEBCARE, "topics", "create", "--config", str(config)], check=True,
                   capture_output=True)
    log = tmp_path / "workers.log"
    workers = {stage: worker(config, stage, log) for stage in KINDS}
    assert wait_listening(port, workers["ingest"])
    sender = Sender(port, [post_json(n, "kchaos") for n in range(POSTS)], threads=4).start()
    rng = random.Random(18)
    kills = [stage for stage in KINDS for _ in range(ROUNDS)]
    rng.shuffle(kills)
    for stage in kills:
        time.sleep(rng.uniform(0.5, 4.0))
        workers[stage].kill()
        workers[stage].wait()
        if stage == "ingest":
            wait_released(port)  # the killed worker's receiver process follows it
        workers[stage] = worker(config, stage, log)
        if stage == "ingest":
            assert wait_listening(port, workers["ingest"])
    sender.join(timeout=900)
    assert sender.done and len(sender.acked) == POSTS
    store = tmp_path / "store.sqlite"
    wait_until(lambda: len(stored(store)) >= POSTS, timeout=600, every=1,
               what="every acknowledged post stored")
    codes = {stage: stop(process) for stage, process in workers.items()}
    tail = log.read_text(errors="replace")[-3000:]
    assert codes == dict.fromkeys(KINDS, 0), tail
    counts, queued = stored(store), stored(store, "queue_items")
    assert set(counts) == {f"kchaos-{n}" for n in range(POSTS)}
    assert max(counts.values()) == 1 and max(queued.values(), default=1) == 1
    assert intake_left(tmp_path / "state.sqlite") == 0
