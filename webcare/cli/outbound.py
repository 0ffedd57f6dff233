"""``webcare outbound status|approve|reject|publish``: the outbound flow without the app.

``approve`` publishes the post at once (like the app); ``publish`` delivers everything due now
(approved posts, personal replies within their rate) in the foreground, e.g. from cron when no
pipeline is running. Decisions are audited with ``--by`` as the actor.

Registered on the ``webcare`` group by :mod:`webcare.cli.main` when it is imported; the outbound
wiring is imported only when a command runs. Every command needs an existing store.
"""

from __future__ import annotations

import json

import click

from webcare.cli.common import CONFIG_OPTION, STORE_OPTION, read_config


def _read(config_path, store_path):
    """The config, its store required to exist (every outbound command works on stored rows)."""
    return read_config(config_path, store_path, existing_store=True)


def register(main: click.Group) -> None:
    """Add ``webcare outbound`` to the group (once, at import of webcare.cli.main)."""

    @main.group()
    def outbound() -> None:
        """Outbound incident updates: drafts, approval, publishing, personal replies."""

    @outbound.command(name="status")
    @click.option("--json", "as_json", is_flag=True, help="JSON output")
    @CONFIG_OPTION
    @STORE_OPTION
    def outbound_status(as_json: bool, config_path, store_path) -> None:
        """Posts and replies per channel and state, the drafts waiting, recent failures."""
        from webcare.outbound import wiring

        report = wiring.status(_read(config_path, store_path))
        click.echo(json.dumps(report, indent=2) if as_json else wiring.format_status(report))

    def _decide(action: str, outbound_id: str, by: str, config_path, store_path, **extra):
        from webcare.outbound import wiring
        from webcare.outbound.store import Conflict

        try:
            row = wiring.decide(_read(config_path, store_path), outbound_id, by, action, **extra)
        except (Conflict, LookupError) as error:
            raise click.ClickException(str(error)) from error
        detail = f" {row['platform_url'] or row['platform_post_id'] or ''}".rstrip()
        error = f" ({row['error']})" if row["error"] else ""
        click.echo(f"{row['outbound_id']} {row['channel']}: {row['state']}{detail}{error}")

    @outbound.command(name="approve")
    @click.option("--id", "outbound_id", required=True, help="the draft (see `outbound status`)")
    @click.option("--by", default="cli", show_default=True, help="who approves (audit)")
    @click.option("--text", default=None, help="publish this text instead of the draft's")
    @CONFIG_OPTION
    @STORE_OPTION
    def outbound_approve(outbound_id: str, by: str, text: str | None, config_path,
                         store_path) -> None:
        """Approve a draft and publish it now."""
        _decide("approve", outbound_id, by, config_path, store_path, body=text)

    @outbound.command(name="reject")
    @click.option("--id", "outbound_id", required=True)
    @click.option("--by", default="cli", show_default=True, help="who rejects (audit)")
    @click.option("--reason", default=None)
    @CONFIG_OPTION
    @STORE_OPTION
    def outbound_reject(outbound_id: str, by: str, reason: str | None, config_path,
                        store_path) -> None:
        """Reject a draft (it is never published)."""
        _decide("reject", outbound_id, by, config_path, store_path, reason=reason)

    @outbound.command(name="publish")
    @CONFIG_OPTION
    @STORE_OPTION
    def outbound_publish(config_path, store_path) -> None:
        """Deliver every approved post and due reply now (retries wait for their time)."""
        from webcare.outbound import wiring

        counts = wiring.publish(_read(config_path, store_path))
        click.echo(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due")
