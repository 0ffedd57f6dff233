"""Outbound in the pipeline, in the app, and the ``webcare outbound`` commands.

:func:`attach` is called by ``build_sink`` when ``outbound.channels`` is set: the incident
sink's listener drafts posts right after each store flush (on the pipeline's connection, so a
draft only ever exists for a stored incident) and wakes a background delivery thread, which
opens its own store connection per pass. A drafting failure raises from ``flush`` (no
checkpoint) and the next flush hands the same events again (drafting is idempotent). Closing
stops the thread after its pass; what is not delivered stays in the store for the next run or
``webcare outbound publish``.
"""

from __future__ import annotations

import logging

from sinks.incident_sink import incident_sink_of
from sinks.outbox_delivery import Clock, DeliverySink, DeliveryThread, utcnow
from sinks.store.app_store import AppStore
from sinks.store.registry import open_store
from webcare.outbound.channels import build_channel
from webcare.outbound.delivery import Deliverer
from webcare.outbound.drafting import Drafter
from webcare.outbound.reply_store import ReplyStore
from webcare.outbound.store import PostStore

log = logging.getLogger("webcare.outbound")


def build_deliverer(outbound, clock: Clock = utcnow) -> Deliverer:
    """Channel clients by name; a channel whose credentials are missing is kept out (its
    posts wait, with the reason as their error) instead of stopping everything."""
    channels, unavailable = {}, {}
    for config in outbound.channels:
        try:
            channels[config.channel_name] = build_channel(config)
        except Exception as error:  # noqa: BLE001 - MissingCredential, unreadable secret file
            unavailable[config.channel_name] = f"{type(error).__name__}: {error}"
            log.warning("outbound channel %s unavailable: %s", config.channel_name, error)
    return Deliverer(outbound, channels, unavailable, clock)


def open_app(config) -> AppStore:

    return AppStore(open_store(config.store))


class Worker:
    """What the delivery thread runs: one store connection per pass (sqlite3 connections stay
    in the thread that opened them)."""

    def __init__(self, config, deliverer: Deliverer) -> None:
        self.config, self.deliverer = config, deliverer

    def drain(self) -> dict[str, int]:
        app = open_app(self.config)
        try:
            return self.deliverer.drain(app)
        finally:
            app.store.close()


class OutboundListener:
    """The IncidentSink listener: draft, then nudge delivery."""

    def __init__(self, sink, config, clock: Clock = utcnow, background: bool = True) -> None:
        self.drafter = Drafter(AppStore(sink.store), config.outbound)
        self.clock = clock
        self.worker = Worker(config, build_deliverer(config.outbound, clock))
        self.thread = DeliveryThread(self.worker, config.outbound.poll_seconds).start() \
            if background else None

    def __call__(self, events: list) -> None:
        self.drafter(events, self.clock())
        if self.thread:
            self.thread.wake()

    def close(self, timeout: float = 30.0) -> None:
        if self.thread:
            self.thread.stop(timeout)
            if not self.thread.alive:
                self.worker.drain()


class OutboundSink(DeliverySink):
    """The pipeline's sink with outbound attached (add / flush / close as for tickets)."""

    suffix = "outbound"


def attach(sink, config) -> OutboundSink:
    return OutboundSink(sink, OutboundListener(incident_sink_of(sink), config))


# -- webcare outbound status | approve | reject | publish ----------------------------------------
def status(config) -> dict:
    app = open_app(config)
    try:
        return {"posts": PostStore(app).counts(), "replies": ReplyStore(app).counts(),
                "drafts": PostStore(app).list(("draft",)),
                "failed": PostStore(app).list(("failed",), limit=20)}
    finally:
        app.store.close()


def format_status(report: dict) -> str:
    lines = [f"posts {channel}: " + ", ".join(f"{s} {n}" for s, n in sorted(states.items()))
             for channel, states in sorted(report["posts"].items())] or ["no outbound posts"]
    lines += [f"replies {channel}: " + ", ".join(f"{s} {n}" for s, n in sorted(states.items()))
              for channel, states in sorted(report["replies"].items())]
    for row in report["drafts"]:
        lines.append(f"  draft {row['outbound_id']} {row['channel']} {row['kind']} "
                     f"[{row['lang']}] {row['incident_key']}: {row['body']}")
    for row in report["failed"]:
        lines.append(f"  failed {row['outbound_id']} {row['channel']} HTTP {row['http_status']}: "
                     f"{row['error']} body: {(row['response_body'] or '')[:200]}")
    return "\n".join(lines)


def decide(config, outbound_id: str, actor: str, action: str, body: str | None = None,
           reason: str | None = None) -> dict:
    """Approve (and publish at once) or reject a draft from the command line."""
    app = open_app(config)
    try:
        row = PostStore(app).decide(outbound_id, actor, action, utcnow(), body, reason)
        if action == "approve":
            build_deliverer(config.outbound).publish(app, outbound_id)
            row = PostStore(app).get(outbound_id)
        return row
    finally:
        app.store.close()


def publish(config) -> dict[str, int]:
    """Deliver everything due now, in the foreground."""
    return Worker(config, build_deliverer(config.outbound)).drain()
