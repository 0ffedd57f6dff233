"""Kafka commands of the ``webcare`` CLI: ``topics create``, ``worker``, ``run --bus kafka``.

Registered on the click group by :mod:`webcare.cli.main` when it is imported; the Kafka client,
the workers and the stores are imported only when one of these commands runs. Broker trouble is
reported as one clear error line (exit code 1), never a traceback; workers log JSON lines on
stderr. The workers create the store as needed (the sink stage writes it).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from webcare.cli.common import CONFIG_OPTION, read_config

# Copies of bus.config.BOOTSTRAP_ENV and bus.config.STAGES, so that building the CLI does not
# import the Kafka config (a test checks they agree).
BOOTSTRAP_ENV = "WEBCARE_KAFKA_BOOTSTRAP"
STAGES = ("ingest", "classify", "route", "sink")


def startup_errors() -> tuple[type[BaseException], ...]:
    """What a worker or ``run --bus kafka`` reports as one error line when it cannot start: no
    broker, no PostgreSQL store, a missing replay file, rejected source credentials."""
    from bus.client import BrokerUnavailable
    from schemas.errors import AuthFailed
    from sinks.store.config import StoreUnavailable

    return (BrokerUnavailable, StoreUnavailable, FileNotFoundError, AuthFailed)


BOOTSTRAP_OPTION = click.option(
    "--bootstrap", default=None, envvar=BOOTSTRAP_ENV,
    help=f"Kafka HOST:PORT[,HOST:PORT] (env {BOOTSTRAP_ENV}; overrides kafka.bootstrap_servers)")


def _kafka_config(config_path: Path | None, bootstrap: str | None):
    config = read_config(config_path)
    if bootstrap:
        os.environ[BOOTSTRAP_ENV] = bootstrap  # one source of truth: KafkaConfig.servers()
    return config


def register(main: click.Group) -> None:
    """Add the Kafka commands to the CLI group (called once at import of webcare.cli.main)."""

    @main.group()
    def topics() -> None:
        """Manage the pipeline's Kafka topics."""

    @topics.command("create")
    @CONFIG_OPTION
    @BOOTSTRAP_OPTION
    def topics_create(config_path: Path | None, bootstrap: str | None) -> None:
        """Create <prefix>.posts.raw, .posts.classified, .decisions and .dlq if missing."""
        from bus import client, logs
        from bus.client import BrokerUnavailable

        logs.setup()
        config = _kafka_config(config_path, bootstrap)
        kafka = config.kafka.model_copy(update={"connect_attempts":
                                                config.kafka.connect_attempts or 5})
        try:
            result = client.create_topics(kafka)
        except BrokerUnavailable as error:
            raise click.ClickException(str(error)) from None
        for name, state in result.items():
            click.echo(f"{name}: {state}")

    @main.command()
    @click.option("--stage", type=click.Choice(STAGES), required=True)
    @click.option("--replay", default=None,
                  help="ingest: a JSONL file instead of the configured (replay and live) sources")
    @click.option("--rate", default=0.0, type=float,
                  help="ingest: posts/s (0 = as fast as possible)")
    @click.option("--metrics-port", type=int, default=None, envvar="WEBCARE_METRICS_PORT",
                  help="serve /healthz and /metrics on this port (env WEBCARE_METRICS_PORT)")
    @click.option("--log-level", default="INFO", envvar="WEBCARE_LOG_LEVEL")
    @CONFIG_OPTION
    @BOOTSTRAP_OPTION
    def worker(stage: str, replay: str | None, rate: float, metrics_port: int | None,
               log_level: str, config_path: Path | None, bootstrap: str | None) -> None:
        """Run one stage as a Kafka consumer-group member (ingest: as a producer) until
        SIGTERM/SIGINT (ingest: or until its sources end)."""
        from bus import logs
        from webcare.job.kafka import run_stage

        logs.setup(log_level)
        config = _kafka_config(config_path, bootstrap)
        try:
            run_stage(stage, config, replay, rate, metrics_port)
        except startup_errors() as error:
            raise click.ClickException(str(error)) from None


def run_on_kafka(config_path: Path | None, bootstrap: str | None, replay: str | None,
                 metrics_port: int | None = None) -> None:
    """``webcare run --bus kafka``: all stages as workers against a broker on ``replay`` (None:
    the configured sources until they end or SIGTERM/SIGINT), then a summary."""
    from bus import logs
    from webcare.job.kafka import run_all

    logs.setup("WARNING")
    config = _kafka_config(config_path, bootstrap)
    try:
        result = run_all(config, replay, port=metrics_port)
    except startup_errors() as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"sent {result['sent']} records to Kafka, {result['stored']} reached the store")
