"""Ticket test helpers: incidents, correlator events, a simulated clock, an outbox per backend."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from route.incidents import IncidentEvent
from schemas import Incident
from sinks.store.ticket_outbox import Outbox
from sinks.tickets.delivery import Deliverer, Policy
from tests.conftest import T0
from tests.outbox_helpers import KEY, SimClock  # noqa: F401 - used by the tests


def incident(key: str = KEY, count: int = 13, status: str = "open", minutes: int = 10,
             urgency: str = "critical") -> Incident:
    return Incident(key=key, kind="burst", brand="Lumen Telecom", topic="outage", status=status,
                    urgency=urgency, title=f"Lumen Telecom: burst of outage reports ({key[-5:]})",
                    first_seen=T0, last_seen=T0 + timedelta(minutes=minutes), post_count=count,
                    sample_post_ids=["t-1", "t-2"], platforms=["x", "reddit"], languages=["en"],
                    reasons=["burst moderate: 13 posts in 10 min"],
                    sentiment={"negative": 0.8, "compound": -0.5})


def lifecycle(key: str = KEY, updates: int = 2) -> list[IncidentEvent]:
    """opened, ``updates`` × updated, resolved — one incident's events in event time."""
    events = [IncidentEvent("opened", incident(key), T0 + timedelta(minutes=10))]
    for n in range(1, updates + 1):
        events.append(IncidentEvent("updated", incident(key, 13 + 50 * n, minutes=10 + 10 * n),
                                    T0 + timedelta(minutes=10 + 10 * n)))
    resolved = incident(key, 13 + 50 * updates, "resolved", 10 + 10 * updates)
    events.append(IncidentEvent("resolved", resolved, T0 + timedelta(minutes=90)))
    return events


@pytest.fixture
def outbox(store):
    """An outbox in a fresh store (SQLite and PostgreSQL, via tests/sinks/conftest.py)."""
    box = Outbox.open(store_config_of(store))
    yield box
    box.close()


@pytest.fixture
def outbox_factory(store):
    """More outboxes on the same store: the connections of other sink workers."""
    opened = []

    def make() -> Outbox:
        opened.append(Outbox.open(store_config_of(store)))
        return opened[-1]

    yield make
    for box in opened:
        box.close()


def store_config_of(store):
    return store._ticket_test_config


@pytest.fixture
def store(store_config):  # overrides tests/sinks/conftest.py: remember the config
    from tests.sinks.conftest import open_store

    opened = open_store(store_config)
    opened._ticket_test_config = store_config
    yield opened
    opened.close()


def deliverer(outbox, sinks, clock, **policy) -> Deliverer:
    policies = {name: Policy(**policy) for name in sinks}
    return Deliverer(outbox, sinks, policies, clock, random.Random(7))
