"""Per-message handlers of the Kafka workers, wrapping the in-process stage objects.

A worker calls ``handle_batch(records)`` once per polled batch (the records of each partition
in offset order, partition after partition); the base class loops over ``handle(record)``, the
classify handler runs :meth:`classify.pipeline.Classifier.classify_batch` over the whole batch
(stage at a time, as the in-process runner does). The same functions as the in-process runner
do the work (:func:`webcare.runner.parse_post`, the ``Classifier``, the ``Router``, the
incident correlator and the store/incident/ticket sink of :func:`webcare.commands.build_sink`);
a failure never raises out of a handler: it becomes a dead letter :class:`Output` for
``<prefix>.dlq`` (a poison message), and the partition moves on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kafka.consumer.fetcher import ConsumerRecord

from bus import messages, metrics
from bus.config import KafkaConfig
from classify.pipeline import StageFailure
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

    ``incidents`` is the :class:`route.incidents.IncidentCorrelator` (None: incidents off).
    Decisions are keyed by brand (:func:`bus.messages.decision_key`), so every decision of a
    brand reaches the one sink replica that owns its partition: that replica's correlator sees
    the whole burst and opens one incident per outage, however many sink replicas run. A post
    delivered again to the same worker (a batch retried after a failed flush) gets the incident
    key it got the first time instead of being counted twice by the burst detector.
    """

    stage, inputs = "sink", ("decisions", "dlq")
    REMEMBER = 100_000  # post ids whose incident key is kept for redeliveries

    def __init__(self, config: KafkaConfig, sink: Sink,
                 incidents: Callable[[Decision], Decision] | None = None) -> None:
        super().__init__(config)
        self.sink = sink
        self.incidents = incidents
        self.latest_ingested: list[int] = []
        self._keys: OrderedDict[str, str | None] = OrderedDict()

    def handle(self, record: ConsumerRecord) -> list[Output]:
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
        if not is_dlq and self.incidents is not None:
            try:
                item = self._correlate(item)
            except Exception as error:  # noqa: BLE001 - as the in-process runner does
                letter = dead_letter(_raw(record), "incidents", error, post_id=item.post.id)
                return [self.poison(record, error, letter=letter)]
        try:
            self.sink.add(item)
        except Exception as error:  # noqa: BLE001
            return [] if is_dlq else [self.poison(record, error)]
        self.latest_ingested.append(int(_ingested(record)[0][1]))
        return []

    def _correlate(self, decision: Decision) -> Decision:
        post_id = decision.post.id
        if post_id in self._keys:  # redelivered: same answer, not a second observation
            key = self._keys[post_id]
            if key is None or key == decision.incident_key:
                return decision
            return decision.model_copy(update={
                "incident_key": key, "reasons": [*decision.reasons,
                                                 f"evidence for incident {key}"]})
        result = self.incidents(decision)
        self._keys[post_id] = result.incident_key if result is not decision else None
        if len(self._keys) > self.REMEMBER:
            self._keys.popitem(last=False)
        return result
