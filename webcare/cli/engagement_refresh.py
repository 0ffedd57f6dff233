"""Re-reading the engagement of stored posts, for ``webcare engagement refresh`` (issue 8).

Streamed posts are stored with the counts of the moment they were created (zero, mostly); this
reads the current likes, reposts, replies and quotes and the authors' followers again —
Bluesky from the AppView (:mod:`ingest.bluesky.counts`, no credentials), X with tweepy
(:mod:`ingest.x.counts`, the bearer token of the X source), Facebook from the Graph API
(:mod:`ingest.facebook.counts`, a page access token; no followers) — and updates
``post_engagement``, so the dashboard's reach and engagement show what the posts reached since.
Everything is fetched before anything is written: a platform failure (:class:`RefreshFailed`)
changes nothing. Posts the platform no longer returns (deleted) keep their last counts.

Imported by the command (:mod:`webcare.cli.engagement`) only when it runs, since it loads the
platform clients; tests call :func:`refresh` with one of the fetches directly.
"""

from __future__ import annotations

from collections.abc import Callable

import tweepy

from ingest.bluesky.counts import AppView, AppViewError, view_counts
from ingest.facebook.counts import Graph, GraphError
from ingest.x.counts import current_posts
from schemas import Decision, Post
from schemas.errors import WebcareError
from sinks.store import engagement as stored
from sinks.store.app_db import AppDb

# followers (None: not returned, keep), likes, shares, replies, quotes
Counts = tuple[int | None, int, int, int, int]
Fetch = Callable[[list[Post]], dict[str, Counts]]


class RefreshFailed(WebcareError, RuntimeError):
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
    posts = [Decision.model_validate_json(text).post
             for text in stored.refresh_candidates(db, platform, since)]
    found = fetch(posts) if posts else {}
    stored.update_counts(db, found.items())
    return {"posts": len(posts), "refreshed": len(found), "missing": len(posts) - len(found)}
