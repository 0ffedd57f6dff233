"""``webcare alerts status|test|retry``: the alert outbox and destinations without a run.

``status`` shows per alert how many entries are pending, sent, dead and folded (held back by
``max_per_hour`` and summarised in a digest), then the next pending and the dead ones with
their errors. ``test NAME`` sends a test message to one alert's destination at once (no
outbox, no filter) and exits 1 naming the problem when it fails. ``retry`` puts dead entries
back and delivers everything due now, in the foreground.

Registered on the ``webcare`` group by :mod:`webcare.cli.main`; the alert wiring is imported
only when a command runs (``webcare --help`` stays cheap).
"""

from __future__ import annotations

import json

import click

from webcare.cli.common import CONFIG_OPTION, STORE_OPTION, read_config


def register(main: click.Group) -> None:
    """Add ``webcare alerts`` to the group."""

    @main.group()
    def alerts() -> None:
        """On-call alerts: the outbox per alert, test messages, retrying dead ones."""

    @alerts.command(name="status")
    @click.option("--json", "as_json", is_flag=True, help="JSON output")
    @CONFIG_OPTION
    @STORE_OPTION
    def alerts_status(as_json: bool, config_path, store_path) -> None:
        """Outbox entries per alert (pending / sent / dead / folded), pending and dead ones."""
        from webcare.alerts import wiring

        report = wiring.status(read_config(config_path, store_path, existing_store=True))
        click.echo(json.dumps(report, indent=2) if as_json else wiring.format_status(report))

    @alerts.command(name="test")
    @click.argument("name")
    @CONFIG_OPTION
    def alerts_test(name: str, config_path) -> None:
        """Send a test message to the destination of alert NAME now."""
        from schemas.plumbing.http import Rejected, Retryable
        from webcare.alerts import wiring
        from webcare.alerts.channels import AlertSetupError

        try:
            click.echo(wiring.send_test(read_config(config_path), name))
        except (LookupError, AlertSetupError) as error:
            raise click.ClickException(str(error)) from error
        except (Retryable, Rejected) as error:
            raise click.ClickException(f"test alert to {name} failed: {error}") from error

    @alerts.command(name="retry")
    @click.option("--alert", "alert_name", default=None, help="only this alert")
    @CONFIG_OPTION
    @STORE_OPTION
    def alerts_retry(alert_name: str | None, config_path, store_path) -> None:
        """Re-queue dead entries and deliver everything due now."""
        from webcare.alerts import wiring
        from webcare.alerts.channels import AlertSetupError

        try:
            counts = wiring.retry(read_config(config_path, store_path, existing_store=True), alert_name)
        except AlertSetupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"requeued {counts['requeued']}, sent {counts['sent']}, "
                   f"retry {counts['retry']}, dead {counts['dead']}")
