"""Engagement of Bluesky posts from the AppView: counts Jetstream cannot carry.

Jetstream hands on a post the moment its record is created, so its likes, reposts, replies and
quotes are zero at ingest. ``webcare engagement refresh`` (:mod:`webcare.cli.engagement`) reads them
later from the public AppView over plain XRPC (no credentials):
``GET /xrpc/app.bsky.feed.getPosts?uris=at://…`` (at most 25 URIs per call; posts that are
deleted or hidden are simply absent) for ``likeCount``, ``repostCount``, ``replyCount`` and
``quoteCount``, and ``GET /xrpc/app.bsky.actor.getProfiles?actors=did:…`` (at most 25) for the
authors' ``followersCount``. A refused or failed call raises :class:`AppViewError` naming the
method, the HTTP status and the XRPC error (429: when the rate limit resets).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import requests

from schemas.errors import WebcareError

PUBLIC_APPVIEW = "https://public.api.bsky.app"
MAX_PER_CALL = 25


class AppViewError(WebcareError, RuntimeError):
    """An XRPC call failed (status, error and, for 429, the rate-limit reset in the message)."""


def view_counts(view: dict[str, Any]) -> tuple[int, int, int, int]:
    """(likes, shares, replies, quotes) of an ``app.bsky.feed.defs#postView``."""
    return tuple(max(0, int(view.get(key) or 0))  # type: ignore[return-value]
                 for key in ("likeCount", "repostCount", "replyCount", "quoteCount"))


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for value in dict.fromkeys(values):
        batch.append(value)
        if len(batch) == MAX_PER_CALL:
            yield batch
            batch = []
    if batch:
        yield batch


class AppView:
    """A small XRPC client for the two read methods above."""

    def __init__(self, base: str = PUBLIC_APPVIEW, timeout: float = 10.0,
                 user_agent: str = "webcare/0.1 (engagement refresh)") -> None:
        self.base = base.rstrip("/") + "/xrpc/"
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["User-Agent"] = user_agent

    def _get(self, nsid: str, param: str, values: list[str]) -> dict[str, Any]:
        try:
            response = self.http.get(self.base + nsid, params=[(param, v) for v in values],
                                     timeout=self.timeout)
        except requests.RequestException as error:
            raise AppViewError(f"{nsid}: {type(error).__name__}: {error}") from error
        if response.status_code != 200:
            try:
                body = response.json()
            except ValueError:
                body = {"message": response.text[:200]}
            reset = response.headers.get("ratelimit-reset")
            raise AppViewError(
                f"{nsid}: HTTP {response.status_code} {body.get('error') or ''} "
                f"{body.get('message') or ''}".strip()
                + (f" (rate limit resets at {reset})" if reset else ""))
        return response.json()

    def posts(self, uris: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The post views by URI (missing URIs: deleted, taken down or not indexed)."""
        found: dict[str, dict[str, Any]] = {}
        for batch in _chunks(uris):
            for view in self._get("app.bsky.feed.getPosts", "uris", batch).get("posts") or []:
                if isinstance(view, dict) and view.get("uri"):
                    found[view["uri"]] = view
        return found

    def followers(self, dids: Iterable[str]) -> dict[str, int]:
        """``followersCount`` by DID (missing: deactivated or unknown accounts)."""
        found: dict[str, int] = {}
        for batch in _chunks(dids):
            body = self._get("app.bsky.actor.getProfiles", "actors", batch)
            for profile in body.get("profiles") or []:
                if isinstance(profile, dict) and profile.get("did"):
                    found[profile["did"]] = max(0, int(profile.get("followersCount") or 0))
        return found
