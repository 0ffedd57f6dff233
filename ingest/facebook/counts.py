"""Reactions, comments and shares of stored Facebook page posts from the Graph API.

Page webhooks deliver a post or comment without counts (reactions arrive as separate events
the source skips), so ``webcare engagement refresh --platform facebook`` reads them later:
``GET /{version}/?ids=<id>,<id>&fields=reactions.summary(total_count).limit(0),
comments.summary(total_count).limit(0),shares`` (at most 50 ids per call), authenticated with
the page access token as ``Authorization: Bearer``. Graph refuses the whole multi-id call with
error code 100 when one id no longer exists (a deleted post), so such a batch is read again id
by id and the missing ones are left out. Any other error raises :class:`GraphError` with the
HTTP status, Graph's code and message (codes 4, 17, 32, 613: rate limited).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import requests

from schemas.errors import WebcareError

GRAPH = "https://graph.facebook.com"
VERSION = "v21.0"
MAX_IDS = 50
FIELDS = ("reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),"
          "shares")
MISSING_OBJECT = 100
RATE_LIMIT_CODES = {4, 17, 32, 613}


class GraphError(WebcareError, RuntimeError):
    """A Graph call failed; ``code`` is Graph's error code (None without a Graph body)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


def node_counts(node: dict[str, Any]) -> tuple[int, int, int, int]:
    """(likes = all reactions, shares, replies = comments, quotes = 0) of one Graph node."""
    total = lambda edge: int(((node.get(edge) or {}).get("summary") or {})  # noqa: E731
                             .get("total_count") or 0)
    return (max(0, total("reactions")), max(0, int((node.get("shares") or {}).get("count") or 0)),
            max(0, total("comments")), 0)


class Graph:
    """Multi-id reads of engagement fields with a page access token."""

    def __init__(self, token: str, base: str = GRAPH, version: str = VERSION,
                 timeout: float = 10.0) -> None:
        self.url = f"{base.rstrip('/')}/{version}/"
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def _get(self, ids: list[str]) -> dict[str, Any]:
        try:
            response = self.http.get(self.url, params={"ids": ",".join(ids), "fields": FIELDS},
                                     timeout=self.timeout)
        except requests.RequestException as error:
            raise GraphError(f"Graph: {type(error).__name__}: {error}") from error
        if response.status_code == 200:
            return response.json()
        try:
            error = response.json().get("error") or {}
        except ValueError:
            error = {"message": response.text[:200]}
        code = error.get("code")
        limited = " (rate limited)" if code in RATE_LIMIT_CODES else ""
        raise GraphError(f"Graph: HTTP {response.status_code} code {code} {error.get('type', '')}"
                         f" {error.get('message', '')}".rstrip() + limited, code)

    def counts(self, ids: Iterable[str]) -> dict[str, tuple[int, int, int, int]]:
        """Counts by object id; deleted or inaccessible objects are absent."""
        unique = list(dict.fromkeys(ids))
        found: dict[str, tuple[int, int, int, int]] = {}
        for start in range(0, len(unique), MAX_IDS):
            batch = unique[start:start + MAX_IDS]
            try:
                nodes = self._get(batch)
            except GraphError as error:
                if error.code != MISSING_OBJECT or len(batch) == 1:
                    raise
                nodes = self._one_by_one(batch)
            found.update({key: node_counts(node) for key, node in nodes.items()
                          if isinstance(node, dict)})
        return found

    def _one_by_one(self, ids: list[str]) -> dict[str, Any]:
        nodes: dict[str, Any] = {}
        for object_id in ids:
            try:
                nodes.update(self._get([object_id]))
            except GraphError as error:
                if error.code != MISSING_OBJECT:
                    raise
        return nodes
