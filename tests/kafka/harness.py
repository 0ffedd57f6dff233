"""Helpers for the Kafka tests: config per test, worker threads, posts, waiting, reading topics.

``fake_classify`` stands in for the classify black box (deterministic and fast, so the tests
measure the bus, not the models); the worker code around it is the production code.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import orjson
from kafka import KafkaConsumer

from bus import client
from bus.config import KafkaConfig, TopicSettings
from bus.run import start_thread
from route.rules import RouteConfig
from schemas import Classification, Post, SentimentScore
from sinks.sqlite_store import SqliteStoreConfig
from webcare.config import WebcareConfig

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
ROUTE = RouteConfig.model_validate({"default": "monitor", "rules": [
    {"name": "noise", "when": {"noise": True}, "action": "drop"},
    {"name": "sec", "when": {"topic": ["security"]}, "action": "incident"},
    {"name": "attention", "when": {"actionable": True}, "action": "webcare"},
]})


def fake_classify(post: Post) -> Classification:
    """Keyword classifier; ``EXPLODE`` in the text raises (a poison message at classify)."""
    text = post.text.lower()
    if "explode" in text:
        raise RuntimeError("classifier exploded on purpose")
    noise = "spam" in text
    topic = "security" if "hacked" in text else "outage" if "down" in text else "other"
    return Classification(
        post_id=post.id, lang="en", lang_confidence=1.0, brand="Lumen", noise=noise,
        noise_reason="spam" if noise else None, topic=topic, topic_confidence=1.0,
        sentiment=SentimentScore(label="negative" if topic != "other" else "neutral",
                                 compound=-0.5 if topic != "other" else 0.0),
        urgency="high" if topic != "other" else "low", actionable=topic != "other" and not noise,
        priority=50, reasons=["fake"])


def post_line(n: int, text: str | None = None) -> str:
    kinds = ["my internet is down", "buy cheap spam now", "account hacked!", "nice weather"]
    data = {"id": f"p-{n}", "platform": "x", "text": text or f"{kinds[n % 4]} #{n}",
            "created_at": (T0 + timedelta(seconds=n)).isoformat(),
            "author": {"handle": f"@user{n % 37}", "followers": 10}}
    return orjson.dumps(data).decode()


def expected(n: int) -> dict:
    """What the store must hold after ``post_line(0..n-1)``: queue items and incidents."""
    kinds = [i % 4 for i in range(n)]
    return {"posts": n, "queue_open": kinds.count(0) + kinds.count(2), "incidents": kinds.count(2)}


def make_config(broker: str, store_path: str, partitions: int = 4, **kafka) -> WebcareConfig:
    settings = dict(bootstrap_servers=[broker], topic_prefix=f"t{uuid.uuid4().hex[:10]}",
                    topics=TopicSettings(partitions=partitions), session_timeout_ms=3000,
                    poll_timeout_ms=100, max_poll_records=200, linger_ms=2,
                    backoff_initial_s=0.1, backoff_max_s=1.0, connect_attempts=3)
    settings.update(kafka)
    return WebcareConfig(kafka=KafkaConfig(**settings), route=ROUTE,
                         store=SqliteStoreConfig(path=store_path))


class ListSource:
    """A Source over in-memory lines (what the ingest worker reads from a file)."""

    name = "list"

    def __init__(self, lines: list[str]) -> None:
        from schemas.protocols import RawRecord

        self._records = [RawRecord(line, "list", i) for i, line in enumerate(lines, 1)]
        self.position = 0

    def records(self):
        return iter(self._records)

    def checkpoint(self, position: int) -> None:
        self.position = position


def produce(config: WebcareConfig, lines: list[str]) -> int:
    from bus.ingest import Ingestor

    producer = client.producer(config.kafka, "test-ingest")
    try:
        return Ingestor(config.kafka, producer, 500).run([ListSource(lines)])
    finally:
        producer.close()


def start(stage: str, config: WebcareConfig, classify=fake_classify):
    """A worker in a daemon thread; returns it (``.stop.set()`` then join ``.thread``)."""
    return start_thread(stage, config, classify)


def stop(*workers) -> None:
    for worker in workers:
        worker.stop.set()
    for worker in workers:
        worker.thread.join(timeout=20)


def wait_for(predicate, timeout: float = 60.0, every: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def read_topic(config: WebcareConfig, name: str, expect: int, timeout: float = 20.0) -> list:
    """All records of a topic (no group), until ``expect`` were read or the timeout."""
    consumer = KafkaConsumer(bootstrap_servers=config.kafka.servers(),
                             auto_offset_reset="earliest", enable_auto_commit=False)
    from kafka import TopicPartition

    topic = config.kafka.topic(name)
    parts = [TopicPartition(topic, p) for p in range(config.kafka.topics.partitions)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    found, deadline = [], time.monotonic() + timeout
    while len(found) < expect and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=200).values():
            found += records
    consumer.close()
    return found
