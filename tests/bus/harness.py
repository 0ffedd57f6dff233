"""Helpers for the Kafka tests: config per test, worker threads, posts, waiting, reading topics.

The main end-to-end tests run the real ``Classifier`` with the shipped default config
(``make_config(..., real=True)`` and ``start(stage, config, classify=None)``) on realistic posts
from the demo day (:func:`real_lines`, :func:`burst_lines`). ``fake_classify`` (a keyword
stand-in) is kept only where a test needs a deterministic poison post (``EXPLODE``) or exact
expected counts from synthetic lines (:func:`post_line`, :func:`expected`).
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import orjson
from kafka import KafkaConsumer, TopicPartition

from bus import client
from bus.config import KafkaConfig, TopicSettings
from route.rules import RouteConfig
from schemas import Classification, Post, SentimentScore
from sinks.store.config import SqliteStoreConfig
from webcare.job.config import WebcareConfig
from webcare.job.kafka import start_thread

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


def make_config(broker: str, store_path: str, partitions: int = 4, real: bool = False,
                **kafka) -> WebcareConfig:
    """A per-test config: ``real`` = the shipped default config (brands, classify, route
    rules, incidents on); otherwise the keyword route rules of the stand-in, incidents off.

    The session timeout is generous (10 s): on a loaded 2-core CI machine a worker thread can
    be starved long enough to miss a 3 s session, and every needless rebalance redelivers a
    batch and re-runs it; see test_ten_thousand_posts_exactly_once."""
    settings = dict(bootstrap_servers=[broker], topic_prefix=f"t{uuid.uuid4().hex[:10]}",
                    topics=TopicSettings(partitions=partitions), session_timeout_ms=10_000,
                    poll_timeout_ms=100, max_poll_records=200, linger_ms=2,
                    backoff_initial_s=0.1, backoff_max_s=1.0, connect_attempts=3)
    settings.update(kafka)
    store = SqliteStoreConfig(path=store_path)
    if real:
        from webcare.job.config import load_config

        return load_config().model_copy(update={"kafka": KafkaConfig(**settings),
                                                "store": store})
    return WebcareConfig(kafka=KafkaConfig(**settings), route=ROUTE, store=store,
                         incidents={"enabled": False})


def real_lines(n: int, start: int = 0, step_s: float = 2.0) -> list[str]:
    """``n`` realistic posts: the demo day's posts cycled, each with a unique id, author and
    event time (``step_s`` apart, in order) and a distinct trailing tag on its text."""
    from webcare.job.assembly import demo_file

    base = [orjson.loads(line) for line in demo_file().read_text("utf-8").splitlines()]
    out = []
    for i in range(start, start + n):
        data = dict(base[i % len(base)])
        data.update(id=f"r-{i}", platform_id=None, url=None,
                    text=f"{data['text']} [{i // len(base)}]",
                    created_at=(T0 + timedelta(seconds=i * step_s)).isoformat(),
                    author={**data["author"], "id": None, "handle": f"@{_handle(i)}"})
        out.append(orjson.dumps({k: v for k, v in data.items() if v is not None}).decode())
    return out


def _handle(i: int) -> str:
    return "u" + uuid.UUID(int=i * 2654435761 % (1 << 64)).hex[:12]


OPENERS = ["@LumenCare", "Lumen", "hey @LumenCare", "is Lumen down?", "@LumenCare help,",
           "Lumen again...", "seriously Lumen", "@LumenCare urgent:"]
PROBLEMS = ["my internet is down", "no wifi at all", "fibre is offline", "router shows a red light",
            "no connection whatsoever", "cannot get online", "internet keeps dropping",
            "modem blinking orange", "the whole network is gone", "broadband outage"]
PLACES = ["Amsterdam", "Utrecht", "Rotterdam", "Leiden", "Delft", "Haarlem", "Zwolle", "Breda",
          "Arnhem", "Tilburg", "Almere", "Groningen", "Eindhoven"]
EXTRAS = ["working from home today", "kids cannot do homework", "meeting starts in ten minutes",
          "third time this month", "support line is busy", "restarted everything twice",
          "neighbours have the same", "paying for nothing", "any update please",
          "status page says all fine", "need this fixed asap", "lost my online game"]


def burst_lines(n: int, start_at: datetime, minutes: float = 15.0) -> list[str]:
    """An outage burst: ``n`` posts by distinct authors about Lumen internet being down,
    spread evenly over ``minutes`` of event time."""
    out = []
    for i in range(n):
        at = start_at + timedelta(seconds=i * minutes * 60 / n)
        out.append(orjson.dumps({
            "id": f"burst-{i}", "platform": "x", "lang": "en",
            "text": f"{OPENERS[i % 8]} {PROBLEMS[i * 7 % 10]} in {PLACES[i * 5 % 13]} since "
                    f"{at.strftime('%H:%M')}, {EXTRAS[i * 11 % 12]}",
            "created_at": at.isoformat(),
            "author": {"handle": f"@victim{i}", "followers": 50 + i}}).decode())
    return out


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
    """A worker in a daemon thread; returns it (``.stop.set()`` then join ``.thread``).
    ``classify=None``: the real ``Classifier(config.classify)``."""
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


def committed(config, stage: str, topic_name: str = "raw") -> int:
    """Offsets the group of ``stage`` has committed on a topic (summed over partitions)."""
    consumer = KafkaConsumer(bootstrap_servers=config.kafka.servers(),
                             group_id=config.kafka.group(stage), enable_auto_commit=False)
    try:
        topic = config.kafka.topic(topic_name)
        return sum(consumer.committed(TopicPartition(topic, p)) or 0
                   for p in range(config.kafka.topics.partitions))
    finally:
        consumer.close()
