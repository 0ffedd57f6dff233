"""Pure RSS/Atom entry → Post mapping (forum threads, status-page incidents, blogs).

Input is one ``feedparser`` entry (a dict-like ``FeedParserDict``) plus the feed's own
metadata; called by ``ingest.feeds.source`` for every entry of a fetched feed. An entry with neither
``id``, ``link`` nor ``title`` cannot be tracked and raises ValueError (→ dead letter).

``Post.id`` is a stable hash of feed URL and entry id — plus the entry's ``updated`` time
when ``track_updates`` is on, so every update of a status-page incident becomes its own
post while ``conversation_id`` (the entry id) groups them.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ingest.textutil import html_to_text
from schemas import Author, Post

MAX_RAW_SUMMARY = 2_000


def entry_key(entry: dict[str, Any]) -> str:
    """The entry's identity inside its feed: ``id``, else ``link``, else ``title``."""
    key = entry.get("id") or entry.get("link") or entry.get("title")
    if not key:
        raise ValueError("feed entry has no id, link or title")
    return str(key)


def entry_time(entry: dict[str, Any]) -> datetime | None:
    """Published (else updated) time as aware UTC; None when the entry carries neither."""
    moment = _get(entry, "published_parsed") or _get(entry, "updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(moment), UTC) if moment else None


def entry_post(feed_url: str, feed: dict[str, Any], entry: dict[str, Any], *,
               track_updates: bool = False, now: datetime | None = None) -> Post:
    """One entry as a Post; ``now`` stands in for a missing date (the time we first saw it)."""
    key = entry_key(entry)
    version = ""
    if track_updates:
        version = str(_get(entry, "updated") or _get(entry, "published") or "")
    digest = hashlib.sha256(f"{feed_url}\n{key}\n{version}".encode()).hexdigest()[:24]
    return Post(
        id=f"feed:{digest}", platform="feed", platform_id=key, text=_text(entry),
        created_at=_updated(entry) if track_updates and version else (
            entry_time(entry) or now or datetime.now(UTC)),
        author=Author(handle=_author(feed_url, feed, entry)),
        lang=entry.get("language") or feed.get("language"), url=entry.get("link") or None,
        conversation_id=key,
        raw={"feed": feed_url, "feed_title": feed.get("title"), "id": key,
             "title": entry.get("title"), "link": entry.get("link"),
             "updated": _get(entry, "updated"), "published": _get(entry, "published"),
             "tags": [tag.get("term") for tag in entry.get("tags") or []],
             "summary": (entry.get("summary") or "")[:MAX_RAW_SUMMARY]},
    )


def _text(entry: dict[str, Any]) -> str:
    title = html_to_text(entry.get("title"))
    contents = entry.get("content") or []
    body = html_to_text(contents[0].get("value") if contents else entry.get("summary"))
    if not body or body == title:
        return title
    return f"{title}\n\n{body}" if title else body


def _updated(entry: dict[str, Any]) -> datetime:
    moment = _get(entry, "updated_parsed") or _get(entry, "published_parsed")
    return datetime.fromtimestamp(calendar.timegm(moment), UTC) if moment else datetime.now(UTC)


def _get(entry: dict[str, Any], key: str) -> Any:
    """A stored key only (feedparser maps a missing ``updated`` to ``published``, warning)."""
    return dict.get(entry, key)


def _author(feed_url: str, feed: dict[str, Any], entry: dict[str, Any]) -> str:
    name = entry.get("author") or feed.get("author") or feed.get("title")
    return str(name).strip()[:320] if name and str(name).strip() else (
        urlsplit(feed_url).hostname or "feed")
