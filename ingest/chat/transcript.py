"""Chat transcripts → one Post per conversation (pure; called by :mod:`ingest.chat.source`).

:func:`parse_transcripts` takes one decoded JSON value and returns its Posts, or raises
:class:`TranscriptError` naming the field (``messages[2].time``) and the reason — for any
input whatsoever; nothing else escapes (a hypothesis test holds it to that).

Accepted shapes:

1. **webcare transcript** (the documented schema)::

       {"conversation_id": "c-20261120-0042", "channel": "service-desk-chat",
        "started_at": "2026-11-20T12:00:00Z", "lang": "en", "url": "https://...",
        "participants": [{"id": "u1", "role": "customer", "name": "Ann", "email": "ann@x"},
                         {"id": "a7", "role": "agent", "name": "Bob"}, {"id": "b", "role": "bot"}],
        "messages": [{"author": "u1", "role": "customer", "time": "2026-11-20T12:00:05Z",
                      "text": "My VPN drops"}, ...]}

   ``role`` is ``customer``, ``agent`` or ``bot``; a message's role may be left out when its
   author is a participant. Times are ISO-8601 or epoch seconds (naive = UTC).
2. **LiveChat (text.com) Agent Chat API** chat objects — as ``get_chat`` returns them (and as
   ``incoming_chat`` webhooks carry them in ``payload.chat``): ``{"id", "users": [{"id",
   "type", "name", "email"}], "thread": {"id", "events": [{"type": "message", "author_id",
   "created_at", "text"}]}}``; ``threads: [...]`` instead of ``thread``; or a
   ``list_archives`` response ``{"chats": [...]}``.
   One Post per thread (a LiveChat thread is one conversation): conversation id
   ``<chat id>:<thread id>``. Users of type ``customer`` are customers, ``bot`` bots, every other
   type an agent; events other than ``message`` (system messages, files, forms) are skipped.

The Post: ``id = chat:<conversation id>``, ``platform = chat``, ``text`` = the customer's
messages in time order joined by newlines (cut at the Post limit), ``author`` = the customer of
the first customer message, ``created_at`` = that message's time, ``engagement.replies`` = agent
and bot turns; ``raw`` holds the format and the whole normalised transcript, agent turns too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from schemas import Author, Engagement, Post
from schemas.errors import WebcareError
from schemas.post import MAX_TEXT_CHARS

Role = Literal["customer", "agent", "bot"]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


Time = Annotated[datetime, AfterValidator(_utc)]
Id = Annotated[str, Field(min_length=1, max_length=200)]


class TranscriptError(WebcareError, ValueError):
    """A transcript that cannot become a Post: ``field`` (a path) and ``reason``."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class _Person(_Model):
    id: Id
    name: str | None = Field(default=None, max_length=320)
    email: str | None = Field(default=None, max_length=320)


class Participant(_Person):
    role: Role


class Message(_Model):
    author: Id
    role: Role | None = None
    time: Time
    text: str = Field(max_length=MAX_TEXT_CHARS)


class Transcript(_Model):
    conversation_id: Id
    channel: str = Field(default="chat", max_length=100)
    started_at: Time | None = None
    lang: str | None = Field(default=None, max_length=35)
    url: str | None = Field(default=None, max_length=2000)
    participants: list[Participant] = Field(default_factory=list, max_length=200)
    messages: list[Message] = Field(min_length=1, max_length=5000)


class LiveChatUser(_Person):
    type: str


class LiveChatEvent(_Model):
    type: str
    created_at: Time
    author_id: Id | None = None
    text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)


class LiveChatThread(_Model):
    id: Annotated[str, Field(min_length=1, max_length=99)]
    created_at: Time | None = None
    events: list[LiveChatEvent] = Field(default_factory=list, max_length=5000)


class LiveChatChat(_Model):
    id: Annotated[str, Field(min_length=1, max_length=99)]
    users: list[LiveChatUser] = Field(min_length=1, max_length=200)
    thread: LiveChatThread | None = None
    threads: list[LiveChatThread] | None = None


def parse_transcripts(data: Any) -> list[Post]:
    """The Posts of one JSON value (see the module docstring); raises TranscriptError."""
    if not isinstance(data, dict):
        raise TranscriptError("body", f"expected a JSON object, got {type(data).__name__}")
    if "messages" in data:
        return [transcript_post(_validated(Transcript, data, ""), "webcare")]
    if isinstance(data.get("chats"), list):
        if not data["chats"]:
            raise TranscriptError("chats", "an empty list")
        return [post for n, chat in enumerate(data["chats"]) for post in _livechat(chat,
                                                                                f"chats[{n}]")]
    if "thread" in data or "threads" in data:
        return _livechat(data, "")
    raise TranscriptError("messages", "missing: expected a transcript (conversation_id, "
                          "participants, messages) or a LiveChat chat (id, users, thread)")


def _validated(model: type[_Model], data: Any, prefix: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        raise TranscriptError(_path(prefix, first["loc"]), first["msg"]) from None


def _path(prefix: str, loc: tuple) -> str:
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "body"


def _livechat(data: Any, prefix: str) -> list[Post]:
    chat = _validated(LiveChatChat, data, prefix)
    threads = chat.threads if chat.threads is not None else [chat.thread] if chat.thread else []
    if not threads:
        raise TranscriptError(_path(prefix, ("thread",)), "missing: a chat needs a thread")
    roles = {"customer": "customer", "bot": "bot"}
    participants = [Participant(id=u.id, role=roles.get(u.type, "agent"), name=u.name,
                                email=u.email) for u in chat.users]
    posts = []
    for n, thread in enumerate(threads):
        where = _path(prefix, ("threads", n) if chat.threads is not None else ("thread",))
        messages = []
        for i, event in enumerate(thread.events):
            if event.type != "message":
                continue
            if event.author_id is None or event.text is None:
                raise TranscriptError(f"{where}.events[{i}]", "a message needs author_id and text")
            messages.append(Message(author=event.author_id, time=event.created_at,
                                    text=event.text))
        if not messages:
            raise TranscriptError(f"{where}.events", "no message events")
        transcript = _validated(Transcript, {
            "conversation_id": f"{chat.id}:{thread.id}", "channel": "livechat",
            "started_at": thread.created_at, "participants": participants,
            "messages": messages}, where)
        posts.append(transcript_post(transcript, "livechat", where))
    return posts


def transcript_post(transcript: Transcript, fmt: str, where: str = "") -> Post:
    """One validated transcript as a Post; TranscriptError if it has no customer text."""
    people = {p.id: p for p in transcript.participants}
    turns = []
    for n, message in enumerate(transcript.messages):
        role = message.role or (people[message.author].role if message.author in people else None)
        if role is None:
            raise TranscriptError(_path(where, ("messages", n, "role")),
                                  "missing, and the author is not a participant")
        turns.append({"author": message.author, "role": role, "time": message.time,
                      "text": message.text})
    turns.sort(key=lambda turn: turn["time"])  # stable: same-time turns keep their order
    # the Post strips NUL characters, so a message of only NULs (and blanks) is empty
    said = [(turn, clean) for turn in turns if turn["role"] == "customer"
            and (clean := turn["text"].replace("\x00", "").strip())]
    if not said:
        raise TranscriptError(_path(where, ("messages",)), "no customer message with text")
    first = said[0][0]
    customer = people.get(first["author"]) or Participant(id=first["author"], role="customer")
    text = "\n".join(clean for _, clean in said)
    raw = {"format": fmt, "transcript": {
        **transcript.model_dump(mode="json", exclude={"messages"}),
        "messages": [{**turn, "time": turn["time"].isoformat()} for turn in turns]}}
    try:
        return Post(
            id=f"chat:{transcript.conversation_id}", platform="chat",
            platform_id=transcript.conversation_id, text=text[:MAX_TEXT_CHARS],
            created_at=first["time"], lang=transcript.lang, url=transcript.url,
            conversation_id=f"chat:{transcript.conversation_id}",
            author=Author(id=customer.id, handle=customer.email or customer.name or customer.id,
                          display_name=customer.name),
            engagement=Engagement(replies=sum(turn["role"] != "customer" for turn in turns)),
            raw=raw)
    except ValidationError as error:
        raise TranscriptError(where or "transcript", error.errors()[0]["msg"]) from None
