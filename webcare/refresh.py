"""``webcare engagement refresh``: re-read the engagement of stored Bluesky posts (issue 8).

Jetstream posts are stored with zero counts (their record was just created); this reads the
current likes, reposts, replies and quotes and the authors' followers from the AppView
(:mod:`ingest.bluesky_counts`) and updates ``post_engagement``, so the dashboard's reach and
engagement show what the posts reached since. Everything is fetched before anything is written:
an AppView failure (:class:`ingest.bluesky_counts.AppViewError`) changes nothing. Posts the
AppView no longer returns (deleted) keep their last counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import click

from ingest.bluesky_counts import PUBLIC_APPVIEW, AppView, AppViewError, view_counts
from schemas import Decision
from sinks.app_db import AppDb, iso


def refresh_bluesky(db: AppDb, appview: AppView, since: str = "") -> dict[str, int]:
    """Refresh Bluesky posts created at or after ISO ``since``; returns what was done."""
    rows = db.rows("SELECT p.decision_json FROM posts p JOIN post_engagement e ON e.post_id = "
                   "p.post_id WHERE p.platform = 'bluesky' AND p.created_at >= ? "
                   "ORDER BY p.created_at, p.post_id", (since,))
    posts = [Decision.model_validate_json(row["decision_json"]).post for row in rows]
    by_uri = {p.platform_id: p for p in posts if (p.platform_id or "").startswith("at://")}
    views = appview.posts(by_uri)
    followers = appview.followers(p.author.id for p in by_uri.values()
                                  if (p.author.id or "").startswith("did:"))
    with db.tx():
        for uri, view in views.items():
            db.run("UPDATE post_engagement SET likes = ?, shares = ?, replies = ?, quotes = ? "
                   "WHERE post_id = ?", (*view_counts(view), by_uri[uri].id))
        for post in by_uri.values():
            if post.author.id in followers:
                db.run("UPDATE post_engagement SET followers = ? WHERE post_id = ?",
                       (followers[post.author.id], post.id))
    return {"posts": len(by_uri), "refreshed": len(views), "missing": len(by_uri) - len(views),
            "authors": len(followers)}


def register(main: click.Group, config_option, store_option) -> None:
    @main.group()
    def engagement() -> None:
        """Engagement of stored posts (issue 8)."""

    @engagement.command(name="refresh")
    @click.option("--since", default=None, help="ISO time; default: --days before now")
    @click.option("--days", default=7, show_default=True, type=click.IntRange(min=1))
    @click.option("--appview", default=PUBLIC_APPVIEW, show_default=True,
                  help="Bluesky AppView base URL")
    @config_option
    @store_option
    def engagement_refresh(since, days, appview, config_path, store_path) -> None:
        """Re-read likes, reposts, replies, quotes and followers of stored Bluesky posts."""
        from webcare.app.cli import _app, _config

        try:
            start = (datetime.fromisoformat(since.replace("Z", "+00:00")) if since
                     else datetime.now(timezone.utc) - timedelta(days=days))
        except ValueError as error:
            raise click.BadParameter(f"{since!r} is not an ISO date", param_hint="--since") \
                from error
        app = _app(_config(config_path, store_path))
        try:
            done = refresh_bluesky(app.db, AppView(appview), iso(start))
        except AppViewError as error:
            raise click.ClickException(f"nothing changed: {error}") from error
        finally:
            app.store.close()
        click.echo(f"bluesky: {done['refreshed']} of {done['posts']} post(s) refreshed, "
                   f"{done['missing']} no longer on the AppView, followers of "
                   f"{done['authors']} author(s)")
