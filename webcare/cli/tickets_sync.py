"""``webcare tickets sync``: read every round-trip ticket's state back from the desk now.

:func:`sync` polls once (:class:`sinks.tickets.desk.StatusPoller`: tickets of incidents the desk
has not resolved yet, on every sink with ``round_trip.enabled``), records each state, resolves
the incidents whose ticket the desk resolved, then hands every desk resolution not yet
announced to the pipeline's incident listeners (the other ticket sinks, outbound, alerts) and
delivers what they queued, as the pipeline would. It never touches the correlator's saved state
(a running pipeline drops those incidents itself at its next flush). Printed: each ticket whose
state changed, failed reads, and the resolutions announced.

:func:`register` adds the command to the ``tickets`` group when :mod:`webcare.cli.main` is
imported; the ticket sinks and the pipeline assembly are imported only when it runs. It needs
an existing store (the incidents and tickets to read back are stored there).
"""

from __future__ import annotations

import json

import click

from webcare.cli.common import CONFIG_OPTION, STORE_OPTION, read_config


def sync(config, sink: str | None = None) -> dict:
    """Poll once and announce desk resolutions; returns ``{changes, errors, announced}``."""
    from sinks.incident_sink import incident_sink_of
    from sinks.store import ticket_status
    from sinks.tickets.desk import StatusPoller, enabled
    from sinks.tickets.registry import build_sinks
    from webcare.job.assembly import build_sink

    configs = [c for c in enabled(config.tickets) if sink in (None, c.sink_name)]
    if sink is not None and not configs:
        raise click.ClickException(f"no ticket sink {sink!r} with round_trip.enabled")
    poller = StatusPoller(configs, build_sinks(configs))
    chain, _ = build_sink(config, scope=None)  # listeners as in the pipeline, no saved state
    try:
        incidents = incident_sink_of(chain)
        changes = poller.run_once(incidents.store.db)
        waiting = [r.incident_key for r in ticket_status.unnotified(incidents.store.db)]
        incidents.flush()  # the desk resolutions reach the listeners (once)
    finally:
        chain.close()  # delivers what the listeners queued (tickets, status posts, replies)
    return {"changes": [vars_of(c) for c in changes if c.changed],
            "errors": [vars_of(c) for c in changes if c.error],
            "unchanged": sum(1 for c in changes if not c.changed and not c.error),
            "announced": waiting}


def vars_of(change) -> dict:
    return {"sink": change.sink, "incident_key": change.incident_key,
            "ticket_id": change.ticket_id, "before": change.before, "after": change.after,
            "tool_status": change.tool_status, "detail": change.detail,
            "resolved_incident": change.resolved, "error": change.error,
            "line": change.line()}


def format_sync(report: dict) -> str:
    lines = [row["line"] for row in report["changes"] + report["errors"]]
    lines.append(f"{len(report['changes'])} changed, {report['unchanged']} unchanged, "
                 f"{len(report['errors'])} failed")
    lines += [f"announced desk resolution of {key}" for key in report["announced"]]
    return "\n".join(lines)


def register(main: click.Group) -> None:
    """Add ``sync`` to the ``webcare tickets`` group (call after that group is defined)."""
    tickets = main.commands.get("tickets")
    if not isinstance(tickets, click.Group):
        raise RuntimeError("register tickets sync after the `tickets` command group")

    @tickets.command(name="sync")
    @click.option("--sink", "sink_name", default=None, help="only this ticket sink")
    @click.option("--json", "as_json", is_flag=True, help="JSON output")
    @CONFIG_OPTION
    @STORE_OPTION
    def tickets_sync(sink_name: str | None, as_json: bool, config_path, store_path) -> None:
        """Read the desk's ticket states now; resolve incidents the desk resolved."""
        from schemas.plumbing.credentials import MissingCredential

        try:
            report = sync(read_config(config_path, store_path, existing_store=True), sink_name)
        except MissingCredential as error:
            raise click.ClickException(str(error)) from error
        click.echo(json.dumps(report, indent=2) if as_json else format_sync(report))
