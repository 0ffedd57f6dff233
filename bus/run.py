"""Builds and runs workers from the one YAML config; what the CLI's Kafka commands call.

``run_stage`` is ``webcare worker --stage S``; ``run_all`` is ``webcare run --bus kafka``
(every stage as a worker thread in one process, for a one-command distributed demo). The
stage objects are the ones the in-process runner uses (``Classifier``, ``Router``, and
:func:`webcare.commands.build_sink`: the store sink with the incident correlator and the
ticket outbox as configured). A broker that stays unreachable ends the start with
:class:`bus.client.BrokerUnavailable`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from bus import client, metrics
from bus.ingest import Ingestor
from bus.stages import ClassifyHandler, Handler, RouteHandler, SinkHandler
from bus.worker import Worker, stop_on_signals
from ingest.replay import ReplayConfig, ReplaySource

log = logging.getLogger("webcare.run")


def build_handler(stage: str, config, classify: Callable | None = None) -> Handler:
    """The handler of a consuming stage; loads models/rules/store (failure: bad config)."""
    if stage == "classify":
        from classify.pipeline import Classifier

        return ClassifyHandler(config.kafka, classify or Classifier(config.classify))
    if stage == "route":
        from route.rules import Router

        return RouteHandler(config.kafka, Router(config.route))
    if stage == "sink":
        from webcare.commands import build_sink

        sink, correlator = build_sink(config)  # store + incidents + ticket outbox, as in-process
        return SinkHandler(config.kafka, sink, correlator)
    raise ValueError(f"unknown consuming stage {stage!r} (classify, route, sink)")


def build_worker(stage: str, config, classify: Callable | None = None,
                 stop: threading.Event | None = None, **consumer_overrides) -> Worker:
    """Connect (retrying with backoff until connected or ``stop`` is set) and return a ready
    worker for ``stage`` that ends when ``stop`` is set."""
    stop = stop or threading.Event()
    stopping = stop.is_set
    handler = build_handler(stage, config, classify)
    kafka, name = config.kafka, f"webcare-{stage}"
    producer = client.with_retry(kafka, "producer", lambda: client.producer(kafka, name),
                                 stopping)
    consumer = client.with_retry(
        kafka, "consumer", lambda: client.consumer(kafka, stage, handler.topics(), name,
                                                   **consumer_overrides), stopping)
    return Worker(kafka, handler, consumer, producer, stop=stop)


def start_thread(stage: str, config, classify: Callable | None = None) -> Worker:
    """Build and run a worker in a daemon thread (the store is opened in that thread, as
    SQLite requires); returns once it is connected, re-raising a start failure."""
    built: list = []
    ready = threading.Event()

    def main() -> None:
        try:
            built.append(build_worker(stage, config, classify))
        except BaseException as error:  # noqa: BLE001 - handed to the starting thread
            built.append(error)
            raise
        finally:
            ready.set()
        built[0].run()

    thread = threading.Thread(target=main, name=f"worker-{stage}", daemon=True)
    thread.start()
    ready.wait()
    if isinstance(built[0], BaseException):
        raise built[0]
    built[0].thread = thread
    return built[0]


def run_stage(stage: str, config, replay: str | None = None, rate: float = 0.0,
              metrics_port: int | None = None, classify: Callable | None = None) -> int:
    """Run one stage in the foreground until SIGTERM (ingest: until the sources are drained)."""
    port = metrics_port if metrics_port is not None else config.kafka.metrics_port
    if stage == "ingest":
        return ingest(config, replay, rate, port)
    stop = stop_on_signals()
    log.info("worker starting", extra={"fields": {"stage": stage}})
    worker = build_worker(stage, config, classify, stop)
    if port is not None:
        metrics.serve(port, worker.health)
    worker.run()
    return worker.processed


def ingest(config, replay: str | None, rate: float = 0.0, port: int | None = None) -> int:
    """Produce the configured sources (or one replay file) into the raw topic."""
    kafka = config.kafka
    producer = client.with_retry(kafka, "producer", lambda: client.producer(kafka, "ingest"))
    health = metrics.Health(float("inf"))
    if port is not None:
        metrics.serve(port, health)
    sources = [ReplaySource(ReplayConfig(path=replay))] if replay else [
        ReplaySource(source) for source in config.sources]
    try:
        return Ingestor(kafka, producer, config.pipeline.batch_size, rate).run(sources)
    finally:
        producer.close()


def run_all(config, replay: str, timeout_s: float = 600.0,
            classify: Callable | None = None) -> dict:
    """Create topics, run classify/route/sink as worker threads, ingest ``replay``, wait until
    the sink has stored everything that was sent (or ``timeout_s``), stop; returns counts."""
    client.create_topics(config.kafka)
    workers = [start_thread(stage, config, classify) for stage in ("classify", "route", "sink")]
    try:
        sent = ingest(config, replay)
        deadline = time.monotonic() + timeout_s
        while workers[-1].processed < sent and time.monotonic() < deadline:
            time.sleep(0.2)
        return {"sent": sent, "stored": workers[-1].processed}
    finally:
        for worker in workers:
            worker.stop.set()
        [worker.thread.join(timeout=30) for worker in workers]
