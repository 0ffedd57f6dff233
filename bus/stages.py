"""Per-message handlers of the Kafka workers, wrapping the in-process stage objects.

A worker calls ``handle(record)`` for every consumed Kafka record. The same functions as the
in-process runner do the work (:func:`webcare.runner.parse_post`, the ``Classifier``, the
``Router``, the ``StoreSink``); a failure never raises out of ``handle``: it becomes a dead
letter :class:`Output` for ``<prefix>.dlq`` (a poison message), and the partition moves on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kafka.consumer.fetcher import ConsumerRecord

from bus import messages, metrics
from bus.config import KafkaConfig
from schemas import Classification, DeadLetter, Decision, Post
from schemas.protocols import RawRecord, Sink
from webcare.runner import dead_letter, parse_post

INGESTED = "ingested_ms"  # header carried through every stage, for end-to-end latency


@dataclass
class Output:
    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def _raw(record: ConsumerRecord) -> RawRecord:
    payload = (record.value or b"").decode("utf-8", errors="replace")
    return RawRecord(payload=payload, source=f"{record.topic}/{record.partition}",
                     position=record.offset)


def _ingested(record: ConsumerRecord) -> list[tuple[str, bytes]]:
    for name, value in record.headers or []:
        if name == INGESTED:
            return [(name, value)]
    return [(INGESTED, str(record.timestamp).encode())]


class Handler:
    """Base: turns a failure into a DLQ output (stage, reason, source position in headers)."""

    stage = "?"
    inputs: tuple[str, ...] = ()

    def __init__(self, config: KafkaConfig) -> None:
        self.config = config
        self.sink: Sink | None = None

    def topics(self) -> list[str]:
        return [self.config.topic(name) for name in self.inputs]

    def poison(self, record: ConsumerRecord, error: Exception, reason: str | None = None,
               post_id: str | None = None, letter: DeadLetter | None = None) -> Output:
        letter = letter or dead_letter(_raw(record), self.stage, error, reason, post_id)
        metrics.DEAD_LETTERS.labels(self.stage, letter.error_type).inc()
        headers = messages.dlq_headers(letter, 1, record.topic, record.partition, record.offset)
        return Output(self.config.topic("dlq"), record.key, letter.model_dump_json().encode(),
                      headers + _ingested(record))


class ClassifyHandler(Handler):
    """``posts.raw`` → parse → classify → ``posts.classified`` (keyed by conversation/author)."""

    stage, inputs = "classify", ("raw",)

    def __init__(self, config: KafkaConfig, classify: Callable[[Post], Classification]) -> None:
        super().__init__(config)
        self.classify = classify

    def handle(self, record: ConsumerRecord) -> list[Output]:
        post = parse_post(_raw(record))
        if isinstance(post, DeadLetter):
            return [self.poison(record, ValueError(), letter=post)]
        try:
            result = messages.ClassifiedPost(post=post, classification=self.classify(post))
        except Exception as error:  # noqa: BLE001 - any stage failure is a dead letter
            return [self.poison(record, error, post_id=post.id)]
        return [Output(self.config.topic("classified"), messages.key_for(post),
                       result.model_dump_json().encode(), _ingested(record))]


class RouteHandler(Handler):
    """``posts.classified`` → route rules → ``decisions``."""

    stage, inputs = "route", ("classified",)

    def __init__(self, config: KafkaConfig, route: Callable[[Post, Classification], Decision]):
        super().__init__(config)
        self.route = route

    def handle(self, record: ConsumerRecord) -> list[Output]:
        try:
            messages.check_version(record.value or b"")
            item = messages.ClassifiedPost.model_validate_json(record.value or b"")
            decision = self.route(item.post, item.classification)
        except Exception as error:  # noqa: BLE001
            return [self.poison(record, error)]
        if decision.action == "drop" and decision.classification.noise:
            metrics.NOISE_DROPPED.labels(decision.classification.noise_reason or "none").inc()
        return [Output(self.config.topic("decisions"), messages.key_for(item.post),
                       decision.model_dump_json().encode(), _ingested(record))]


class SinkHandler(Handler):
    """``decisions`` and ``dlq`` → the store sink (flushed by the worker before it commits)."""

    stage, inputs = "sink", ("decisions", "dlq")

    def __init__(self, config: KafkaConfig, sink: Sink) -> None:
        super().__init__(config)
        self.sink = sink
        self.latest_ingested: list[int] = []

    def handle(self, record: ConsumerRecord) -> list[Output]:
        is_dlq = record.topic == self.config.topic("dlq")
        try:
            messages.check_version(record.value or b"")
            model = DeadLetter if is_dlq else Decision
            self.sink.add(model.model_validate_json(record.value or b""))
        except Exception as error:  # noqa: BLE001
            if is_dlq:  # never feed the DLQ back into itself
                metrics.DEAD_LETTERS.labels("sink", "unreadable_dlq").inc()
                return []
            return [self.poison(record, error)]
        self.latest_ingested.append(int(_ingested(record)[0][1]))
        return []
