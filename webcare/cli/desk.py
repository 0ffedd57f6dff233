"""``webcare teams load|queue`` and ``webcare assign run|item|status``: teams and assignment
from the command line (issue 21; the same functions as the app's ``/teams`` page and API).

* ``teams load`` — per team and agent: availability, open assigned items, capacity, oldest
  waiting, SLA at risk and breached;
* ``teams queue [--team T] [--brand B]`` — the open queue with the SLA on the desk's clock;
* ``assign run [--every S]`` — the assignment pass once (or every S seconds), for cron or a
  side process; several processes on one store take turns through the store's lease;
* ``assign item --post ID --to AGENT`` — assign an item (audited as ``--as``, a lead);
* ``assign status --name ann online|away`` — an agent's availability.

Registered on the ``webcare`` group by :mod:`webcare.cli.main`; the desk is imported only
when a command runs.
"""

from __future__ import annotations

import json
import time

import click

from webcare.cli.common import CONFIG_OPTION, STORE_OPTION, open_app, read_config


def _seconds(value: int) -> str:
    minutes = abs(int(value)) // 60
    text = f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
    return f"{text} over" if value < 0 else f"{text} left"


def format_load(teams: list[dict]) -> str:
    if not teams:
        return "no teams configured (teams.teams in the config)"
    lines = []
    for t in teams:
        oldest = t["oldest_waiting"]
        lines.append(f"{t['team']}: {t['open']} open, {t['unassigned']} unassigned, "
                     f"{t['sla_at_risk']} SLA at risk, {t['sla_breached']} breached "
                     f"({t['policy']}, {t['timezone']}, "
                     f"{'in hours' if t['in_hours'] else 'outside hours'})"
                     + (f", oldest waiting {oldest['post_id']}" if oldest else ""))
        lines.append(f"  {'agent':<16} {'status':<8} {'open':>5} {'cap':>4} {'risk':>5} "
                     f"{'late':>5}  oldest")
        for a in t["agents"]:
            lines.append(f"  {a['agent']:<16} {a['status']:<8} {a['open_assigned']:>5} "
                         f"{a['capacity']:>4} {a['sla_at_risk']:>5} {a['sla_breached']:>5}  "
                         f"{(a['oldest_waiting'] or {}).get('post_id', '-')}")
    return "\n".join(lines)


def register(main: click.Group) -> None:
    """Add ``webcare teams`` and ``webcare assign`` to the group."""

    @main.group()
    def teams() -> None:
        """Teams: their load and their queue."""

    @teams.command(name="load")
    @click.option("--json", "as_json", is_flag=True, help="JSON output")
    @CONFIG_OPTION
    @STORE_OPTION
    def teams_load(as_json: bool, config_path, store_path) -> None:
        """Open assigned items per agent, capacity, oldest waiting, SLA at risk."""
        from webcare.app.queries import clock
        from webcare.desk.load import team_load
        from webcare.desk.sla import Desk

        config = read_config(config_path, store_path, existing_store=True)
        app = open_app(config)
        try:
            at, _ = clock(app, config.app)
            found = team_load(app, Desk.of(config), at)
        finally:
            app.store.close()
        click.echo(json.dumps(found, indent=2) if as_json else format_load(found))

    @teams.command(name="queue")
    @click.option("--team", default=None, help="only items of this team")
    @click.option("--brand", default=None, help="only items of this brand")
    @click.option("--limit", default=50, show_default=True)
    @click.option("--json", "as_json", is_flag=True, help="JSON output")
    @CONFIG_OPTION
    @STORE_OPTION
    def teams_queue(team, brand, limit: int, as_json: bool, config_path, store_path) -> None:
        """The open queue (filtered by team and brand) with the SLA on the desk's clock."""
        from webcare.app import queries
        from webcare.desk.sla import Desk

        config = read_config(config_path, store_path, existing_store=True)
        app = open_app(config)
        try:
            at, _ = queries.clock(app, config.app)
            flt = queries.QueueFilter(brand=brand, team=team)
            rows = queries.queue(app, config.app, flt, "", at, limit, desk=Desk.of(config))
        finally:
            app.store.close()
        if as_json:
            click.echo(json.dumps([{**r["item"].model_dump(mode="json"), "owner": r["owner"],
                                    "brand": r["brand"], "sla": r["sla"]} for r in rows],
                                  indent=2))
            return
        for r in rows:
            it, sla = r["item"], r["sla"]
            click.echo(f"{it.priority:>3} {it.urgency:<8} {_seconds(sla['seconds_left']):<14}"
                       f"{' paused' if sla['paused'] else '':<7} {sla['team'] or '-':<12} "
                       f"{r['owner'] or '-':<10} {it.post_id}  {it.text[:60]!r}")

    @main.group()
    def assign() -> None:
        """Assignment: the periodic pass, assigning an item, agents' availability."""

    @assign.command(name="run")
    @click.option("--every", type=float, default=None,
                  help="repeat every SECONDS (default: one pass)")
    @CONFIG_OPTION
    @STORE_OPTION
    def assign_run(every: float | None, config_path, store_path) -> None:
        """Run the assignment pass: teams for new items, assignment, reassignment."""
        from sinks.store.app_db import now
        from webcare.desk.assign import holder_id, run_pass
        from webcare.desk.sla import Desk

        config = read_config(config_path, store_path, existing_store=True)
        desk, holder = Desk.of(config), holder_id()
        app = open_app(config)
        try:
            while True:
                counts = run_pass(app, desk, now(), holder)
                click.echo(json.dumps(counts))
                if every is None:
                    break
                time.sleep(every)
        finally:
            app.store.close()

    @assign.command(name="item")
    @click.option("--post", "post_id", required=True, help="the queue item's post id")
    @click.option("--to", "agent", required=True, help="the agent's user name")
    @click.option("--as", "actor", required=True, help="the lead or admin doing it (audit)")
    @CONFIG_OPTION
    @STORE_OPTION
    def assign_item(post_id: str, agent: str, actor: str, config_path, store_path) -> None:
        """Assign an open or claimed item to an agent (as a lead or admin; audited)."""
        from webcare.app.desk_web import assign_item as assign_one
        from webcare.app.service import Conflict, Forbidden, NotFound, User
        from webcare.desk.sla import Desk

        config = read_config(config_path, store_path, existing_store=True)
        app = open_app(config)
        try:
            row = app.user(actor)
            if row is None or row["disabled"]:
                raise click.ClickException(f"no user {actor!r}")
            result = assign_one(app, Desk.of(config), User(actor, row["role"]), post_id, agent)
        except (Forbidden, NotFound, Conflict, ValueError) as error:
            raise click.ClickException(str(error)) from error
        finally:
            app.store.close()
        click.echo(f"{post_id} assigned to {result['owner']}"
                   + ("" if result["changed"] else " (already)"))

    @assign.command(name="status")
    @click.option("--name", required=True, help="the agent")
    @click.argument("status", type=click.Choice(["online", "away"]))
    @CONFIG_OPTION
    @STORE_OPTION
    def assign_status(name: str, status: str, config_path, store_path) -> None:
        """Set an agent's availability for automatic assignment (audited as cli)."""
        from sinks.store import assignment as rows
        from sinks.store.app_db import now

        config = read_config(config_path, store_path, existing_store=True)
        app = open_app(config)
        try:
            if app.user(name) is None:
                raise click.ClickException(f"no user {name!r}")
            rows.set_status(app, name, status, now(), "cli")
        finally:
            app.store.close()
        click.echo(f"{name} is {status}")
