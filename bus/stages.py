"""Per-message handlers of the Kafka workers, wrapping the in-process stage objects.

A worker calls ``handle_batch(records)`` once per polled batch (the records of each partition
in offset order, partition after partition); the base class loops over ``handle(record)``, the
classify handler runs :meth:`classify.pipeline.Classifier.classify_batch` over the whole batch
(stage at a time, as the in-process runner does). The same functions as the in-process runner
do the work (:func:`schemas.dead_letters.parse_post`, the ``Classifier``, the ``Router``, the
incident correlator and the store/incident/ticket sink of :func:`webcare.job.assembly.build_sink`);
a failure never raises out of a handler: it becomes a dead letter :class:`Output` for
``<prefix>.dlq`` (a poison message), and the partition moves on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kafka import TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from bus import messages, metrics
from bus.config import KafkaConfig
from bus.event_order import EventOrder
from classify.pipeline import StageFailure
from schemas import Classification, DeadLetter, Decision, Post
from schemas.dead_letters import dead_letter, parse_post
from schemas.protocols import RawRecord, Sink
from sinks.incident_sink import IncidentSink

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


class Handler(ABC):
    """Base: turns a failure into a DLQ output (stage, reason, source position in headers)."""

    stage = "?"
    inputs: tuple[str, ...] = ()

    def __init__(self, config: KafkaConfig) -> None:
        self.config = config
        self.sink: Sink | None = None

    def topics(self) -> list[str]:
        return [self.config.topic(name) for name in self.inputs]

    @abstractmethod
    def handle(self, record: ConsumerRecord) -> list[Output]:
        """The outputs (next-topic messages, DLQ entries, sink writes) of one record."""

    def handle_batch(self, records: Sequence[ConsumerRecord]) -> list[Output]:
        """The outputs of a polled batch, in record order (default: record by record)."""
        return [out for record in records for out in self.handle(record)]

    def held(self) -> dict[TopicPartition, int]:
        """Per partition, the first offset handled but not yet done (the worker commits no
        further); only the sink holds records back (:mod:`bus.event_order`)."""
        return {}

    def holding(self) -> int:
        """How many records are handled but held back (not done, not committed)."""
        return 0

    def retain(self, assignment: set[TopicPartition]) -> None:
        """Called by the worker before each batch with the consumer's assignment: forget what
        belongs to partitions that went to another group member."""

    def poison(self, record: ConsumerRecord, error: Exception, reason: str | None = None,
               post_id: str | None = None, letter: DeadLetter | None = None) -> Output:
        letter = letter or dead_letter(_raw(record), self.stage, error, reason, post_id)
        metrics.DEAD_LETTERS.labels(self.stage, letter.error_type).inc()
        headers = messages.dlq_headers(letter, 1, record.topic, record.partition, record.offset)
        return Output(self.config.topic("dlq"), record.key, letter.model_dump_json().encode(),
                      headers + _ingested(record))


BatchClassify = Callable[[Sequence[Post]], list]


def per_post(classify: Callable[[Post], Classification]) -> BatchClassify:
    """A batch classifier over a per-post callable (a stand-in classifier in tests): an
    exception fails only its post, as a :class:`StageFailure` of stage ``classify``."""

    def classify_batch(posts: Sequence[Post]) -> list:
        results: list = []
        for post in posts:
            try:
                results.append(classify(post))
            except Exception as error:  # noqa: BLE001 - one bad post must not stop the batch
                results.append(StageFailure("classify", error))
        return results

    return classify_batch


class ClassifyHandler(Handler):
    """``posts.raw`` → parse → classify → ``posts.classified`` (keyed by conversation/author).

    ``classify`` is the ``Classifier`` (its ``classify_batch`` is called once per polled batch,
    posts in record order, so the windowed state sees what the in-process runner sees) or a
    per-post callable. A :class:`StageFailure` dead-letters only its post: stage ``classify``,
    the original error type, the failing classify/ stage in the reason, the ``details`` and the
    ``classify_stage`` header.
    """

    stage, inputs = "classify", ("raw",)

    def __init__(self, config: KafkaConfig, classify) -> None:
        super().__init__(config)
        batch = getattr(classify, "classify_batch", None)
        self.classify_batch: BatchClassify = batch if callable(batch) else per_post(classify)
        self.output_topic = config.topic("classified")

    def handle(self, record: ConsumerRecord) -> list[Output]:
        return self.handle_batch([record])

    def handle_batch(self, records: Sequence[ConsumerRecord]) -> list[Output]:
        parsed = [parse_post(_raw(record)) for record in records]
        posts = [post for post in parsed if isinstance(post, Post)]
        results = iter(self._classify(posts))
        outputs = []
        for record, post in zip(records, parsed):
            if isinstance(post, DeadLetter):
                outputs.append(self.poison(record, ValueError(), letter=post))
                continue
            result = next(results)
            if isinstance(result, Exception):
                outputs.append(self._failed(record, post, result))
                continue
            value = messages.ClassifiedPost(post=post, classification=result)
            outputs.append(Output(self.output_topic, messages.key_for(post),
                                  value.model_dump_json().encode(), _ingested(record)))
        return outputs

    def _classify(self, posts: list[Post]) -> list:
        """``classify_batch`` over the posts; should it raise as a whole (not a per-post
        StageFailure), each post is retried alone so only the bad one fails."""
        if not posts:
            return []
        try:
            results = list(self.classify_batch(posts))
            if len(results) != len(posts):
                raise RuntimeError(f"classify_batch returned {len(results)} results for "
                                   f"{len(posts)} posts")
            return results
        except Exception:  # noqa: BLE001 - isolate the post that breaks the batch
            single = []
            for post in posts:
                try:
                    (result,) = self.classify_batch([post])
                except Exception as error:  # noqa: BLE001
                    result = StageFailure("classify", error)
                single.append(result)
            return single

    def _failed(self, record: ConsumerRecord, post: Post, failure: Exception) -> Output:
        if isinstance(failure, StageFailure):
            error, where = failure.error, failure.stage
        else:
            error, where = failure, "classify"
        letter = dead_letter(_raw(record), "classify", error, str(failure), post.id)
        letter = letter.model_copy(update={"details": {"classify_stage": where}})
        out = self.poison(record, error, letter=letter)
        out.headers.append(("classify_stage", where.encode()))
        return out


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
        except Exception as error:  # noqa: BLE001 - any stage failure is a dead letter
            return [self.poison(record, error)]
        if decision.action == "drop" and decision.classification.noise:
            metrics.NOISE_DROPPED.labels(decision.classification.noise_reason or "none").inc()
        return [Output(self.config.topic("decisions"), messages.decision_key(decision),
                       decision.model_dump_json().encode(), _ingested(record))]


class SinkHandler(Handler):
    """``decisions`` and ``dlq`` → incident correlator → the store sink (flushed by the worker
    before it commits; incident events and the ticket outbox follow the store flush, see
    :class:`sinks.incident_sink.IncidentSink`).

    ``incidents`` is the :class:`sinks.incident_sink.IncidentSink` inside ``sink`` (None:
    incidents off). Decisions are keyed by brand (:func:`bus.messages.decision_key`), so every
    decision of a brand reaches the one sink replica that owns its partition. Each decisions
    partition has its own correlator (scope ``<topic>/<partition>``, restored from the store
    when the partition's first record arrives, saved with every flush) and its own
    :class:`bus.event_order.EventOrder`: decisions are correlated in event-time order once the
    watermark passes them, so skew neither splits an outage nor makes a late post a dead
    letter, and one brand's clock never resolves another brand's incident. Held decisions are
    not committed (:meth:`held`); after a restart they are delivered again, and what was
    correlated already is recognised by the correlator and stored once by the store.
    """

    stage, inputs = "sink", ("decisions", "dlq")

    def __init__(self, config: KafkaConfig, sink: Sink,
                 incidents: IncidentSink | None = None) -> None:
        super().__init__(config)
        self.sink = sink
        self.incidents = incidents
        self.latest_ingested: list[int] = []
        self._orders: dict[TopicPartition, EventOrder] = {}

    def handle(self, record: ConsumerRecord) -> list[Output]:
        return self.handle_batch([record])

    def handle_batch(self, records: Sequence[ConsumerRecord]) -> list[Output]:
        """Store DLQ records at once, hold decisions for the watermark, then correlate and
        store what it released (called by the worker also on an empty poll while holding)."""
        outputs = [out for record in records for out in self._accept(record)]
        for tp, order in self._orders.items():
            correlator = self.incidents.track(f"{tp.topic}/{tp.partition}")
            for record, decision in order.ready():
                outputs += self._correlate(correlator, record, decision)
        return outputs

    def held(self) -> dict[TopicPartition, int]:
        lowest = {tp: order.lowest_offset() for tp, order in self._orders.items()}
        return {tp: offset for tp, offset in lowest.items() if offset is not None}

    def holding(self) -> int:
        return sum(len(order) for order in self._orders.values())

    def retain(self, assignment: set[TopicPartition]) -> None:
        """Drop the held decisions and the correlator of partitions no longer assigned: the
        new owner gets them again from the last commit and restores the last saved state."""
        for tp in [tp for tp in self._orders if tp not in assignment]:
            del self._orders[tp]
            self.incidents.release(f"{tp.topic}/{tp.partition}")

    def _accept(self, record: ConsumerRecord) -> list[Output]:
        is_dlq = record.topic == self.config.topic("dlq")
        try:
            messages.check_version(record.value or b"")
            model = DeadLetter if is_dlq else Decision
            item = model.model_validate_json(record.value or b"")
        except Exception as error:  # noqa: BLE001
            if is_dlq:  # never feed the DLQ back into itself
                metrics.DEAD_LETTERS.labels("sink", "unreadable_dlq").inc()
                return []
            return [self.poison(record, error)]
        if is_dlq or self.incidents is None:
            return self._store(record, item, is_dlq)
        tp = TopicPartition(record.topic, record.partition)
        order = self._orders.get(tp)
        if order is None:
            order = self._orders[tp] = EventOrder(self.config.allowed_lateness_s,
                                                  self.config.max_hold_s)
        order.add(record.offset, item.post.created_at.timestamp(), (record, item))
        return []

    def _correlate(self, correlator: Callable[[Decision], Decision], record: ConsumerRecord,
                   decision: Decision) -> list[Output]:
        try:
            item = correlator(decision)
        except Exception as error:  # noqa: BLE001 - as the in-process runner does
            letter = dead_letter(_raw(record), "incidents", error, post_id=decision.post.id)
            return [self.poison(record, error, letter=letter)]
        return self._store(record, item, False)

    def _store(self, record: ConsumerRecord, item: Decision | DeadLetter,
               is_dlq: bool) -> list[Output]:
        try:
            self.sink.add(item)
        except Exception as error:  # noqa: BLE001
            return [] if is_dlq else [self.poison(record, error)]
        self.latest_ingested.append(int(_ingested(record)[0][1]))
        return []
