"""Bluesky via Jetstream: the JSON websocket firehose, filtered to ``app.bsky.feed.post``.

``records()`` connects to ``{endpoint}/subscribe?wantedCollections=app.bsky.feed.post``
(plus ``wantedDids`` and ``cursor``). Every frame's ``time_us`` becomes the cursor; after a
flush it is committed, and a restart or reconnect resumes with ``cursor=<time_us>`` — Jetstream
replays from there, and the dedup window drops the overlap, so there are no gaps and no
duplicates. Frames that are not JSON or not a Jetstream event become dead letters.
No credentials: Jetstream is public.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from websockets.sync.client import connect

from ingest.base import Item, LiveSource
from ingest.bluesky.config import BlueskyConfig
from schemas import Author, Post

POST = "app.bsky.feed.post"


def _time(value: str | None, time_us: int) -> datetime:
    if value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return datetime.fromtimestamp(time_us / 1e6, UTC)


def _quoted(embed: dict[str, Any] | None) -> str | None:
    if not embed:
        return None
    record = embed.get("record")
    if isinstance(record, dict) and isinstance(record.get("record"), dict):
        record = record["record"]  # app.bsky.embed.recordWithMedia
    return record.get("uri") if isinstance(record, dict) else None


def jetstream_post(frame: dict[str, Any], handles: dict[str, str] | None = None) -> Post | None:
    """Normalise one Jetstream frame; None for events that are not a new post.

    Raises KeyError/TypeError/ValueError for frames that do not have Jetstream's shape.
    """
    if frame["kind"] != "commit":
        return None
    commit = frame["commit"]
    if commit["operation"] != "create" or commit["collection"] != POST:
        return None
    did, rkey, record = frame["did"], commit["rkey"], commit["record"]
    uri = f"at://{did}/{POST}/{rkey}"
    reply = record.get("reply") or {}
    langs = record.get("langs") or [None]
    return Post(
        id=f"bluesky:{uri}", platform="bluesky", platform_id=uri, text=str(record["text"]),
        created_at=_time(record.get("createdAt"), int(frame["time_us"])),
        author=Author(id=did, handle=(handles or {}).get(did) or did), lang=langs[0],
        url=f"https://bsky.app/profile/{did}/post/{rkey}",
        reply_to_id=(reply.get("parent") or {}).get("uri"),
        conversation_id=(reply.get("root") or {}).get("uri"),
        quoted_id=_quoted(record.get("embed")), raw=frame,
    )


class BlueskySource(LiveSource):
    """Jetstream consumer; one ``cycle`` is one websocket connection."""

    platform = "bluesky"

    def __init__(self, config: BlueskyConfig, state=None) -> None:
        super().__init__(config, state)
        self.handles: dict[str, str] = {}

    def target(self) -> str:
        return self.config.endpoint.split("//", 1)[-1]

    def url(self) -> str:
        """The subscribe URL, resuming from the cursor when there is one."""
        params: list[tuple[str, str]] = [("wantedCollections", POST)]
        params += [("wantedDids", did) for did in self.config.dids]
        if "time_us" in self.cursor:
            params.append(("cursor", str(self.cursor["time_us"])))
        return f"{self.config.endpoint.rstrip('/')}/subscribe?{urlencode(params)}"

    def cycle(self) -> Iterator[Item]:
        with connect(self.url(), open_timeout=self.config.open_timeout,
                     max_size=2**22) as socket:
            self.health.set("ok", "connected")
            for message in socket:
                yield from self._frame(message)

    def _frame(self, message: str | bytes) -> Iterator[Item]:
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        try:
            frame = json.loads(text)
            cursor = {"time_us": int(frame["time_us"])}
            if frame.get("kind") == "identity" and frame["identity"].get("handle"):
                self.handles[frame["did"]] = "@" + frame["identity"]["handle"]
            post = jetstream_post(frame, self.handles)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            yield Item(raw=text, error=f"bad Jetstream frame: {type(error).__name__}: {error}")
            return
        if post is not None and self.wanted(post.text):
            yield Item(post=post, cursor=cursor)
        else:
            self.cursor.update(cursor)

    def probe(self) -> str:
        with connect(self.url(), open_timeout=self.config.open_timeout):
            return f"connected to {self.target()}"
