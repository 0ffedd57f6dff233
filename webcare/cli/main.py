"""The ``webcare`` command line (the ``webcare`` console script): the click group, the pipeline
commands (schema, classify, run, queue, incidents, eval, train, demo, sources, simulate,
tickets) and the registration of the sub-CLIs (Kafka, app, outbound, knowledge, engagement).

Loaded on every ``webcare`` invocation, ``--help`` included, so its module-level imports are
click, the standard library and the light CLI modules only; what a command needs (the config
models, the pipeline assembly, stores, classifiers) is imported inside that command. Every
command reads one YAML config (``--config``) through :mod:`webcare.cli.common`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from webcare.cli import alerts as alerts_cli
from webcare.cli import app as app_cli
from webcare.cli import dead_letters as dead_letters_cli
from webcare.cli import desk as desk_cli
from webcare.cli import engagement as engagement_cli
from webcare.cli import kafka as kafka_cli
from webcare.cli import knowledge as knowledge_cli
from webcare.cli import outbound as outbound_cli
from webcare.cli import tickets_sync as tickets_sync_cli
from webcare.cli.common import CONFIG_OPTION, STORE_OPTION, read_config

# The models `webcare schema` prints: a copy of webcare.job.assembly.SCHEMA_MODELS, kept here so
# that building the CLI does not import the pipeline (a test checks the two agree).
SCHEMA_MODELS = ["Post", "Classification", "Decision", "QueueItem", "Incident", "DeadLetter"]


def _dump_json(models) -> str:
    import orjson

    return orjson.dumps([m.model_dump(mode="json") for m in models],
                        option=orjson.OPT_INDENT_2).decode()


@click.group()
def main() -> None:
    """Social-media listening and webcare pipeline for IT service management."""


@main.command()
@click.option("--model", type=click.Choice(SCHEMA_MODELS), default=None,
              help="one model only (default: all)")
def schema(model: str | None) -> None:
    """Print the JSON Schema of the pipeline's messages."""
    import schemas  # the message models only, not the pipeline

    names = [model] if model else SCHEMA_MODELS
    found = {name: getattr(schemas, name).model_json_schema() for name in names}
    click.echo(json.dumps(found[model] if model else found, indent=2))


@main.command()
@click.option("--input", "input_path", required=True, help="JSONL posts, or - for stdin")
@click.option("--output", "output_path", default="-", help="JSONL results (default stdout)")
@CONFIG_OPTION
def classify(input_path: str, output_path: str, config_path: Path | None) -> None:
    """Classify posts: one output line per input line (errors as error lines)."""
    from webcare.job import assembly

    config = read_config(config_path)
    try:
        summary = assembly.classify_file(config, input_path, output_path)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        raise click.ClickException(f"unusable input: {error}") from error
    click.echo(f"classified {summary['ok']} posts, {summary['errors']} error line(s)", err=True)


@main.command()
@click.option("--replay", "replay_path", default=None,
              help="JSONL posts, or - for stdin (default: the configured sources)")
@click.option("--speed", default=0.0, type=float, help="replay speed factor (0 = max)")
@click.option("--bus", type=click.Choice(["inprocess", "kafka"]), default="inprocess",
              help="kafka: every stage as a worker against --bootstrap")
@click.option("--bootstrap", default=None, help="Kafka HOST:PORT (with --bus kafka)")
@click.option("--metrics-port", type=click.IntRange(0, 65535), default=None,
              envvar="WEBCARE_METRICS_PORT",
              help="serve /healthz and /metrics on this port (env WEBCARE_METRICS_PORT; "
                   "overrides pipeline.metrics_port)")
@CONFIG_OPTION
def run(replay_path: str | None, speed: float, bus: str, bootstrap: str | None,
        metrics_port: int | None, config_path: Path | None) -> None:
    """Run the whole pipeline on a replay file, or on the configured sources until they end
    or SIGTERM/SIGINT (what was read is still stored), into the configured store."""
    if bus == "kafka":
        return kafka_cli.run_on_kafka(config_path, bootstrap, replay_path, metrics_port)
    from schemas.errors import AuthFailed
    from webcare.job import assembly
    from webcare.job.embedded import MetricsUnavailable

    config = read_config(config_path)
    if metrics_port is not None:
        config.pipeline.metrics_port = metrics_port
    try:
        if replay_path is None:
            stats = assembly.run_sources(config, progress=sys.stderr.isatty())
        else:
            stats = assembly.run_replay(config, replay_path, speed, progress=sys.stderr.isatty())
    except (FileNotFoundError, MetricsUnavailable) as error:
        raise click.ClickException(str(error)) from error
    except AuthFailed as error:
        raise click.ClickException(f"source stopped, credentials rejected: {error}") from error
    click.echo(assembly.format_summary(stats))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSON output")
@click.option("--limit", default=50, show_default=True)
@click.option("--brand", default=None, help="only this brand (as the queue page's filter)")
@click.option("--team", default=None, help="only items the assignment pass gave this team")
@click.option("--search", "text", default=None,
              help='full-text search: words, "a phrase", -word, OR (as in the app)')
@CONFIG_OPTION
@STORE_OPTION
def queue(as_json: bool, limit: int, brand: str | None, team: str | None, text: str | None,
          config_path: Path | None, store_path: str | None) -> None:
    """Show the open webcare queue, highest priority first; with --brand, --team or --search
    filtered as the app's queue page is, with each item's SLA (the desk's business clock)."""
    from webcare.job import assembly

    config = read_config(config_path, store_path, existing_store=True)
    if not (brand or team or (text or "").strip()):
        items = assembly.read_queue(config, limit)
        click.echo(_dump_json(items) if as_json else assembly.format_queue(items))
        return
    from sinks.store.search import BadSearch

    try:
        found = assembly.read_filtered_queue(config, limit, brand, team, text)
    except BadSearch as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        import orjson

        click.echo(orjson.dumps(found, option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(assembly.format_filtered_queue(found))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSON output")
@CONFIG_OPTION
@STORE_OPTION
def incidents(as_json: bool, config_path: Path | None, store_path: str | None) -> None:
    """Show incidents."""
    from webcare.job import assembly

    found = assembly.read_incidents(read_config(config_path, store_path, existing_store=True))
    click.echo(_dump_json(found) if as_json else assembly.format_incidents(found))


@main.command(name="eval")
@click.option("--shared", "shared_dir", type=click.Path(path_type=Path), default=None,
              help="the shared data folder (default: ../shared/data next to the checkout)")
@click.option("--details", is_flag=True, help="per-class scores and confusion matrices")
@click.option("--models", "compare_models", is_flag=True,
              help="also compare VADER, the fast models, the cascade and MiniLM (with posts/s)")
@CONFIG_OPTION
def evaluate(shared_dir: Path | None, details: bool, compare_models: bool,
             config_path: Path | None) -> None:
    """Measure the classifiers on every labelled set found in ../shared/data."""
    from webcare.lab import evaluate as evaluation

    config = read_config(config_path)
    shared_dir = evaluation.shared_data_dir(shared_dir)
    click.echo(evaluation.run_all(config, shared_dir, details))
    if compare_models:
        from webcare.lab.model_table import model_table

        click.echo("\n" + model_table(config, shared_dir))


@main.command()
@click.option("--shared", "shared_dir", type=click.Path(path_type=Path), default=None)
@click.option("--task", default="all",
              type=click.Choice(["sentiment", "transformer", "encoder", "e5", "complaint",
                                 "topic", "heads", "judgement", "all"]))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="where to write artifacts (default: the shipped classify/models)")
@click.option("--data", "extra_data", multiple=True, type=click.Path(path_type=Path),
              help="extra labelled data (repeatable): JSONL with labels.sentiment/topic "
                   "(e.g. `webcare relabels export`) for the sentiment, e5 and topic models, "
                   "CSV/JSONL with complaint labels for --task complaint")
def train(shared_dir: Path | None, task: str, out_dir: Path | None,
          extra_data: tuple[Path, ...]) -> None:
    """Train the classifier models reproducibly from labelled data."""
    from webcare.lab import train as training

    try:
        report = training.train(shared_dir, task, out_dir, list(extra_data))
    except (ValueError, FileNotFoundError) as error:  # bad or missing labelled data
        raise click.ClickException(str(error)) from error
    click.echo(report)


@main.command()
@click.option("--store", "store_path", default="var/demo.sqlite", show_default=True)
def demo(store_path: str) -> None:
    """Replay the shipped demo day through the pipeline and show the summary and queue (the
    store is created afresh)."""
    from webcare.job import assembly

    click.echo(assembly.run_demo(store_path))


kafka_cli.register(main)  # webcare topics, worker
app_cli.register(main)  # webcare serve, users, report, relabels, erase (issue 6)
outbound_cli.register(main)  # webcare outbound (issue 8)
knowledge_cli.register(main)  # webcare knowledge (issue 8)
engagement_cli.register(main)  # webcare engagement (issue 8)
alerts_cli.register(main)  # webcare alerts (issue 21)
dead_letters_cli.register(main)  # webcare dead-letters, search (issue 21)
desk_cli.register(main)  # webcare teams, assign (issue 21)


@main.group()
def sources() -> None:
    """Check the configured sources: health (status) and credentials (test)."""


@sources.command(name="status")
@click.option("--json", "as_json", is_flag=True, help="JSON output")
@CONFIG_OPTION
def sources_status(as_json: bool, config_path: Path | None) -> None:
    """Last health state (ok, degraded, auth_failed, rate_limited) of every source."""
    from ingest.manage import format_status, status_rows

    rows = status_rows(read_config(config_path).sources)
    click.echo(json.dumps(rows, indent=2) if as_json else format_status(rows))


@sources.command(name="test")
@CONFIG_OPTION
def sources_test(config_path: Path | None) -> None:
    """Check credentials and reachability of every configured source (exit 1 on failure)."""
    from ingest.manage import test_sources

    results = test_sources(read_config(config_path).sources)
    for row in results:
        click.echo(f"{'ok  ' if row['ok'] else 'FAIL'} {row['source']}: {row['detail']}")
    if not results:
        click.echo("no live sources configured")
    if not all(row["ok"] for row in results):
        sys.exit(1)


@main.command()
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 366))
@click.option("--outages", default=5, show_default=True, type=click.IntRange(0, 2000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--per-day", default=1500, show_default=True, type=click.IntRange(0, 1_000_000),
              help="background posts per day")
@click.option("--truth", "truth_path", default="var/simulate-truth.json", show_default=True,
              help="where to write the ground truth of the outages (JSON)")
def simulate(days: int, outages: int, seed: int, per_day: int, truth_path: str) -> None:
    """Write a simulated stream of posts with K outages to stdout (JSONL); truth to a file."""
    import orjson

    from webcare.lab import simulate as simulator

    try:
        posts, truth = simulator.simulate(days, outages, seed, per_day)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    Path(truth_path).parent.mkdir(parents=True, exist_ok=True)
    Path(truth_path).write_text(json.dumps([o.to_json() for o in truth], indent=2) + "\n")
    out = sys.stdout.buffer
    for post in posts:
        out.write(orjson.dumps(post) + b"\n")
    click.echo(f"{len(posts)} posts, {len(truth)} outages (truth: {truth_path})", err=True)


@main.group()
def tickets() -> None:
    """Ticket outbox: delivery state (status), re-delivery of dead letters (retry) and the
    desk's ticket states read back (sync)."""


@tickets.command(name="status")
@click.option("--json", "as_json", is_flag=True, help="JSON output")
@CONFIG_OPTION
@STORE_OPTION
def tickets_status(as_json: bool, config_path: Path | None, store_path: str | None) -> None:
    """Outbox entries per ticket sink (pending, sent, dead), next pending and dead letters."""
    from sinks.tickets import wiring

    report = wiring.status(read_config(config_path, store_path, existing_store=True))
    click.echo(json.dumps(report, indent=2) if as_json else wiring.format_status(report))


@tickets.command(name="retry")
@click.option("--sink", "sink_name", default=None, help="only this ticket sink (default: all)")
@CONFIG_OPTION
@STORE_OPTION
def tickets_retry(sink_name: str | None, config_path: Path | None,
                  store_path: str | None) -> None:
    """Move dead letters back to pending and deliver everything due now."""
    from schemas.plumbing.credentials import MissingCredential
    from sinks.tickets import wiring

    try:
        counts = wiring.retry(read_config(config_path, store_path, existing_store=True),
                              sink_name)
    except MissingCredential as error:
        raise click.ClickException(str(error)) from error
    click.echo(", ".join(f"{key} {value}" for key, value in counts.items()))


tickets_sync_cli.register(main)  # webcare tickets sync (issue 21), after the tickets group
