"""The persisted alert outbox (table ``alert_outbox``, migration 6) and the evaluator's reads.

One row per (alert, idempotency key): whatever produces an alert (the incident listener, the
periodic evaluator) calls :meth:`AlertOutbox.enqueue`, which adds nothing for a key the alert
already holds — so a replayed flush, a second sink worker or the next evaluator pass never
deliver the same event twice to one alert. An alert over its ``max_per_hour`` gets the row as
``folded`` instead of ``pending``; :meth:`fold_digest` later claims the folded rows for one
digest entry. The delivery loop takes :meth:`due` entries (claimed with a lease of
``CLAIM_S`` seconds in the statement that checks them, so of several workers on one store
exactly one sends each) and settles them with ``mark_*``. A worker that dies releases its claims
when they expire; nothing is marked sent unless the send succeeded.

The rows live in the project's store (same SQLite file or PostgreSQL schema; the table is created
by the store's migrations, which :meth:`AlertOutbox.open` runs by opening the store once) behind
a connection of their own, so the delivery thread never shares the pipeline's. The evaluator's
reads (:func:`sla_candidates`, :func:`dead_letter_count`, :func:`latest_post_at`) go through the
same connection. Database errors propagate.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sinks.store.outbox import CLAIM_S, PersistedOutbox, connect  # noqa: F401 - CLAIM_S
from sinks.store.records import iso

STATES = ("pending", "sent", "dead", "folded")
_ENTRY = ("SELECT entry_id, alert, idempotency_key, event, subject, event_at, event_json, "
          "attempts, enqueued_ts FROM alert_outbox")


@dataclass(frozen=True)
class NewAlert:
    """One row to enqueue for one alert (the event serialised by ``webcare.alerts``)."""

    key: str  # idempotency key of the event (the alert name is the other half of the unique key)
    event: str  # incident.opened, item.sla_breach, ..., alerts.digest
    subject: str  # what the event is about: an incident key, item:<post id>, source:<name>
    at: datetime
    event_json: str


@dataclass(frozen=True)
class AlertEntry:
    entry_id: str
    alert: str
    key: str
    event: str
    subject: str
    event_at: str
    event_json: str
    attempts: int
    enqueued_ts: float

    @property
    def enqueued_at(self) -> datetime:
        return datetime.fromtimestamp(self.enqueued_ts, timezone.utc)


class AlertOutbox(PersistedOutbox):
    table, target_column = "alert_outbox", "alert"
    key_column = key_attr = "entry_id"
    requeue_resets_attempts = True

    @classmethod
    def open(cls, store_config) -> AlertOutbox:
        """The outbox of a store config; opening the store first applies its migrations."""
        from sinks.store.registry import open_store

        open_store(store_config).close()
        return cls(*connect(store_config))

    # -- producers ---------------------------------------------------------------------------
    def enqueue(self, alert: str, items: Iterable[NewAlert], now: datetime,
                max_per_hour: int | None = None) -> dict[str, int]:
        """Add the alert's new rows; returns ``{"added": n, "folded": m}`` (rows new to the
        outbox; a known key adds nothing). Rows beyond ``max_per_hour`` enqueued for this alert
        in the hour before ``now`` are added as ``folded``."""
        ts, counts = now.timestamp(), {"added": 0, "folded": 0}
        with self._lock, self._transaction():
            used = None
            for item in items:
                if self._rows("SELECT 1 FROM alert_outbox WHERE alert = ? AND "
                              "idempotency_key = ?", (alert, item.key)):
                    continue
                if used is None and max_per_hour is not None:
                    used = self._rows(
                        "SELECT COUNT(*) FROM alert_outbox WHERE alert = ? AND enqueued_ts > ? "
                        "AND state <> 'folded' AND event <> 'alerts.digest'",
                        (alert, ts - 3600.0))[0][0]
                folded = max_per_hour is not None and used >= max_per_hour
                cur = self._exec(
                    "INSERT INTO alert_outbox (entry_id, alert, idempotency_key, event, subject, "
                    "event_at, event_json, state, enqueued_ts, next_ts) VALUES "
                    "(?,?,?,?,?,?,?,?,?,?) ON CONFLICT (alert, idempotency_key) DO NOTHING",
                    (uuid.uuid4().hex, alert, item.key, item.event, item.subject, iso(item.at),
                     item.event_json, "folded" if folded else "pending", ts, ts))
                if max(cur.rowcount, 0):
                    counts["folded" if folded else "added"] += 1
                    if not folded and used is not None:
                        used += 1
        return counts

    def fold_digest(self, alert: str, now: datetime, older_than: datetime | None,
                    make: Any) -> int:
        """Claim the alert's folded rows not yet in a digest (all of them when ``older_than``
        is None, else only if the oldest was enqueued before it) for one new digest entry;
        ``make(rows)`` returns its :class:`NewAlert` from the claimed ``(event, subject,
        event_json)`` rows. Returns how many rows it summarises (0: no digest). The claim is a
        conditional UPDATE, so two workers never put a row in two digests."""
        ts = now.timestamp()
        with self._lock, self._transaction():
            oldest = self._rows("SELECT MIN(enqueued_ts) FROM alert_outbox WHERE alert = ? AND "
                                "state = 'folded' AND folded_into IS NULL", (alert,))[0][0]
            if oldest is None or (older_than is not None and oldest > older_than.timestamp()):
                return 0
            digest_id = uuid.uuid4().hex
            claimed = self._exec("UPDATE alert_outbox SET folded_into = ? WHERE alert = ? AND "
                                 "state = 'folded' AND folded_into IS NULL",
                                 (digest_id, alert)).rowcount
            if claimed <= 0:
                return 0
            rows = self._rows("SELECT event, subject, event_json FROM alert_outbox WHERE "
                              "folded_into = ? ORDER BY event_at, enqueued_ts", (digest_id,))
            item = make(rows)
            self._exec("INSERT INTO alert_outbox (entry_id, alert, idempotency_key, event, "
                       "subject, event_at, event_json, state, enqueued_ts, next_ts) VALUES "
                       "(?,?,?,?,?,?,?,'pending',?,?)",
                       (digest_id, alert, f"digest|{digest_id}", item.event, item.subject,
                        iso(item.at), item.event_json, ts, ts))
        return len(rows)

    # -- delivery ----------------------------------------------------------------------------
    def due(self, now: datetime, limit: int = 100) -> list[AlertEntry]:
        """The oldest pending entry of each (alert, subject) whose time has come, claimed for
        ``CLAIM_S`` seconds (so an alert sees a subject's events in order: opened, updated,
        resolved)."""
        claimed = self._claim_due(
            _ENTRY, "NOT EXISTS (SELECT 1 FROM alert_outbox p WHERE p.alert = o.alert AND "
            "p.subject = o.subject AND p.state = 'pending' AND (p.event_at < o.event_at OR "
            "(p.event_at = o.event_at AND p.entry_id < o.entry_id)))", "next_ts, event_at", now,
            limit)
        return [AlertEntry(*row) for row in claimed]

    def mark_sent(self, entry: AlertEntry, now: datetime, note: str | None = None) -> None:
        self._mark_sent(entry, now, note)

    def waiting(self, alerts: Iterable[str]) -> tuple[int, float | None]:
        """(pending entries of these alerts, the earliest next_ts among them)."""
        names = list(alerts)
        if not names:
            return 0, None
        marks = ",".join("?" * len(names))
        n, first = self._rows(f"SELECT COUNT(*), MIN(next_ts) FROM alert_outbox WHERE "
                              f"state = 'pending' AND alert IN ({marks})", tuple(names))[0]
        return n, first

    # -- reports -----------------------------------------------------------------------------
    def listing(self, state: str, limit: int = 20) -> list[dict[str, Any]]:
        """The oldest entries in ``state`` (pending or dead) for ``webcare alerts status``."""
        rows = self._rows("SELECT entry_id, alert, event, subject, attempts, next_ts, "
                          "response_status, last_error FROM alert_outbox WHERE state = ? "
                          "ORDER BY enqueued_ts, event_at LIMIT ?", (state, limit))
        names = ("entry_id", "alert", "event", "subject", "attempts", "next_ts", "status",
                 "error")
        return [dict(zip(names, row)) for row in rows]

    def events(self, alert: str) -> list[tuple[str, str, str]]:
        """(event, idempotency key, state) of every row of one alert, oldest first (tests)."""
        return [tuple(row) for row in self._rows(
            "SELECT event, idempotency_key, state FROM alert_outbox WHERE alert = ? "
            "ORDER BY enqueued_ts, event_at, entry_id", (alert,))]

    # -- the evaluator's reads ---------------------------------------------------------------
    def sla_candidates(self, since: datetime) -> list[dict[str, Any]]:
        """Queue items still waiting for a first reply (open or claimed) created at or after
        ``since``, with the post's brand."""
        rows = self._rows("SELECT q.post_id, q.status, q.item_json, p.brand FROM queue_items q "
                          "JOIN posts p ON p.post_id = q.post_id WHERE q.status IN "
                          "('open', 'claimed') AND q.created_at >= ? ORDER BY q.created_at",
                          (iso(since),))
        return [dict(zip(("post_id", "status", "item_json", "brand"), row)) for row in rows]

    def dead_letter_count(self, since: datetime, stage: str | None = None) -> int:
        """Dead letters that occurred at or after ``since`` (of one stage, or all)."""
        where, params = ("AND stage = ?", (stage,)) if stage else ("", ())
        return self._rows(f"SELECT COUNT(*) FROM dead_letters WHERE occurred_at >= ? {where}",
                          (iso(since), *params))[0][0]

    def latest_post_at(self) -> datetime | None:
        """The newest stored post's time (the SLA clock of a replayed store)."""
        value = self._rows("SELECT MAX(created_at) FROM posts")[0][0]
        if not value:
            return None
        return datetime.fromisoformat(value.replace("Z", "+00:00"))


def window_start(now: datetime, minutes: float) -> datetime:
    """The start of the ``minutes``-long window ``now`` falls in (windows aligned to the epoch),
    so a condition evaluated twice in one window gets the same idempotency key."""
    size = max(60.0, minutes * 60.0)
    start = (now.timestamp() // size) * size
    return datetime.fromtimestamp(start, timezone.utc)
