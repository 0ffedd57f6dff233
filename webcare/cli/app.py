"""The app's commands: ``webcare serve``, ``users add|passwd|list|token``, ``report``,
``relabels export`` and ``erase`` (issue 6).

:func:`register` adds them to the ``webcare`` group when :mod:`webcare.cli.main` is imported;
the web app, password hashing and the app's tables are imported only when a command runs. All of
them except ``users add`` need a store that exists (see :func:`webcare.cli.common.read_config`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from webcare.cli.common import (
    CONFIG_OPTION,
    NEW_STORE_OPTION,
    STORE_OPTION,
    missing_store,
    open_app,
    read_config,
)

# The app's roles: a copy of sinks.store.app_store.ROLES, so that building the CLI does not
# import the store (a test checks the two agree).
ROLES = ("agent", "lead", "comms", "admin")


def _password(confirm: bool = True) -> str:
    """From the terminal (hidden, confirmed) or the first line of stdin."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)
    return sys.stdin.readline().rstrip("\r\n")


def register(main: click.Group) -> None:
    """Add the app's commands to the ``webcare`` group (once, at import of webcare.cli.main)."""

    @main.command()
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=8080, show_default=True, type=int)
    @CONFIG_OPTION
    @STORE_OPTION
    def serve(host: str, port: int, config_path, store_path) -> None:
        """Serve the webcare app (queue, items, dashboard) and the JSON API.

        A SQLite store must exist: an app on an empty store has no users to sign in with, so a
        missing file is a typo or a skipped step (run the pipeline, or `webcare users add`,
        first). A PostgreSQL store is used as configured.
        """
        import uvicorn

        from webcare.app.web import create_app

        config = read_config(config_path, store_path, existing_store=True)
        app = open_app(config)
        users = len(app.users())
        app.store.close()
        click.echo(f"webcare app on http://{host}:{port}/  (API docs: /api/docs)", err=True)
        if not users:
            click.echo("no users yet: add one with `webcare users add --name NAME --role agent`",
                       err=True)
        from webcare.job.assembly import reprocess_stages

        uvicorn.run(create_app(config, reprocess_stages), host=host, port=port, log_level="info",
                    proxy_headers=False, server_header=False)

    @main.group()
    def users() -> None:
        """Local accounts of the webcare app (roles: agent, lead, comms, admin)."""

    @users.command(name="add")
    @click.option("--name", required=True)
    @click.option("--role", required=True, type=click.Choice(ROLES))
    @CONFIG_OPTION
    @NEW_STORE_OPTION
    def users_add(name: str, role: str, config_path, store_path) -> None:
        """Add a user; the password comes from the prompt (or the first line of stdin). Creates
        the SQLite store when it does not exist yet (said on stderr)."""
        from webcare.app.security import hash_password

        config = read_config(config_path, store_path)
        created = missing_store(config)
        app = open_app(config)
        try:
            app.add_user(name, role, hash_password(_password()))
        except ValueError as error:
            raise click.ClickException(str(error)) from error
        finally:
            app.store.close()
        if created:
            click.echo(f"created a new store: {created}", err=True)
        click.echo(f"added {name} ({role})")

    @users.command(name="passwd")
    @click.option("--name", required=True)
    @CONFIG_OPTION
    @STORE_OPTION
    def users_passwd(name: str, config_path, store_path) -> None:
        """Set a new password (ends the user's sessions)."""
        from webcare.app.security import hash_password

        app = open_app(read_config(config_path, store_path, existing_store=True))
        try:
            if not app.set_password(name, hash_password(_password())):
                raise click.ClickException(f"no user {name!r}")
        except ValueError as error:
            raise click.ClickException(str(error)) from error
        finally:
            app.store.close()
        click.echo(f"password of {name} changed")

    @users.command(name="list")
    @CONFIG_OPTION
    @STORE_OPTION
    def users_list(config_path, store_path) -> None:
        """Users and roles."""
        app = open_app(read_config(config_path, store_path, existing_store=True))
        for user in app.users():
            flag = " (disabled)" if user["disabled"] else ""
            click.echo(f"{user['name']:20} {user['role']:6} since {user['created_at']}{flag}")
        app.store.close()

    @users.command(name="token")
    @click.option("--name", required=True)
    @click.option("--label", default="api", show_default=True)
    @CONFIG_OPTION
    @STORE_OPTION
    def users_token(name: str, label: str, config_path, store_path) -> None:
        """Create an API token for a user (printed once; only its hash is stored)."""
        from datetime import timedelta

        from sinks.store.app_db import now
        from webcare.app.security import new_token, token_hash

        config = read_config(config_path, store_path, existing_store=True)
        app = open_app(config)
        try:
            if app.user(name) is None:
                raise click.ClickException(f"no user {name!r}")
            token = new_token("wct_")
            app.add_session(token_hash(token), name, "api", new_token(),
                            now() + timedelta(days=config.app.token_days), label)
            app.audit("system", "token.add", None, None, {"user": name, "label": label})
        finally:
            app.store.close()
        click.echo(token)

    @main.command()
    @click.option("--from", "start", default=None, help="ISO start (default: first post)")
    @click.option("--to", "end", default=None, help="ISO end (default: last post)")
    @click.option("--by", type=click.Choice(["topic", "platform", "lang"]), default="topic")
    @click.option("--output", "out_dir", default="var/report", show_default=True,
                  type=click.Path(path_type=Path))
    @CONFIG_OPTION
    @STORE_OPTION
    def report(start, end, by, out_dir: Path, config_path, store_path) -> None:
        """Write the communications report: HTML with SVG charts plus CSV exports."""
        from datetime import datetime

        from webcare.app.report import write_report

        def when(text):
            if not text:
                return None
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError as error:
                raise click.BadParameter(f"not an ISO date: {text}") from error
            return moment if moment.tzinfo else moment.astimezone()

        config = read_config(config_path, store_path, existing_store=True)
        app = open_app(config)
        try:
            from webcare.desk.sla import Desk

            files = write_report(app, config.app, out_dir, when(start), when(end), by,
                                 Desk.of(config))
        finally:
            app.store.close()
        click.echo(f"report written to {files[0]} ({len(files) - 1} charts and CSV files)")

    @main.group()
    def relabels() -> None:
        """Relabels agents made in the app (training data for `webcare train --data`)."""

    @relabels.command(name="export")
    @click.option("--output", "output_path", required=True, type=click.Path(path_type=Path))
    @CONFIG_OPTION
    @STORE_OPTION
    def relabels_export(output_path: Path, config_path, store_path) -> None:
        """Write the latest relabel per post as labelled JSONL (`labels: {topic, ...}`)."""
        import orjson

        from webcare.app.service import relabel_lines

        app = open_app(read_config(config_path, store_path, existing_store=True))
        try:
            lines = relabel_lines(app)
        finally:
            app.store.close()
        output_path.parent.mkdir(parents=True, exist_ok=True)
        output_path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
        click.echo(f"{len(lines)} relabelled post(s) written to {output_path}")

    @main.command()
    @click.option("--author", "handle", required=True, help="handle as posted (@ann, u/ann, ann)")
    @click.option("--platform", default=None, help="only this platform (default: all)")
    @click.option("--actor", default="cli", show_default=True, help="who asked (audit)")
    @click.option("--json", "as_json", is_flag=True, help="counts as JSON")
    @CONFIG_OPTION
    @STORE_OPTION
    def erase(handle: str, platform, actor: str, as_json: bool, config_path, store_path) -> None:
        """GDPR: remove an author's posts and personal data from the store (trends are kept)."""
        import orjson

        from webcare.app.erase import erase_author

        app = open_app(read_config(config_path, store_path, existing_store=True))
        try:
            counts = erase_author(app, handle, platform, actor)
        except ValueError as error:
            raise click.ClickException(str(error)) from error
        finally:
            app.store.close()
        if as_json:
            click.echo(orjson.dumps({"author": handle, "removed": counts}).decode())
            return
        click.echo(f"erased {handle}: " + ", ".join(f"{n} {k.replace('_', ' ')}"
                                                      for k, n in counts.items()))
        click.echo("kept: hourly trend counts (no personal data); audit entry gdpr.erase "
                   "(digest of the handle and these counts)")
