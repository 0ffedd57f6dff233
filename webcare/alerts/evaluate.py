"""The periodic evaluator: conditions no pipeline event announces, turned into outbox rows.

Called by the alert thread every ``evaluate_s`` seconds (and once more when the run ends):

* ``item.sla_breach`` — queue items still waiting for a first reply (open or claimed) whose
  first-response due time on the desk's one SLA clock (:mod:`webcare.desk.sla`: the team's
  policy in business minutes, paused outside its hours and on holidays; without ``teams:``
  ``app.sla_minutes`` from the item's time) is within the alert's ``sla_warning_minutes`` of
  business time (phase ``warning``) or past (phase ``breached``). The SLA clock is
  the app's: the wall clock, or for a store that holds only old posts (a replay) the newest
  post's time (``app.clock``). Items whose deadline passed more than ``SLA_LOOKBACK`` ago are
  not announced (enabling alerts on an old backlog must not page anyone about last week).
* ``source.unhealthy`` — the state rows ``webcare sources status`` reads: ``auth_failed``,
  ``stale`` (no heartbeat), or ``rate_limited`` for at least ``rate_limited_minutes``.
* ``dead_letters.spike`` — at least ``dead_letters_per_window`` dead letters in the alert's
  current window of ``dead_letters_window_minutes`` (windows aligned to the clock; at most
  one alert per window).
* digests of folded alerts (over ``max_per_hour``), ``digest_minutes`` after the first.

Every event carries a stable idempotency key, so evaluating the same condition again (the next
pass, another worker) enqueues nothing new. A failing source-state file is logged and skipped.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

from schemas import QueueItem
from sinks.store.alert_outbox import AlertOutbox, window_start
from webcare.alerts import events as ev
from webcare.desk.sla import Desk

log = logging.getLogger("webcare.alerts")
SLA_LOOKBACK = timedelta(hours=1)


class Evaluator:
    def __init__(self, alerts: list, outbox: AlertOutbox, config) -> None:
        """``config``: the whole :class:`webcare.job.config.WebcareConfig` (SLA minutes, SLA
        clock, source state files)."""
        self.alerts, self.outbox, self.config = alerts, outbox, config

    def wanted(self, event: str) -> list:
        return [a for a in self.alerts if a.wants(event)]

    def run(self, now: datetime, final: bool = False) -> dict[str, int]:
        """One pass; returns how many rows were added and folded, and digests made.
        ``final``: fold every held-back alert into a digest now (the run ends)."""
        counts = {"added": 0, "folded": 0, "digests": 0}
        produced = []
        if self.wanted("item.sla_breach"):
            produced += self.sla(now)
        if self.wanted("source.unhealthy"):
            produced += self.sources(now)
        for alert in self.wanted("dead_letters.spike"):
            produced += [(alert, e) for e in self.dead_letters(alert, now)]
        for alert, event in produced:
            if ev.matches(alert, event):
                added = self.outbox.enqueue(alert.name, [event.new_alert()], now,
                                            alert.max_per_hour)
                counts["added"] += added["added"]
                counts["folded"] += added["folded"]
        for alert in self.alerts:
            counts["digests"] += bool(self.digest(alert, now, final))
        return counts

    def sla_now(self, wall: datetime) -> datetime:
        """The app's SLA clock (``app.clock``): wall time, or a replayed store's newest post."""
        clock = self.config.app.clock
        if clock == "wall":
            return wall
        latest = self.outbox.latest_post_at()
        if latest is None or (clock == "auto" and latest > wall - timedelta(days=1)):
            return wall
        return latest

    def desk(self) -> Desk:
        """The desk's one SLA clock (teams, policies, business hours), built once."""
        if getattr(self, "_desk", None) is None:
            self._desk = Desk.of(self.config)
        return self._desk

    def sla(self, wall: datetime) -> list[tuple]:
        """First-response deadlines on the desk's clock (:meth:`Desk.first_response_due`:
        the item's team policy, business hours, holidays), the same the queue shows."""
        now = self.sla_now(wall)
        desk = self.desk()
        since = desk.earliest_due_from(now - SLA_LOOKBACK)
        produced = []
        alerts = self.wanted("item.sla_breach")
        for row in self.outbox.sla_candidates(since):
            item = QueueItem.model_validate_json(row["item_json"])
            item = item.model_copy(update={"status": row["status"]})
            deadline, sla = desk.first_response_due(item, row["brand"])
            if deadline < now - SLA_LOOKBACK:
                continue
            for alert in alerts:
                if deadline <= now:
                    phase = "breached"
                elif desk.left_for(item, row["brand"], deadline, now) <= \
                        timedelta(minutes=alert.sla_warning_minutes):
                    phase = "warning"
                else:
                    continue
                produced.append((alert, ev.sla_event(item, row["brand"], phase, deadline, sla,
                                                     now)))
        return produced

    def sources(self, now: datetime) -> list[tuple]:
        try:
            rows = source_rows(self.config.sources, now)
        except Exception as error:  # noqa: BLE001 - an unreadable state file: next pass
            log.warning("alerts: source states not readable: %s", error)
            return []
        produced = []
        for row in rows:
            if row["state"] not in ev.SEVERITY_OF_SOURCE:
                continue
            since = _parse(row["heartbeat_at"] or row["updated_at"]) if row["state"] == "stale" \
                else _parse(row["updated_at"])
            for alert in self.wanted("source.unhealthy"):
                if row["state"] == "rate_limited" and \
                        now - since < timedelta(minutes=alert.rate_limited_minutes):
                    continue
                produced.append((alert, ev.source_event(row, since)))
        return produced

    def dead_letters(self, alert, now: datetime) -> list[ev.AlertEvent]:
        minutes = alert.dead_letters_window_minutes
        start = window_start(now, minutes)
        count = self.outbox.dead_letter_count(start)
        if count < alert.dead_letters_per_window:
            return []
        return [ev.dead_letter_event(count, minutes, start, now)]

    def digest(self, alert, now: datetime, final: bool = False) -> int:
        older_than = None if final else now - timedelta(minutes=alert.digest_minutes)

        def make(rows):
            return ev.digest_event(alert.name, rows, alert.max_per_hour, now).new_alert()

        return self.outbox.fold_digest(alert.name, now, older_than, make)


def source_rows(sources: list, now: datetime) -> list[dict]:
    """Health rows of the configured sources' state files that exist (an absent file is not
    created: no source ever ran there)."""
    from ingest.manage import state_paths
    from sinks.store.source_state import StateStore

    rows = []
    for path in state_paths(sources):
        if not Path(path).exists():
            continue
        store = StateStore(path)
        try:
            rows += [{**row, "state_path": path} for row in store.health(now)]
        finally:
            store.close()
    return rows


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
