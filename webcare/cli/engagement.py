"""``webcare engagement refresh``: re-read the engagement of stored posts (issue 8).

Streamed posts are stored with the counts of the moment they were created (zero, mostly); this
reads the current likes, reposts, replies and quotes and the authors' followers again —
Bluesky from the AppView (:mod:`ingest.bluesky.counts`, no credentials), X with tweepy
(:mod:`ingest.x.counts`, the bearer token of the X source), Facebook from the Graph API
(:mod:`ingest.facebook.counts`, a page access token; no followers) — and updates
``post_engagement``,
so the dashboard's reach and engagement show what the posts reached since. Everything is
fetched before anything is written: a platform failure (:class:`RefreshFailed`) changes
nothing. Posts the platform no longer returns (deleted) keep their last counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import click
import tweepy

from ingest.bluesky.counts import PUBLIC_APPVIEW, AppView, AppViewError, view_counts
from ingest.facebook.counts import GRAPH, Graph, GraphError
from ingest.x.counts import client as x_client
from ingest.x.counts import current_posts
from ingest.x.source import API as X_API
from schemas import Decision, Post
from schemas.plumbing.credentials import MissingCredential, secret
from sinks.store.app_db import AppDb, iso

# followers (None: not returned, keep), likes, shares, replies, quotes
Counts = tuple[int | None, int, int, int, int]
Fetch = Callable[[list[Post]], dict[str, Counts]]


class RefreshFailed(RuntimeError):
    """A platform refused or failed a call (the message says which and why)."""


def bluesky_fetch(appview: AppView) -> Fetch:
    def fetch(posts: list[Post]) -> dict[str, Counts]:
        by_uri = {p.platform_id: p for p in posts if (p.platform_id or "").startswith("at://")}
        try:
            views = appview.posts(by_uri)
            followers = appview.followers(p.author.id for p in by_uri.values()
                                          if (p.author.id or "").startswith("did:"))
        except AppViewError as error:
            raise RefreshFailed(f"bluesky: {error}") from error
        return {by_uri[u].id: (followers.get(by_uri[u].author.id), *view_counts(v))
                for u, v in views.items()}
    return fetch


def x_fetch(client: tweepy.Client) -> Fetch:
    def fetch(posts: list[Post]) -> dict[str, Counts]:
        by_id = {p.platform_id: p for p in posts if (p.platform_id or "").isdigit()}
        try:
            current = current_posts(client, by_id)
        except tweepy.TweepyException as error:
            raise RefreshFailed(f"x: {type(error).__name__}: {error}") from error
        out: dict[str, Counts] = {}
        for tweet_id, now in current.items():
            e, known = now.engagement, bool((now.raw or {}).get("author"))
            out[by_id[tweet_id].id] = (now.author.followers if known else None, e.likes,
                                       e.shares, e.replies, e.quotes)
        return out
    return fetch


def facebook_fetch(graph: Graph) -> Fetch:
    def fetch(posts: list[Post]) -> dict[str, Counts]:
        by_id = {p.platform_id: p for p in posts if p.platform_id}
        try:
            found = graph.counts(by_id)
        except GraphError as error:
            raise RefreshFailed(f"facebook: {error}") from error
        return {by_id[key].id: (None, *counts) for key, counts in found.items()}
    return fetch


def refresh(db: AppDb, platform: str, fetch: Fetch, since: str = "") -> dict[str, int]:
    """Refresh ``platform`` posts created at or after ISO ``since``; returns the counts."""
    rows = db.rows("SELECT p.decision_json FROM posts p JOIN post_engagement e ON e.post_id = "
                   "p.post_id WHERE p.platform = ? AND p.created_at >= ? "
                   "ORDER BY p.created_at, p.post_id", (platform, since))
    posts = [Decision.model_validate_json(row["decision_json"]).post for row in rows]
    found = fetch(posts) if posts else {}
    with db.tx():
        for post_id, (followers, *counts) in found.items():
            db.run("UPDATE post_engagement SET followers = COALESCE(?, followers), likes = ?, "
                   "shares = ?, replies = ?, quotes = ? WHERE post_id = ?",
                   (followers, *counts, post_id))
    return {"posts": len(posts), "refreshed": len(found), "missing": len(posts) - len(found)}


def register(main: click.Group, config_option, store_option) -> None:
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
    @config_option
    @store_option
    def engagement_refresh(platforms, since, days, appview, x_bearer_env, x_api_url,
                           facebook_token_env, graph_url, config_path, store_path) -> None:
        """Re-read likes, reposts, replies, quotes and followers of stored posts."""
        from webcare.cli.app import _app, _config

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
        app = _app(_config(config_path, store_path))
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
