"""The ``kafka:`` section of the config, with environment overrides for deployments.

Read once by ``webcare topics create``, ``webcare worker`` and ``webcare run --bus kafka``.
``$WEBCARE_KAFKA_BOOTSTRAP`` (comma-separated HOST:PORT) wins over ``bootstrap_servers`` so one
config file serves every environment; a bad value fails config validation at start.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field

BOOTSTRAP_ENV = "WEBCARE_KAFKA_BOOTSTRAP"
STAGES = ("ingest", "classify", "route", "sink")


class TopicSettings(BaseModel):
    """Partitions bound the useful replicas per stage (a group member per partition)."""

    model_config = ConfigDict(extra="forbid")

    partitions: int = Field(default=6, ge=1, le=10_000)
    replication_factor: int = Field(default=1, ge=1, le=16)
    retention_ms: int = Field(default=7 * 24 * 3600 * 1000, ge=60_000)
    dlq_retention_ms: int = Field(default=30 * 24 * 3600 * 1000, ge=60_000)


class KafkaConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bootstrap_servers: list[str] = Field(default_factory=lambda: ["localhost:9092"])
    topic_prefix: str = Field(default="webcare", pattern=r"^[A-Za-z0-9._-]{1,100}$")
    group_prefix: str | None = Field(default=None, description="default: the topic prefix")
    topics: TopicSettings = Field(default_factory=TopicSettings)
    session_timeout_ms: int = Field(default=10_000, ge=1000, le=300_000)
    max_poll_records: int = Field(default=500, ge=1, le=100_000)
    poll_timeout_ms: int = Field(default=500, ge=10, le=60_000)
    linger_ms: int = Field(default=5, ge=0, le=10_000)
    producer_batch_bytes: int = Field(default=128 * 1024, ge=1024, description="per partition")
    request_timeout_ms: int = Field(default=30_000, ge=1000)
    bootstrap_timeout_ms: int = Field(default=10_000, ge=100, description="per connect attempt")
    connect_attempts: int = Field(default=0, ge=0, description="0 = retry until stopped")
    backoff_initial_s: float = Field(default=0.5, gt=0)
    backoff_max_s: float = Field(default=30.0, gt=0)
    metrics_port: int | None = Field(default=None, ge=0, le=65535,
                                     description="/healthz and /metrics; None = off")
    allowed_lateness_s: float = Field(
        default=3600.0, ge=0, description="sink: a decision waits until its partition has "
        "seen posts this much newer (event time), so skew does not split an outage")
    max_hold_s: float = Field(default=0.25, ge=0, description="sink: ... but at most this long "
                              "(wall clock), the latency the ordering may add")

    def servers(self) -> list[str]:
        """Bootstrap servers after the environment override."""
        env = os.environ.get(BOOTSTRAP_ENV, "").strip()
        return [s.strip() for s in env.split(",") if s.strip()] if env else self.bootstrap_servers

    def topic(self, name: str) -> str:
        """``raw``, ``classified``, ``decisions`` or ``dlq`` → the full topic name."""
        suffix = {"raw": "posts.raw", "classified": "posts.classified",
                  "decisions": "decisions", "dlq": "dlq"}[name]
        return f"{self.topic_prefix}.{suffix}"

    def group(self, stage: str) -> str:
        """The consumer group of a stage: all replicas of a stage share it."""
        return f"{self.group_prefix or self.topic_prefix}.{stage}"
