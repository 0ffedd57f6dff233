"""Pure Viva Engage (Yammer REST API v1) message → Post mapping and the answer convention.

Called by :mod:`ingest.engage.source` for every message of a response page. A message without the
documented shape (no numeric ``id``/``thread_id``, no ``body``, unreadable ``created_at``)
raises KeyError/TypeError/ValueError; the caller turns it into a dead letter.

**Answer convention** (what a knowledge module pairs on): every Post carries
``conversation_id = engage:<thread_id>``; a reply also ``reply_to_id = engage:<replied_to_id>``
and ``raw["engage"]`` says what it is::

    {"role": "starter" | "official_answer" | "peer_answer" | "asker_reply" | "reply",
     "asker_id": "<sender id of the thread starter>" | None,
     "group_id": "...", "thread_id": "...", "sender_id": "...", "mentions_it": bool}

* ``starter`` — the thread's first message (the question, if it is one);
* ``official_answer`` — a reply by one of the IT account ids (``it_account_ids``);
* ``peer_answer`` — a reply by anyone else than the asker and the IT accounts;
* ``asker_reply`` — the asker following up in their own thread (not an answer);
* ``reply`` — a reply whose thread starter is not visible (deleted, private), so the asker
  is unknown.

The original message stays in ``raw["message"]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ingest.textutil import parse_time
from schemas import Author, Engagement, Post

YAMMER_TIME = "%Y/%m/%d %H:%M:%S %z"


@dataclass
class PageIndex:
    """The ``references`` of response pages, by id: users, threads and message senders."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, dict[str, Any]] = field(default_factory=dict)
    senders: dict[str, str] = field(default_factory=dict)

    def add(self, body: dict[str, Any]) -> None:
        """Index one response body (its messages and references)."""
        for ref in body.get("references") or []:
            if not isinstance(ref, dict) or ref.get("id") is None:
                continue
            kind, key = ref.get("type"), str(ref["id"])
            if kind == "user":
                self.users[key] = ref
            elif kind == "thread":
                self.threads[key] = ref
            elif kind == "message" and ref.get("sender_id") is not None:
                self.senders[key] = str(ref["sender_id"])
        for message in page_messages(body):
            if isinstance(message, dict) and message.get("id") is not None \
                    and message.get("sender_id") is not None:
                self.senders[str(message["id"])] = str(message["sender_id"])


def page_messages(body: dict[str, Any]) -> list[Any]:
    """``messages`` plus the replies of ``threaded_extended`` (thread id → latest replies)."""
    messages = list(body.get("messages") or [])
    extended = body.get("threaded_extended") or {}
    if isinstance(extended, dict):
        for replies in extended.values():
            messages += replies if isinstance(replies, list) else []
    return messages


def message_time(value: Any) -> datetime:
    """``2026/11/20 12:00:00 +0000`` (Yammer's format), or ISO-8601 / epoch seconds."""
    if isinstance(value, str) and "/" in value:
        return datetime.strptime(value.strip(), YAMMER_TIME)
    return parse_time(value)


def mentions(message: dict[str, Any], user_id: str) -> bool:
    """Does the message @mention ``user_id`` (``notified_user_ids`` or ``[[user:ID]]``)?"""
    notified = {str(uid) for uid in message.get("notified_user_ids") or []}
    parsed = str((message.get("body") or {}).get("parsed") or "")
    tag = rf"\[\[user:{re.escape(user_id)}\]\]"
    return user_id in notified or re.search(tag, parsed) is not None


def answer_role(message: dict[str, Any], asker_id: str | None, it_accounts: set[str]) -> str:
    """The message's place in its thread; see the module docstring."""
    sender = str(message["sender_id"])
    if str(message["id"]) == str(message["thread_id"]):
        return "starter"
    if sender in it_accounts:
        return "official_answer"
    if asker_id is None:
        return "reply"
    return "asker_reply" if sender == asker_id else "peer_answer"


def _author(sender_id: str, user: dict[str, Any] | None) -> Author:
    user = user or {}
    email = user.get("email") or next(
        (e.get("address") for e in (user.get("contact") or {}).get("email_addresses") or []
         if isinstance(e, dict) and e.get("address")), None)
    stats = user.get("stats") or {}
    return Author(id=sender_id, handle=str(email or user.get("name") or sender_id)[:320],
                  display_name=user.get("full_name") or None,
                  followers=max(0, int(stats.get("followers") or 0)))


def _engagement(message: dict[str, Any], thread: dict[str, Any] | None) -> Engagement:
    likes = int((message.get("liked_by") or {}).get("count") or 0)
    stats = (thread or {}).get("stats") or {}
    starter = str(message["id"]) == str(message["thread_id"])
    return Engagement(likes=max(0, likes),
                      replies=max(0, int(stats.get("updates") or 1) - 1) if starter else 0,
                      shares=max(0, int(stats.get("shares") or 0)) if starter else 0)


def message_post(message: dict[str, Any], index: PageIndex, *, asker_id: str | None,
                 it_accounts: set[str], mentioned: bool) -> Post | None:
    """One message as a Post; None for system messages (joins, announcements of the system)."""
    if message.get("system_message") or message.get("message_type") == "system":
        return None
    message_id, thread_id = str(int(message["id"])), str(int(message["thread_id"]))
    sender = str(message["sender_id"])
    replied_to = message.get("replied_to_id")
    engage = {"role": answer_role(message, asker_id, it_accounts), "asker_id": asker_id,
              "group_id": _str(message.get("group_id")), "thread_id": thread_id,
              "sender_id": sender, "mentions_it": mentioned}
    return Post(
        id=f"engage:{message_id}", platform="engage", platform_id=message_id,
        text=str(message["body"]["plain"] or ""), created_at=message_time(message["created_at"]),
        author=_author(sender, index.users.get(sender)), lang=message.get("language") or None,
        url=message.get("web_url"), conversation_id=f"engage:{thread_id}",
        reply_to_id=f"engage:{int(replied_to)}" if replied_to is not None else None,
        engagement=_engagement(message, index.threads.get(thread_id)),
        raw={"message": message, "engage": engage},
    )


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
