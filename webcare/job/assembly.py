"""What the CLI commands do, kept apart from click so tests can call them directly.

The classifiers (spaCy, the models) are imported by the functions that build them, so the
read commands (``webcare queue``, ``incidents``) start without them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import IO, Iterator

import orjson

from ingest.config import ReplayConfig
from ingest.replay import ReplaySource
from route.incidents import IncidentCorrelator
from route.rules import Router
from schemas import Classification, DeadLetter, Decision, Incident, Post, QueueItem
from schemas.dead_letters import dead_letter, parse_post
from schemas.protocols import Source
from sinks.incident_sink import LOCAL_SCOPE, IncidentSink
from sinks.store.config import SqliteStoreConfig
from sinks.store.registry import open_store
from sinks.store_sink import StoreSink
from webcare.job.config import WebcareConfig, load_config
from webcare.job.runner import Pipeline, RunStats

SCHEMA_MODELS = ["Post", "Classification", "Decision", "QueueItem", "Incident", "DeadLetter"]
_MODELS = {"Post": Post, "Classification": Classification, "Decision": Decision,
           "QueueItem": QueueItem, "Incident": Incident, "DeadLetter": DeadLetter}


def json_schemas(name: str | None = None) -> dict:
    if name:
        return _MODELS[name].model_json_schema()
    return {model: _MODELS[model].model_json_schema() for model in SCHEMA_MODELS}


@contextmanager
def _output(path: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdout.buffer
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            yield handle


def classify_file(config: WebcareConfig, input_path: str, output_path: str) -> dict[str, int]:
    """``webcare classify``: returns counts; raises FileNotFoundError for unusable input."""
    from classify.line import classification_line
    from classify.pipeline import Classifier

    source = ReplaySource(ReplayConfig(path=input_path))
    classifier = Classifier(config.classify)
    sink = StoreSink(open_store(config.store))
    counts = {"ok": 0, "errors": 0}
    with _output(output_path) as out:
        for record in source.records():
            post = parse_post(record)
            if not isinstance(post, DeadLetter):
                try:
                    line = classification_line(classifier(post))
                except Exception as error:  # noqa: BLE001 - reported as an error line
                    post = dead_letter(record, "classify", error, post_id=post.id)
            if isinstance(post, DeadLetter):
                sink.add(post)
                line = {"line": post.line, "error": post.reason, "stage": post.stage,
                        "error_type": post.error_type}
                print(f"line {post.line}: {post.stage} error: {post.reason}", file=sys.stderr)
                counts["errors"] += 1
            else:
                counts["ok"] += 1
            out.write(orjson.dumps(line) + b"\n")
    sink.close()
    return counts


def build_sink(config: WebcareConfig, scope: str | None = LOCAL_SCOPE
               ) -> tuple[StoreSink, IncidentCorrelator | None]:
    """The store sink with incidents and tickets as configured, and the incident correlator
    (None when incidents are off), restored from the store's ``local`` state (issue 18; the
    Kafka sink worker tracks one state per decisions partition instead); shared by the
    in-process runner and the Kafka sink worker. Raises ValueError when that state is unusable."""
    sink = StoreSink(open_store(config.store))
    correlator = IncidentCorrelator(config.incidents) if config.incidents.enabled else None
    if correlator is not None:  # burst detection → one incident per outage (issue 5)
        sink = IncidentSink(sink, correlator, scope=scope)  # None: memory only (tickets sync)
    if correlator is None and (config.tickets or config.outbound.channels or config.alerts):
        sink = IncidentSink(sink, IncidentCorrelator(  # single incidents still get tickets
            config.incidents.model_copy(update={"enabled": False})))
    if config.tickets:  # outbox + ticket delivery after the store flush (issue 5)
        from sinks.tickets.wiring import attach

        sink = attach(sink, config)
    if config.outbound.channels:  # status posts and personal replies after the flush (issue 8)
        from webcare.outbound.wiring import attach as attach_outbound

        sink = attach_outbound(sink, config)
    if config.alerts:  # on-call alerts from incident events and a periodic check (issue 21)
        from webcare.alerts.wiring import attach as attach_alerts

        sink = attach_alerts(sink, config)
    return sink, correlator


def reprocess_stages(config: WebcareConfig):
    """The dead-letter reprocess stages (:class:`webcare.app.dead_letters.Stages`) with the
    pipeline's sink chain: classify and route as configured, then the incident correlator
    restored from the store's ``local`` state and :func:`build_sink`'s chain (store,
    incidents, tickets, outbound, alerts), built, flushed and closed per reprocess (one at a
    time per process), so a reprocessed post joins its open burst incident like any other."""
    import threading

    from webcare.app.dead_letters import Stages, build_stages

    base, lock = build_stages(config), threading.Lock()

    def write(decision: Decision) -> Decision:
        with lock:
            sink, correlator = build_sink(config)
            try:
                if correlator is not None:
                    decision = correlator(decision)
                sink.add(decision)
                sink.flush()
            finally:
                sink.close()
        return decision

    return Stages(base.classify, base.route, write)


def build_pipeline(config: WebcareConfig) -> tuple[Pipeline, StoreSink]:
    from classify.pipeline import Classifier

    sink, correlator = build_sink(config)
    pipeline = Pipeline(Classifier(config.classify), Router(config.route), sink,
                        config.pipeline.batch_size, incidents=correlator,
                        max_wait=config.pipeline.max_wait)
    return pipeline, sink


def run_replay(config: WebcareConfig, path: str, speed: float = 0.0,
               progress: bool = False) -> RunStats:
    return _run(config, lambda: [ReplaySource(ReplayConfig(path=path, speed=speed))], progress)


def _run(config: WebcareConfig, sources_of: Callable[[], list[Source]],
         progress: bool) -> RunStats:
    """Build the sources (``sources_of``) and the configured pipeline and run them until the
    sources end or SIGTERM/SIGINT (then: close them, handle what was read, flush, checkpoint);
    serves ``pipeline.metrics_port``. The signals are handled from before the first source
    starts (a push receiver may be accepting while the models load), so a stop at any moment
    exits cleanly. The store is closed in any case."""
    from ingest.signals import stop_on_signals
    from webcare.job.embedded import monitor

    with stop_on_signals() as stop, monitor(config.pipeline.metrics_port) as on_batch:
        sources = sources_of()
        pipeline, sink = build_pipeline(config)
        assigning = _assignment(config)
        try:
            with _progress(progress) as tick:
                return pipeline.run(*sources, on_record=tick, on_batch=on_batch, stop=stop)
        finally:
            if assigning is not None:
                assigning.stop()
            sink.close()


def _assignment(config: WebcareConfig):
    """With ``teams:`` configured, the assignment pass (teams for new items, assignment to
    available agents, reassignment) runs beside the pipeline every ``interval_s`` (issue 21);
    several runs on one store take turns through the store's lease."""
    if not config.teams.teams:
        return None
    from webcare.desk.assign import AssignmentLoop
    from webcare.desk.sla import Desk

    loop = AssignmentLoop(config.store, Desk.of(config))
    loop.start()
    return loop


@contextmanager
def _progress(enabled: bool) -> Iterator:
    if not enabled:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.completed} posts"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("posts", total=None)
        yield lambda: bar.advance(task)


def format_summary(stats: RunStats) -> str:
    lines = [f"posts: {stats.posts}  dead letters: {stats.dead_letters}  "
             f"incidents: {len(stats.incidents)}  {stats.posts_per_second:.0f} posts/s"]
    lines.append("routes: " + ", ".join(f"{action} {count}" for action, count
                                        in sorted(stats.actions.items())))
    noise = ", ".join(f"{reason} {count}" for reason, count in stats.noise.most_common())
    lines.append(f"noise by reason: {noise or 'none'}")
    return "\n".join(lines)


def read_queue(config: WebcareConfig, limit: int) -> list[QueueItem]:
    store = open_store(config.store)
    try:
        return store.queue(limit)
    finally:
        store.close()


def read_filtered_queue(config: WebcareConfig, limit: int, brand: str | None = None,
                        team: str | None = None, text: str | None = None) -> list[dict]:
    """``webcare queue --brand/--team/--search``: the open queue filtered as the app's queue
    page filters it (:func:`webcare.app.queries.queue`, the store's queue filters), each item
    with its owner, brand and SLA on the desk's business clock (the app's clock: replay time on
    a store of old posts). JSON-safe rows; raises ``BadSearch`` for an unreadable search."""
    from sinks.store.app_store import AppStore
    from webcare.app import queries
    from webcare.desk.sla import Desk

    app = AppStore(open_store(config.store))
    try:
        flt = queries.QueueFilter(brand=brand or None, team=team or None,
                                  text=(text or "").strip() or None)
        at, _ = queries.clock(app, config.app)
        rows = queries.queue(app, config.app, flt, "", at, limit, Desk.of(config))
    finally:
        app.store.close()
    return [{**r["item"].model_dump(mode="json"), "owner": r["owner"], "brand": r["brand"],
             "sla": orjson.loads(orjson.dumps(r["sla"], default=str))} for r in rows]


def format_filtered_queue(rows: list[dict]) -> str:
    if not rows:
        return "nothing in the queue matches"
    lines = [f"{'prio':>4}  {'urgency':8} {'topic':12} {'lang':4} {'sla left':>9}  "
             "brand / author / text"]
    for r in rows:
        left = (r.get("sla") or {}).get("seconds_left")
        sla = "-" if left is None else f"{int(left) // 60}m"
        text = " ".join(r["text"].split())[:60]
        lines.append(f"{r['priority']:>4}  {r['urgency']:8} {r['topic']:12} {r['lang']:4} "
                     f"{sla:>9}  {r['brand'] or '-'} / {r['author_handle']}: {text}")
    return "\n".join(lines)


def read_incidents(config: WebcareConfig) -> list[Incident]:
    store = open_store(config.store)
    try:
        return store.incidents()
    finally:
        store.close()


def format_queue(items: list[QueueItem]) -> str:
    if not items:
        return "queue is empty"
    rows = [f"{'prio':>4}  {'urgency':8} {'topic':12} {'lang':4} {'platform':9} author / text"]
    for item in items:
        text = " ".join(item.text.split())[:70]
        rows.append(f"{item.priority:>4}  {item.urgency:8} {item.topic:12} {item.lang:4} "
                    f"{item.platform:9} {item.author_handle}: {text}")
    return "\n".join(rows)


def format_incidents(incidents: list[Incident]) -> str:
    if not incidents:
        return "no incidents"
    return "\n".join(f"{i.key}  {i.status:8} {i.urgency:8} {i.post_count:4} posts  {i.title}"
                     for i in incidents)


def demo_file() -> Path:
    return Path(str(resources.files("webcare").joinpath("demo/day.jsonl")))


def run_demo(store_path: str) -> str:
    """Replay the shipped day into a fresh store and describe the result."""
    path = Path(store_path)
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    config = load_config().model_copy(update={"store": SqliteStoreConfig(path=str(path))})
    stats = run_replay(config, str(demo_file()))
    queue = read_queue(config, 15)
    return "\n".join([
        f"Replayed the demo day ({demo_file().name}) into {path}", "",
        format_summary(stats), "", "Incidents for the service desk:",
        format_incidents(read_incidents(config)),
        "", "Top of the webcare queue:", format_queue(queue), "",
        f"Inspect: .venv/bin/webcare queue --store {path}   "
        f"(or incidents --store {path}, add --json for JSON)",
        "",
        "Open the webcare app (queue, items, dashboard):",
        f"  .venv/bin/webcare users add --name NAME --role agent --store {path}   "
        "(roles: agent, lead, comms, admin)",
        f"  .venv/bin/webcare serve --store {path}   then open http://127.0.0.1:8080/",
    ])


def run_sources(config: WebcareConfig, progress: bool = False) -> RunStats:
    """``webcare run`` without ``--replay``: every configured source, read concurrently, into
    the store, until they all end or SIGTERM/SIGINT.

    Raises :class:`ingest.health.AuthFailed` (after the other sources finished) when a
    source's credentials were rejected, so the command exits loudly; FileNotFoundError when
    no source is configured.
    """
    from ingest.manage import build_sources

    return _run(config, lambda: build_sources(config.sources), progress)
