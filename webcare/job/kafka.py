"""Builds and runs workers from the one YAML config; what the CLI's Kafka commands call.

``run_stage`` is ``webcare worker --stage S``; ``run_all`` is ``webcare run --bus kafka``
(every stage as a worker thread in one process, for a one-command distributed demo). Both
stop cleanly on SIGTERM/SIGINT (:func:`ingest.signals.stop_on_signals`). The
stage objects are the ones the in-process runner uses (``Classifier``, ``Router``, and
:func:`webcare.job.assembly.build_sink`: the store sink with the incident correlator and the
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
from bus.worker import Worker
from ingest.config import ReplayConfig
from ingest.replay import ReplaySource
from ingest.signals import stop_on_signals

log = logging.getLogger("webcare.run")
STOP_GRACE_S = 30.0  # run_all after SIGTERM: the stages' time to store what was sent


def build_handler(stage: str, config, classify: Callable | None = None) -> Handler:
    """The handler of a consuming stage; loads models/rules/store (failure: bad config)."""
    if stage == "classify":
        from classify.pipeline import Classifier

        return ClassifyHandler(config.kafka, classify or Classifier(config.classify))
    if stage == "route":
        from route.rules import Router

        return RouteHandler(config.kafka, Router(config.route))
    if stage == "sink":
        from sinks.incident_sink import incident_sink_of
        from webcare.job.assembly import build_sink

        sink, correlator = build_sink(config)  # store, incidents, tickets, alerts: as in-process
        incidents = None if correlator is None else incident_sink_of(sink)  # per partition
        return SinkHandler(config.kafka, sink, incidents)
    raise ValueError(f"unknown consuming stage {stage!r} (classify, route, sink)")


def build_worker(stage: str, config, classify: Callable | None = None,
                 stop: threading.Event | None = None, **consumer_overrides) -> Worker:
    """Connect (retrying with backoff until connected or ``stop`` is set) and return a ready
    worker for ``stage`` that ends when ``stop`` is set."""
    stop = stop or threading.Event()
    stopping = stop.is_set
    handler = build_handler(stage, config, classify)
    kafka, name, max_wait = config.kafka, f"webcare-{stage}", config.pipeline.max_wait
    overrides = {"fetch_max_wait_ms": int(max_wait * 1000), **consumer_overrides}
    producer = client.with_retry(kafka, "producer", lambda: client.producer(kafka, name),
                                 stopping)
    consumer = client.with_retry(
        kafka, "consumer", lambda: client.consumer(kafka, stage, handler.topics(), name,
                                                   **overrides), stopping)
    return Worker(kafka, handler, consumer, producer, stop=stop, max_wait_s=max_wait)


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
    """Run one stage in the foreground until SIGTERM (ingest: or until the sources end)."""
    port = metrics_port if metrics_port is not None else config.kafka.metrics_port
    with stop_on_signals() as stop:
        if stage == "ingest":
            return ingest(config, replay, rate, port, stop)
        log.info("worker starting", extra={"fields": {"stage": stage}})
        worker = build_worker(stage, config, classify, stop)
        if port is not None:
            metrics.serve(port, worker.health)
        worker.run()
        return worker.processed


def ingest(config, replay: str | None, rate: float = 0.0, port: int | None = None,
           stop: threading.Event | None = None) -> int:
    """Produce the configured sources, replay and live alike (or one replay file), into the
    raw topic until they end or ``stop`` is set; returns the number of records sent."""
    from ingest.manage import build_sources

    kafka, stop = config.kafka, stop or threading.Event()
    sources = ([ReplaySource(ReplayConfig(path=replay))] if replay else
               build_sources(config.sources))
    producer = client.with_retry(kafka, "producer", lambda: client.producer(kafka, "ingest"),
                                 stop.is_set)
    ingestor = Ingestor(kafka, producer, config.pipeline.batch_size, rate,
                        config.pipeline.max_wait, stop)
    if port is not None:
        metrics.serve(port, ingestor.health)
    try:
        return ingestor.run(sources)
    finally:
        producer.close()


def run_all(config, replay: str | None, timeout_s: float = 600.0,
            classify: Callable | None = None, port: int | None = None) -> dict:
    """Create topics, run classify/route/sink as worker threads, ingest ``replay`` (None: the
    configured sources until they end or SIGTERM/SIGINT), wait until the sink has stored
    everything that was sent (at most ``timeout_s``, after a stop ``STOP_GRACE_S``), stop;
    returns counts. What was sent and not yet stored stays in the topics for the next start."""
    client.create_topics(config.kafka)
    with stop_on_signals() as stop:
        workers = [start_thread(stage, config, classify) for stage in ("classify", "route", "sink")]
        try:
            sent = ingest(config, replay, port=port, stop=stop)
            limit = min(timeout_s, STOP_GRACE_S) if stop.is_set() else timeout_s
            deadline = time.monotonic() + limit
            while workers[-1].processed < sent and time.monotonic() < deadline:
                time.sleep(0.2)
            return {"sent": sent, "stored": workers[-1].processed}
        finally:
            for worker in workers:
                worker.stop.set()
            [worker.thread.join(timeout=30) for worker in workers]
