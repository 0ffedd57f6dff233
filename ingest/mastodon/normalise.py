"""Pure Mastodon → Post mapping (statuses and mention notifications).

Accepts plain dicts (streaming ``data:`` JSON) and Mastodon.py's ``AttribAccessDict`` (REST
results, whose dates are already datetimes). Raises KeyError/TypeError/ValueError for
payloads without a status's shape; the caller turns that into a dead letter.
"""

from __future__ import annotations

from typing import Any

from ingest.textutil import html_to_text, parse_time
from schemas import Author, Engagement, Post


def _author(account: dict[str, Any]) -> Author:
    return Author(id=str(account["id"]), handle="@" + str(account["acct"]),
                  display_name=account.get("display_name") or None,
                  followers=max(0, int(account.get("followers_count") or 0)))


def _quoted(status: dict[str, Any]) -> str | None:
    quote = status.get("quote")
    if isinstance(quote, dict):
        quoted = quote.get("quoted_status") or {}
        return quoted.get("uri") if isinstance(quoted, dict) else None
    return None


def status_post(status: dict[str, Any]) -> Post:
    """One status (or boost) as a Post; ``id`` is the global ActivityPub URI."""
    reblog = status.get("reblog")
    text = html_to_text(status.get("content"))
    if not text and reblog:
        text = html_to_text(reblog.get("content"))
    if status.get("spoiler_text"):
        text = f"{status['spoiler_text']}\n{text}".strip()
    uri = str(status.get("uri") or status["id"])
    plain = {key: value for key, value in status.items()}
    return Post(
        id=f"mastodon:{uri}", platform="mastodon", platform_id=uri, text=text,
        created_at=parse_time(status["created_at"]), author=_author(status["account"]),
        lang=status.get("language"), url=status.get("url") or uri,
        reply_to_id=_str(status.get("in_reply_to_id")),
        reposted_id=_str(reblog.get("uri")) if reblog else None, quoted_id=_quoted(status),
        engagement=Engagement(likes=status.get("favourites_count") or 0,
                              shares=status.get("reblogs_count") or 0,
                              replies=status.get("replies_count") or 0,
                              quotes=status.get("quotes_count") or 0),
        raw=plain,
    )


def notification_post(notification: dict[str, Any]) -> Post | None:
    """A mention notification's status as a Post; None for follows, favourites, etc."""
    if notification["type"] != "mention" or not notification.get("status"):
        return None
    return status_post(notification["status"])


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
