"""``webcare engagement refresh``: re-read the likes, reposts, replies, quotes and followers
of stored posts from the platforms and update ``post_engagement`` (issue 8; the work itself is
in :mod:`webcare.cli.engagement_refresh`).

:func:`register` adds the command when :mod:`webcare.cli.main` is imported; the platform clients
(tweepy, the AppView and Graph API clients) and the store are imported only when the command
runs. The command needs an existing store. ``RefreshFailed``, ``refresh`` and the fetches are
still importable from here (PEP 562 ``__getattr__``, loaded on first use).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import click

from webcare.cli.common import CONFIG_OPTION, STORE_OPTION, open_app, read_config

# The option defaults: copies of ingest.bluesky.counts.PUBLIC_APPVIEW, ingest.x.source.API and
# ingest.facebook.counts.GRAPH, so that building the CLI imports none of them (a test checks).
PUBLIC_APPVIEW = "https://public.api.bsky.app"
X_API = "https://api.twitter.com"
GRAPH = "https://graph.facebook.com"

_REFRESH_NAMES = ("RefreshFailed", "Counts", "Fetch", "bluesky_fetch", "x_fetch",
                  "facebook_fetch", "refresh")


def __getattr__(name: str):
    """The names of :mod:`webcare.cli.engagement_refresh`, imported when first asked for."""
    if name in _REFRESH_NAMES:
        from webcare.cli import engagement_refresh

        return getattr(engagement_refresh, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register(main: click.Group) -> None:
    """Add ``webcare engagement`` to the group (once, at import of webcare.cli.main)."""

    @main.group()
    def engagement() -> None:
        """Engagement of stored posts (issue 8)."""

    @engagement.command(name="refresh")
    @click.option("--platform", "platforms", multiple=True,
                  type=click.Choice(["bluesky", "x", "facebook"]), default=["bluesky"],
                  show_default=True)
    @click.option("--since", default=None, help="ISO time; default: --days before now")
    @click.option("--days", default=7, show_default=True, type=click.IntRange(min=1))
    @click.option("--appview", default=PUBLIC_APPVIEW, show_default=True,
                  help="Bluesky AppView base URL")
    @click.option("--x-bearer-env", default="X_BEARER_TOKEN", show_default=True)
    @click.option("--x-api-url", default=X_API, show_default=True)
    @click.option("--facebook-token-env", default="FACEBOOK_PAGE_TOKEN", show_default=True,
                  help="variable holding the page access token")
    @click.option("--graph-url", default=GRAPH, show_default=True)
    @CONFIG_OPTION
    @STORE_OPTION
    def engagement_refresh(platforms, since, days, appview, x_bearer_env, x_api_url,
                           facebook_token_env, graph_url, config_path, store_path) -> None:
        """Re-read likes, reposts, replies, quotes and followers of stored posts."""
        from ingest.bluesky.counts import AppView
        from ingest.facebook.counts import Graph
        from ingest.x.counts import client as x_client
        from schemas.plumbing.credentials import MissingCredential, secret
        from sinks.store.app_db import iso
        from webcare.cli.engagement_refresh import (
            Fetch,
            RefreshFailed,
            bluesky_fetch,
            facebook_fetch,
            refresh,
            x_fetch,
        )

        try:
            start = (datetime.fromisoformat(since.replace("Z", "+00:00")) if since
                     else datetime.now(timezone.utc) - timedelta(days=days))
        except ValueError as error:
            raise click.BadParameter(f"{since!r} is not an ISO date", param_hint="--since") \
                from error
        def token(env: str) -> str:
            try:
                return secret(env, None).get_secret_value()
            except MissingCredential as error:
                raise click.ClickException(str(error)) from error

        builders: dict[str, Callable[[], Fetch]] = {
            "bluesky": lambda: bluesky_fetch(AppView(appview)),
            "x": lambda: x_fetch(x_client(token(x_bearer_env), x_api_url)),
            "facebook": lambda: facebook_fetch(Graph(token(facebook_token_env), graph_url))}
        fetchers = {platform: builders[platform]() for platform in dict.fromkeys(platforms)}
        app = open_app(read_config(config_path, store_path, existing_store=True))
        try:
            for platform, fetch in fetchers.items():
                try:
                    done = refresh(app.db, platform, fetch, iso(start))
                except RefreshFailed as error:
                    raise click.ClickException(f"nothing changed for {platform}: {error}") \
                        from error
                click.echo(f"{platform}: {done['refreshed']} of {done['posts']} post(s) "
                           f"refreshed, {done['missing']} no longer available")
        finally:
            app.store.close()
