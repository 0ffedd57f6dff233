"""Pure Reddit → Post mapping: submissions (``t3``), comments and inbox messages (``t1``).

Input is the ``data`` dict of a Listing child, exactly as Reddit sends it (the recordings
in ``../shared/recordings/reddit_praw`` have this shape); :func:`thing_dict` turns a praw
object back into that dict. Called by ``ingest.reddit.source`` for every streamed item. Raises
KeyError/TypeError/ValueError for a thing without a comment's or submission's shape (no
``created_utc``, no ``name``...); the caller turns that into a dead letter.

Ids are fullnames (``t1_abc``/``t3_xyz``): ``conversation_id`` is the submission's fullname,
``reply_to_id`` the parent's, so a thread can be rebuilt across streams.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ingest.textutil import parse_time
from schemas import Author, Engagement, Post

WEB = "https://www.reddit.com"
_DROP = {"body_html", "selftext_html", "media", "secure_media", "media_embed", "preview",
         "secure_media_embed", "all_awardings", "awarders", "user_reports", "mod_reports",
         "media_metadata", "gallery_data", "_reddit", "_fetched", "replies"}
_CONTEXT = re.compile(r"/comments/([0-9a-z]+)/", re.IGNORECASE)


def thing_dict(thing: Any) -> dict[str, Any]:
    """A praw Comment/Submission/Message as Reddit's JSON dict (Redditor, Subreddit → names)."""
    data = {key: value for key, value in vars(thing).items()
            if not key.startswith("_") and key not in _DROP}
    return json.loads(json.dumps(data, default=str))  # Redditor/Subreddit → their names


def thing_post(data: dict[str, Any], author_details: dict[str, Any] | None = None) -> Post:
    """One submission or comment (also an inbox mention/reply) as a Post."""
    fullname = str(data.get("name") or _fullname(data))
    is_submission = fullname.startswith("t3_")
    if is_submission:
        text = "\n\n".join(part for part in (data["title"], data.get("selftext")) if part)
    else:
        text = str(data["body"])
    details = author_details or {}
    return Post(
        id=f"reddit:{fullname}", platform="reddit", platform_id=fullname, text=text,
        created_at=parse_time(float(data["created_utc"])),
        author=_author(data, details), url=_url(data, fullname),
        reply_to_id=None if is_submission else _str(data.get("parent_id")),
        conversation_id=fullname if is_submission else _conversation(data),
        engagement=_engagement(data, is_submission),
        raw=_compact(data, details),
    )


def _engagement(data: dict[str, Any], is_submission: bool) -> Engagement:
    """Score as likes; a submission's comments as replies and its crossposts as shares."""
    count = lambda key: max(0, int(data.get(key) or 0)) if is_submission else 0  # noqa: E731
    return Engagement(likes=max(0, int(data.get("score") or 0)), replies=count("num_comments"),
                      shares=count("num_crossposts"))


def _fullname(data: dict[str, Any]) -> str:
    prefix = "t3" if "title" in data and "body" not in data else "t1"
    return f"{prefix}_{data['id']}"


def _author(data: dict[str, Any], details: dict[str, Any]) -> Author:
    name = str(data.get("author") or "[deleted]")
    return Author(id=_str(data.get("author_fullname")), handle=f"u/{name}",
                  display_name=None, followers=max(0, int(details.get("followers") or 0)),
                  verified=bool(details.get("verified")))


def _url(data: dict[str, Any], fullname: str) -> str:
    """Permalink; inbox items only carry ``context`` (``...?context=3``)."""
    link = data.get("permalink") or str(data.get("context") or "").split("?", 1)[0]
    if not link and data.get("link_id") and data.get("subreddit"):
        link = f"/r/{data['subreddit']}/comments/{str(data['link_id'])[3:]}/_/{fullname[3:]}/"
    if not link:
        return f"{WEB}/comments/{fullname[3:]}/" if fullname.startswith("t3_") else WEB
    return link if link.startswith("http") else WEB + link


def _conversation(data: dict[str, Any]) -> str | None:
    if data.get("link_id"):
        return str(data["link_id"])
    found = _CONTEXT.search(str(data.get("context") or ""))
    if found:
        return f"t3_{found.group(1)}"
    parent = str(data.get("parent_id") or "")
    return parent if parent.startswith("t3_") else None


def _compact(data: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    raw = {key: value for key, value in data.items() if key not in _DROP}
    if details:
        raw["author_details"] = details
    return raw


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
