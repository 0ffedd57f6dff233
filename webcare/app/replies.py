"""Send a reply once: the platform replier, the idempotency record and the audit trail.

Every reply carries an idempotency key (the item form's hidden ``idempotency_key``, the API's
``Idempotency-Key`` header, else a digest of post, agent and text). Its row in ``reply_sends``
is claimed with one ``INSERT ... ON CONFLICT DO NOTHING`` before anything is sent, so a double
click, a resubmitted form or two racing requests send at most once:

* ``sent`` — the earlier result is returned, nothing is sent again;
* ``sending`` — another request is sending it right now → :class:`Conflict` (409);
* ``failed`` — the platform refused the earlier attempt; a retry may claim it again.

A sent reply is stored with the platform's reply id (``replies.platform_ref``, the audit
entry) and the item becomes ``replied``; a refused one (401/403/429/5xx, network) is audited
as ``reply.failed`` with the status and the reason, shown to the agent (:class:`ReplyFailed`),
and the item keeps its status. Without ``app.reply.dry_run: false`` or without credentials for
the post's platform the reply is recorded as ``dry-run`` (the reason is in the audit detail).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from ingest.reply import Replier, ReplyError, ReplyTarget
from schemas.errors import WebcareError
from sinks.store import queue as queue_rows
from sinks.store import replies as sends

log = logging.getLogger(__name__)


class AlreadySending(WebcareError, RuntimeError):
    """Another request is sending the reply with this idempotency key right now (the app
    answers 409: :class:`webcare.app.service.Conflict`)."""


class ReplyFailed(WebcareError, ValueError):
    """The platform did not take the reply; ``error`` says why (shown to the agent)."""

    def __init__(self, error: ReplyError) -> None:
        super().__init__(f"Reply not sent — {error.describe()}")
        self.error = error


@dataclass(frozen=True)
class Outcome:
    mode: str                     # "sent" or "dry-run"
    platform_ref: str | None
    duplicate: bool = False       # an earlier request with the same key did the work


# -- which replier (cached per config object; credentials are read once) ---------------------
_BUILT: dict[int, tuple[Any, dict[str, Replier | str]]] = {}


def build_repliers(reply_config: Any) -> dict[str, Replier | str]:
    """Platform → replier, or → the reason it replies in dry-run."""
    from ingest.bluesky.reply import BlueskyReplier
    from ingest.mastodon.reply import MastodonReplier
    from ingest.reddit.reply import RedditReplier
    from ingest.x.reply import XReplier

    kinds = {"x": XReplier, "reddit": RedditReplier, "mastodon": MastodonReplier,
             "bluesky": BlueskyReplier}
    platforms = getattr(reply_config, "platforms", None)
    out: dict[str, Replier | str] = {}
    for name, kind in kinds.items():
        block = getattr(platforms, name, None) if platforms is not None else None
        if reply_config.dry_run:
            out[name] = "app.reply.dry_run is on"
        elif block is None:
            out[name] = f"no app.reply.platforms.{name} configured"
        else:
            try:
                out[name] = kind(block)
            except LookupError as error:  # nothing configured for this platform
                out[name] = f"{name} credentials not configured: {error}"
            except Exception as error:  # noqa: BLE001 - MissingCredential (unreadable file) etc.
                out[name] = f"{name} credentials not usable: {type(error).__name__}: {error}"
                log.warning("replies on %s stay dry-run: %s", name, out[name])
    return out


def repliers(reply_config: Any) -> dict[str, Replier | str]:
    cached = _BUILT.get(id(reply_config))
    if cached is None or cached[0] is not reply_config:
        cached = (reply_config, build_repliers(reply_config))
        _BUILT[id(reply_config)] = cached
    return cached[1]


def reply_live(reply_config: Any, platform: str) -> bool:
    """Whether a reply to a post of ``platform`` would really be sent."""
    return not isinstance(repliers(reply_config).get(platform, "unsupported"), str)


# -- the idempotent send ---------------------------------------------------------------------
def idempotency_key(post_id: str, actor: str, body: str, given: str | None) -> str:
    """The stored key: scoped to post and agent so keys from different agents never meet."""
    material = given.strip() if given and given.strip() else f"text:{body}"
    return hashlib.sha256(f"{post_id}\x00{actor}\x00{material}".encode()).hexdigest()


def send_reply(app: Any, reply_config: Any, actor: str, post: Any, body: str,
               given_key: str | None = None) -> Outcome:
    """Send (or record as dry-run) one reply to ``post`` (a stored :class:`schemas.Post`);
    raises :class:`AlreadySending` while another request sends the same key."""
    sends.ensure_table(app.db)
    key = idempotency_key(post.id, actor, body, given_key)
    chosen = repliers(reply_config).get(post.platform, f"replies to {post.platform} are not "
                                        "supported")
    live = not isinstance(chosen, str)
    mode = "sent" if live else "dry-run"
    claimed, earlier = sends.claim(app.db, key, post.id, actor, post.platform, mode)
    if claimed == "sent":
        return Outcome(earlier["mode"], earlier["platform_ref"], duplicate=True)
    if claimed == "busy":
        raise AlreadySending("being sent already (same reply, same click)")
    extra = {"platform": post.platform, "idempotency_key": key[:16]}
    if not live:
        with app.db.tx():
            sends.finish(app.db, key, "sent", None)
            app.add_reply(post.id, actor, body, "dry-run", None,
                          detail={**extra, "dry_run_reason": chosen})
        return Outcome("dry-run", None)
    try:
        ref = chosen.send(ReplyTarget.of(post), body, key)
    except ReplyError as error:
        _failed(app, key, actor, post.id, body, error, extra)
        raise ReplyFailed(error) from error
    except Exception as error:
        wrapped = ReplyError(post.platform, f"{type(error).__name__}: {error}")
        _failed(app, key, actor, post.id, body, wrapped, extra)
        raise ReplyFailed(wrapped) from error
    with app.db.tx():
        sends.finish(app.db, key, "sent", ref)
        app.add_reply(post.id, actor, body, "sent", ref, detail=extra)
    log.info("reply to %s sent on %s as %s", post.id, post.platform, ref)
    return Outcome("sent", ref)


def _failed(app: Any, key: str, actor: str, post_id: str, body: str, error: ReplyError,
            extra: dict[str, Any]) -> None:
    log.warning("reply to %s failed: %s", post_id, error.describe())
    with app.db.tx():
        sends.finish(app.db, key, "failed", None, error.status, error.describe())
        current = {"status": queue_rows.item_status(app.db, post_id)}
        app.audit(actor, "reply.failed", post_id, current, current,
                  {**extra, "http_status": error.status, "error": error.describe(),
                   "retry_after": error.retry_after, "body": body})
