"""kafka-python clients built from :class:`bus.config.KafkaConfig`, with connect retry.

Called once at worker start (and by ``webcare topics create``). When no broker answers, the
caller gets one log line per attempt and a growing backoff (``backoff_initial_s`` doubling up
to ``backoff_max_s``); after ``connect_attempts`` (0 = until stopped) :class:`BrokerUnavailable`
says which servers were tried. No traceback is printed for an unreachable broker.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError, TopicAlreadyExistsError

from bus.config import KafkaConfig
from schemas.errors import WebcareError

log = logging.getLogger("webcare.bus")
T = TypeVar("T")


class BrokerUnavailable(WebcareError, RuntimeError):
    """No Kafka broker answered at the configured bootstrap servers."""


def with_retry(config: KafkaConfig, what: str, build: Callable[[], T],
               stopping: Callable[[], bool] = lambda: False,
               sleep: Callable[[float], None] = time.sleep) -> T:
    """Call ``build`` until it connects; log each failure on one line; back off exponentially."""
    delay, attempt = config.backoff_initial_s, 0
    while True:
        attempt += 1
        try:
            return build()
        except (KafkaError, OSError) as error:
            reason = f"{type(error).__name__}: {error}".strip()
            last = config.connect_attempts and attempt >= config.connect_attempts
            if last or stopping():
                raise BrokerUnavailable(
                    f"Kafka broker unreachable at {','.join(config.servers())} "
                    f"({what}, {attempt} attempt(s)): {reason}") from None
            log.warning("broker unreachable, retrying", extra={"fields": {
                "what": what, "attempt": attempt, "retry_in_s": round(delay, 2),
                "bootstrap": config.servers(), "error": reason}})
            sleep(delay)
            delay = min(delay * 2, config.backoff_max_s)


def producer(config: KafkaConfig, client_id: str, **overrides) -> KafkaProducer:
    """An idempotence-friendly producer: acks from all in-sync replicas, retries on."""
    settings = dict(bootstrap_servers=config.servers(), client_id=client_id, acks="all",
                    linger_ms=config.linger_ms, retries=5, max_in_flight_requests_per_connection=1,
                    batch_size=config.producer_batch_bytes,
                    request_timeout_ms=config.request_timeout_ms,
                    bootstrap_timeout_ms=config.bootstrap_timeout_ms)
    return KafkaProducer(**{**settings, **overrides})


def consumer(config: KafkaConfig, stage: str, topics: list[str], client_id: str,
             **overrides) -> KafkaConsumer:
    """A group member of ``stage`` that commits only explicitly (after its output is safe)."""
    settings = dict(
        bootstrap_servers=config.servers(), group_id=config.group(stage), client_id=client_id,
        enable_auto_commit=False, auto_offset_reset="earliest",
        session_timeout_ms=config.session_timeout_ms,
        heartbeat_interval_ms=max(100, config.session_timeout_ms // 4),
        max_poll_records=config.max_poll_records, request_timeout_ms=config.request_timeout_ms,
        bootstrap_timeout_ms=config.bootstrap_timeout_ms)
    member = KafkaConsumer(**{**settings, **overrides})
    member.subscribe(topics)
    return member


def admin(config: KafkaConfig) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=config.servers(), client_id="webcare-admin",
                            request_timeout_ms=config.request_timeout_ms,
                            bootstrap_timeout_ms=config.bootstrap_timeout_ms)


def topic_specs(config: KafkaConfig) -> dict[str, dict]:
    """Every pipeline topic with its partitions, replication and retention."""
    t = config.topics
    specs = {}
    for name in ("raw", "classified", "decisions", "dlq"):
        retention = t.dlq_retention_ms if name == "dlq" else t.retention_ms
        specs[config.topic(name)] = {"num_partitions": t.partitions,
                                     "replication_factor": t.replication_factor,
                                     "configs": {"retention.ms": str(retention)}}
    return specs


def create_topics(config: KafkaConfig) -> dict[str, str]:
    """Create the missing pipeline topics; returns ``{topic: "created"|"exists"}``."""
    client = with_retry(config, "admin", lambda: admin(config))
    try:
        existing, result = set(client.list_topics()), {}
        for name, spec in topic_specs(config).items():
            if name in existing:
                result[name] = "exists"
                continue
            try:
                client.create_topics({name: spec}, wait_for_metadata=True)
                result[name] = "created"
            except TopicAlreadyExistsError:
                result[name] = "exists"
        return result
    finally:
        client.close()
