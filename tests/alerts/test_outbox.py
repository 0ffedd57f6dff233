"""The alert outbox on SQLite and PostgreSQL: dedup, rate folding, digests, claims, states."""

from __future__ import annotations

from datetime import timedelta

from sinks.store import migrations
from sinks.store.alert_outbox import CLAIM_S, AlertOutbox, NewAlert
from tests.alerts.conftest import open_store
from tests.conftest import T0


def item(n: int, subject: str = "incident:a", minute: int | None = None) -> NewAlert:
    at = T0 + timedelta(minutes=n if minute is None else minute)
    return NewAlert(f"k{n}", "incident.opened", subject, at, '{"n": %d}' % n)


def test_the_outbox_table_comes_from_migration_6(store_config):
    assert (6, "alert_outbox_schema.sql") in migrations.MIGRATIONS
    store = open_store(store_config)
    try:
        rows = store.db.execute("SELECT version FROM schema_migrations").fetchall()
        assert 6 in {r[0] for r in rows}
        store.db.execute("SELECT COUNT(*) FROM alert_outbox").fetchall()
    finally:
        store.close()


def test_enqueue_is_idempotent_per_alert_and_key(outbox):
    assert outbox.enqueue("oncall", [item(1), item(2)], T0) == {"added": 2, "folded": 0}
    assert outbox.enqueue("oncall", [item(1), item(2)], T0) == {"added": 0, "folded": 0}
    assert outbox.enqueue("mail", [item(1)], T0) == {"added": 1, "folded": 0}  # another alert
    assert outbox.counts() == {"mail": {"pending": 1}, "oncall": {"pending": 2}}


def test_over_max_per_hour_is_folded_and_a_digest_claims_it_once(outbox, store_config):
    added = outbox.enqueue("oncall", [item(n, f"incident:{n}") for n in range(5)], T0, 3)
    assert added == {"added": 3, "folded": 2}
    # a later hour has room again
    later = T0 + timedelta(hours=1, seconds=1)
    assert outbox.enqueue("oncall", [item(9, "incident:9")], later, 3) == {"added": 1,
                                                                            "folded": 0}
    other = AlertOutbox.open(store_config)  # a second worker on the same store
    try:
        def make(rows):
            assert [r[1] for r in rows] == ["incident:3", "incident:4"]
            return NewAlert("digest", "alerts.digest", "digest:oncall", T0, "{}")

        assert outbox.fold_digest("oncall", T0, T0 - timedelta(minutes=1), make) == 0  # too new
        assert outbox.fold_digest("oncall", T0, None, make) == 2
        assert other.fold_digest("oncall", T0, None, make) == 0  # claimed already
    finally:
        other.close()
    assert outbox.counts()["oncall"] == {"folded": 2, "pending": 5}


def test_due_claims_the_oldest_entry_per_subject_with_a_lease(outbox):
    outbox.enqueue("oncall", [item(1, "incident:a"), item(2, "incident:a"),
                              item(3, "incident:b")], T0)
    due = outbox.due(T0)
    assert [(e.subject, e.key) for e in due] == [("incident:a", "k1"), ("incident:b", "k3")]
    assert outbox.due(T0) == []  # claimed
    outbox.mark_sent(due[0], T0)
    assert [e.key for e in outbox.due(T0)] == ["k2"]  # a's next one
    again = outbox.due(T0 + timedelta(seconds=CLAIM_S))  # claims expired unsettled
    assert sorted(e.key for e in again) == ["k2", "k3"]


def test_two_workers_never_claim_the_same_entry(outbox, store_config):
    outbox.enqueue("oncall", [item(n, f"incident:{n}") for n in range(20)], T0)
    other = AlertOutbox.open(store_config)
    try:
        first, second = outbox.due(T0, limit=10), other.due(T0, limit=100)
    finally:
        other.close()
    assert len(first) == 10 and len(second) == 10
    assert {e.entry_id for e in first}.isdisjoint(e.entry_id for e in second)


def test_retry_dead_and_listing(outbox):
    outbox.enqueue("oncall", [item(1)], T0)
    entry = outbox.due(T0)[0]
    outbox.mark_retry(entry, T0 + timedelta(seconds=30), "HTTP 503", 503)
    assert outbox.waiting(["oncall"]) == (1, (T0 + timedelta(seconds=30)).timestamp())
    assert outbox.listing("pending")[0]["error"] == "HTTP 503"
    entry = outbox.due(T0 + timedelta(seconds=30))[0]
    assert entry.attempts == 1
    outbox.mark_dead(entry, "HTTP 404: no_service", 404)
    assert outbox.listing("dead")[0]["status"] == 404
    assert outbox.retry(T0) == 1 and outbox.counts() == {"oncall": {"pending": 1}}
