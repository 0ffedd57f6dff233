"""The outbound delivery loop: publishes approved status posts, then sends personal replies.

:meth:`Deliverer.run_once` is called by the background thread (:mod:`webcare.outbound.wiring`,
through :class:`sinks.outbox_delivery.DeliveryThread`), by ``webcare outbound publish`` and by
tests with a simulated clock; :meth:`Deliverer.publish` by the app right after a lead approves.
Each post or reply is claimed before it is sent, so two workers never send one twice. Outcomes
as for tickets: success records the platform's id and URL (a published opened/updated post
plans the personal replies, a published resolution the follow-ups); ``Retryable`` (429, 5xx,
network) is retried with exponential backoff and full jitter (:class:`Policy`, never sooner
than ``Retry-After``); ``Rejected`` (other 4xx) and anything older than ``give_up_hours`` is
``failed`` with the response body. Replies respect each channel's ``replies_per_minute``.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from schemas import Decision
from schemas.plumbing.http import Rejected, Retryable
from schemas.plumbing.retry import Policy
from sinks.outbox_delivery import Clock, utcnow
from sinks.store import posts as post_rows
from sinks.store.app_db import parse_iso
from sinks.store.app_store import AppStore
from webcare.outbound import replies, templates
from webcare.outbound.config import OutboundConfig
from webcare.outbound.reply_store import ReplyStore
from webcare.outbound.store import PostStore

log = logging.getLogger("webcare.outbound")
LEASE_SECONDS = 300.0


@dataclass
class Deliverer:
    config: OutboundConfig
    channels: dict  # name → channel client (webcare.outbound.channels)
    unavailable: dict[str, str] = field(default_factory=dict)  # name → why not built
    clock: Clock = utcnow
    rng: random.Random = field(default_factory=random.Random)

    def run_once(self, app: AppStore) -> dict[str, int]:
        """One pass: due posts, then due replies; counts by outcome."""
        counts: Counter = Counter()
        for outbound_id in PostStore(app).due(self.clock().timestamp()):
            counts["post_" + self.publish(app, outbound_id)] += 1
        for due in ReplyStore(app).due(self.clock().timestamp()):
            counts["reply_" + self._reply(app, due["reply_id"], due["channel"])] += 1
        return dict(counts)

    def drain(self, app: AppStore, max_passes: int = 1000) -> dict[str, int]:
        """Passes until one sends nothing (what is left waits for its retry or rate window)."""
        total: Counter = Counter()
        for _ in range(max_passes):
            counts = self.run_once(app)
            total.update(counts)
            if not any(counts.get(k) for k in ("post_published", "post_failed",
                                                "reply_published", "reply_failed",
                                                "reply_skipped")):
                break
        return dict(total)

    # -- status posts ------------------------------------------------------------------------
    def publish(self, app: AppStore, outbound_id: str) -> str:
        """Publish one approved post if due: published / retry / failed / busy."""
        posts, now = PostStore(app), self.clock()
        if not posts.claim(outbound_id, now.timestamp(), LEASE_SECONDS):
            return "busy"
        row = posts.get(outbound_id)
        channel = self.channels.get(row["channel"])
        if channel is None:
            why = self.unavailable.get(row["channel"], "channel is not configured")
            return self._retry(app, "post", outbound_id, row, Retryable(why), now)
        incident = replies.incident_of(app, row["incident_key"])
        context = {"incident_key": row["incident_key"], "kind": row["kind"],
                   "status": incident.status, "lang": row["lang"], "channel": row["channel"],
                   "link": templates.status_link(self.config.status_link, incident)}
        try:
            done = channel.publish(row["body"], outbound_id, context)
        except Rejected as error:
            log.warning("outbound %s on %s failed: %s", outbound_id, row["channel"], error)
            posts.failed(outbound_id, str(error), error.status, error.body)
            return "failed"
        except Exception as error:  # noqa: BLE001 - retryable, never dropped silently
            return self._retry(app, "post", outbound_id, row, error, now)
        posts.published(outbound_id, done.post_id, done.url, self.clock())
        log.info("outbound %s published on %s as %s", outbound_id, row["channel"], done.post_id)
        if row["kind"] == "resolved":
            replies.plan_resolved(app, self.config, row["incident_key"], self.clock())
        else:
            replies.plan_status(app, self.config, row["incident_key"], self.clock())
        return "published"

    # -- personal replies --------------------------------------------------------------------
    def _reply(self, app: AppStore, reply_id: str, channel_name: str) -> str:
        store, now = ReplyStore(app), self.clock()
        config, channel = self.config.channel(channel_name), self.channels.get(channel_name)
        if config is None or channel is None:
            return "waiting"  # credentials missing or channel removed: kept for later
        row = store.get(reply_id)
        why = replies.window_reason(app, self.config, row["author_platform"],
                                    row["author_handle"], now)
        post = _post(app, row["post_id"])
        if why or post is None or not channel.can_reply:
            store.finish(reply_id, "skipped", now, reason=why or (
                "the post is no longer stored" if post is None else "channel takes no replies"))
            return "skipped"
        if not store.claim(reply_id, channel_name, config.replies_per_minute, now.timestamp(),
                           LEASE_SECONDS):
            return "deferred"
        try:
            ref = channel.reply(post, row["body"], reply_id)
        except Rejected as error:
            store.finish(reply_id, "failed", now, error=str(error), status=error.status)
            return "failed"
        except Exception as error:  # noqa: BLE001 - retried
            return self._retry(app, "reply", reply_id, row, error, now)
        store.finish(reply_id, "published", self.clock(), ref=ref)
        return "published"

    def _retry(self, app: AppStore, what: str, item_id: str, row: dict, error: Exception,
               now: datetime) -> str:
        """Reschedule a post or reply after a retryable error; failed after give_up_hours."""
        cfg = self.config.channel(row["channel"])
        policy = Policy(cfg.backoff_initial, cfg.backoff_max, cfg.give_up_hours) if cfg \
            else Policy()
        status = getattr(error, "status", None)
        detail = str(error) if isinstance(error, Retryable) else f"{type(error).__name__}: {error}"
        posts, store = PostStore(app), ReplyStore(app)
        since = posts.approved_ts(item_id) if what == "post" else parse_iso(
            row["created_at"]).timestamp()
        if now.timestamp() - since > policy.give_up_hours * 3600:
            detail = f"gave up after {policy.give_up_hours:g} h: {detail}"
            if what == "post":
                posts.failed(item_id, detail, status, None)
            else:
                store.finish(item_id, "failed", now, error=detail, status=status)
            return "failed"
        wait = policy.delay(row["attempts"], getattr(error, "retry_after", None), self.rng)
        next_ts = (now + timedelta(seconds=wait)).timestamp()
        if what == "post":
            posts.retry(item_id, next_ts, detail, status)
        else:
            store.finish(item_id, "pending", now, error=detail, status=status, next_ts=next_ts)
        log.info("outbound %s %s on %s retry in %.0f s: %s", what, item_id, row["channel"], wait,
                 detail)
        return "retry"


def _post(app: AppStore, post_id: str):
    text = post_rows.decision_json(app.db, post_id)
    return Decision.model_validate_json(text).post if text else None
