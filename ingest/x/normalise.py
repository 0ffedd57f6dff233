"""Pure X (Twitter) API v2 → Post mapping.

Input is the raw v2 JSON (``return_type=dict``): a tweet object plus the ``includes.users``
expansion, indexed by id. When ``created_at`` was not requested the time is read from the
snowflake id, so recorded responses without tweet fields still normalise. Raises
KeyError/TypeError/ValueError for objects without a tweet's shape (→ dead letter).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ingest.textutil import parse_time
from schemas import Author, Engagement, Post

TWEET_FIELDS = ["created_at", "author_id", "conversation_id", "lang", "public_metrics",
                "referenced_tweets", "in_reply_to_user_id"]
USER_FIELDS = ["username", "name", "public_metrics", "verified"]
EXPANSIONS = ["author_id"]
TWITTER_EPOCH_MS = 1288834974657


def snowflake_time(tweet_id: str) -> datetime:
    """The creation time encoded in a tweet id."""
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + TWITTER_EPOCH_MS) / 1000,
                                  UTC)


def users_by_id(includes: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The ``includes.users`` expansion as a lookup table."""
    return {str(u["id"]): u for u in (includes or {}).get("users", []) if "id" in u}


def tweet_post(tweet: dict[str, Any], users: dict[str, dict[str, Any]] | None = None) -> Post:
    """One v2 tweet as a Post (author metrics from the expansion when present)."""
    tweet_id = str(tweet["id"])
    author_id = tweet.get("author_id")
    user = (users or {}).get(str(author_id), {})
    username = user.get("username")
    followers = (user.get("public_metrics") or {}).get("followers_count", 0)
    metrics = tweet.get("public_metrics") or {}
    refs = {ref["type"]: str(ref["id"]) for ref in tweet.get("referenced_tweets") or []}
    created = tweet.get("created_at")
    return Post(
        id=f"x:{tweet_id}", platform="x", platform_id=tweet_id, text=str(tweet["text"]),
        created_at=parse_time(created) if created else snowflake_time(tweet_id),
        author=Author(id=_str(author_id), handle=f"@{username}" if username else
                      (str(author_id) if author_id else "unknown"),
                      display_name=user.get("name"), followers=max(0, int(followers or 0)),
                      verified=bool(user.get("verified"))),
        lang=tweet.get("lang"), url=f"https://x.com/{username or 'i/web'}/status/{tweet_id}",
        reply_to_id=refs.get("replied_to"), conversation_id=_str(tweet.get("conversation_id")),
        quoted_id=refs.get("quoted"), reposted_id=refs.get("retweeted"),
        engagement=Engagement(likes=metrics.get("like_count", 0),
                              shares=metrics.get("retweet_count", 0),
                              replies=metrics.get("reply_count", 0),
                              quotes=metrics.get("quote_count", 0)),
        raw={"data": tweet, "author": user or None},
    )


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
