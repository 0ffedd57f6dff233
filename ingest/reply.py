"""What every platform's outward client shares: the reply target and error, the replier and
channel protocols, and where a published post landed (:class:`Published`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from schemas import Post
from schemas.errors import WebcareError


@dataclass(frozen=True)
class ReplyTarget:
    """The post being answered, as the platform knows it."""

    platform: str
    platform_id: str
    author_handle: str
    conversation_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, post: Post) -> ReplyTarget:
        return cls(platform=post.platform, platform_id=post.platform_id or post.id,
                   author_handle=post.author.handle, conversation_id=post.conversation_id,
                   raw=dict(post.raw or {}))


class ReplyError(WebcareError):
    """The platform refused or failed the reply (nothing was sent, as far as we know).

    ``status`` is the HTTP status when there was one (401/403 credentials, 429 rate limit,
    5xx platform trouble); ``retry_after`` seconds when the platform said so.
    """

    def __init__(self, platform: str, message: str, status: int | None = None,
                 retry_after: float | None = None) -> None:
        self.platform, self.status, self.retry_after = platform, status, retry_after
        super().__init__(message)

    @property
    def kind(self) -> str:
        if self.status in (401, 403):
            return "auth"
        if self.status == 429:
            return "rate_limited"
        if self.status is not None and self.status >= 500:
            return "unavailable"
        return "rejected" if self.status else "error"

    def describe(self) -> str:
        head = {"auth": "credentials rejected", "rate_limited": "rate limited",
                "unavailable": "platform unavailable", "rejected": "reply rejected",
                "error": "reply failed"}[self.kind]
        status = f" (HTTP {self.status})" if self.status else ""
        wait = f"; retry in {int(self.retry_after)} s" if self.retry_after else ""
        return f"{self.platform}: {head}{status}: {str(self)[:300]}{wait}"


class Replier(Protocol):
    platform: str

    def send(self, target: ReplyTarget, text: str, key: str) -> str:
        """Post ``text`` as a reply to ``target``; returns the platform's id of the reply.

        ``key`` is the idempotency key of this reply (passed on where the platform takes
        one). Raises :class:`ReplyError`.
        """


@dataclass(frozen=True)
class Published:
    """Where a status post landed."""

    post_id: str
    url: str


class Channel(Protocol):
    name: str
    can_reply: bool

    def publish(self, text: str, key: str, context: dict | None = None) -> Published:
        """Post ``text``; ``key`` is the outbound id (an idempotency key where one is taken),
        ``context`` the incident event (key, kind, status, lang, link) for channels that want it."""

    def reply(self, post: Post, text: str, key: str) -> str:
        """Answer ``post``; returns the platform's id of the reply."""
