"""The in-process runner (the embedded default): sources → classify → route → sinks.

Each raw record is parsed, classified and routed by the same stage objects a Kafka worker
would use; any failure becomes a :class:`schemas.DeadLetter` (stage, reason, original
payload) and processing goes on. Records are handled in batches of ``batch_size``, or fewer
when ``max_wait`` seconds passed since the first of them was read (live sources block between
posts); after each batch the sink is flushed and only then the sources checkpointed, so a crash
replays at most one unflushed batch, which the idempotent store absorbs.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ingest.batches import Batch, MultiSource
from schemas import Classification, DeadLetter, Decision, Post
from schemas.dead_letters import dead_letter, parse_post
from schemas.protocols import RawRecord, Sink, Source


@dataclass
class RunStats:
    """What a run did; printed as the final summary of ``webcare run``."""

    posts: int = 0
    actions: Counter = field(default_factory=Counter)
    noise: Counter = field(default_factory=Counter)
    incidents: set = field(default_factory=set)
    dead_letters: int = 0
    seconds: float = 0.0

    @property
    def posts_per_second(self) -> float:
        return self.posts / self.seconds if self.seconds > 0 else 0.0

    def record(self, decision: Decision) -> None:
        self.posts += 1
        self.actions[decision.action] += 1
        if decision.classification.noise:
            self.noise[decision.classification.noise_reason] += 1
        if decision.incident_key:
            self.incidents.add(decision.incident_key)


class BatchClassifier(Protocol):
    """The classify stage as the runner calls it (see classify.pipeline.Classifier)."""

    def classify_batch(self, posts: Sequence[Post]) -> list[Classification | Exception]: ...


RouteStage = Callable[[Post, Classification], Decision]
IncidentStage = Callable[[Decision], Decision]  # route.incidents.IncidentCorrelator


class Pipeline:
    """Wires the stages; used by ``webcare run`` and the demo."""

    def __init__(self, classify: BatchClassifier, route: RouteStage, sink: Sink,
                 batch_size: int = 256, incidents: IncidentStage | None = None,
                 max_wait: float = 0.2) -> None:
        self.classify = classify
        self.route = route
        self.sink = sink
        self.batch_size = batch_size
        self.incidents = incidents
        self.max_wait = max_wait

    def process(self, record: RawRecord) -> Decision | DeadLetter:
        """Parse, classify and route one record; errors are returned as dead letters."""
        return self.process_batch([record])[0]

    def process_batch(self, records: Sequence[RawRecord]) -> list[Decision | DeadLetter]:
        """Parse, classify (stage by stage over the batch) and route records, in order."""
        parsed = [parse_post(record) for record in records]
        posts = [post for post in parsed if isinstance(post, Post)]
        classified = iter(self.classify.classify_batch(posts)) if posts else iter(())
        return [post if isinstance(post, DeadLetter) else
                self._decide(record, post, next(classified))
                for record, post in zip(records, parsed)]

    def _decide(self, record: RawRecord, post: Post,
                classification: Classification | Exception) -> Decision | DeadLetter:
        if isinstance(classification, Exception):
            return dead_letter(record, "classify", classification, post_id=post.id)
        try:
            decision = self.route(post, classification)
        except Exception as error:  # noqa: BLE001 - any stage failure is a dead letter
            return dead_letter(record, "route", error, post_id=post.id)
        if self.incidents is None:
            return decision
        try:
            return self.incidents(decision)
        except Exception as error:  # noqa: BLE001
            return dead_letter(record, "incidents", error, post_id=post.id)

    def run(self, *sources: Source, on_record: Callable[[], None] | None = None,
            on_batch: Callable[[Batch], None] | None = None,
            stop: threading.Event | None = None) -> RunStats:
        """Read the sources until they end or ``stop`` is set (then they are closed and what
        was read is still handled); per batch: process, flush, checkpoint, then ``on_batch``
        (also with the empty batch of every ``max_wait`` without records: a heartbeat)."""
        stats, started, merged = RunStats(), time.perf_counter(), MultiSource(sources)
        for batch in merged.batches(self.batch_size, self.max_wait, stop):
            if batch.records:
                self._complete(merged, batch.records, stats, on_record)
            if on_batch:
                on_batch(batch)
        stats.seconds = time.perf_counter() - started
        return stats

    def _complete(self, source: MultiSource, batch: list[RawRecord], stats: RunStats,
                  on_record: Callable[[], None] | None) -> None:
        for result in self.process_batch(batch):
            self.sink.add(result)
            if isinstance(result, DeadLetter):
                stats.dead_letters += 1
            else:
                stats.record(result)
            if on_record:
                on_record()
        self._commit(source, batch[-1].position)

    def _commit(self, source: MultiSource, position: int) -> None:
        self.sink.flush()
        source.checkpoint(position)
