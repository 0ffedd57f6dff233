"""Alert test helpers: a store per backend, a simulated clock, alert configs, events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from route.incidents import IncidentEvent
from schemas import Incident
from sinks.store.alert_outbox import AlertOutbox
from tests.conftest import T0
from tests.outbox_helpers import KEY, SimClock  # noqa: F401 - used by the tests
from tests.sinks.conftest import open_store, store_config  # noqa: F401 - the fixture
from webcare.job.config import WebcareConfig


def incident(key: str = KEY, urgency: str = "critical", brand: str = "Lumen Telecom",
             topic: str = "outage", status: str = "open", count: int = 13,
             platforms=("x", "reddit")) -> Incident:
    return Incident(key=key, kind="burst", brand=brand, topic=topic, status=status,
                    urgency=urgency, title=f"{brand}: burst of {topic} reports",
                    first_seen=T0, last_seen=T0 + timedelta(minutes=10), post_count=count,
                    sample_post_ids=["t-1"], platforms=list(platforms), languages=["en"],
                    reasons=["burst moderate: 13 posts in 10 min"])


def lifecycle(key: str = KEY, **fields) -> list[IncidentEvent]:
    return [IncidentEvent("opened", incident(key, **fields), T0 + timedelta(minutes=10)),
            IncidentEvent("updated", incident(key, count=60, **fields),
                          T0 + timedelta(minutes=20)),
            IncidentEvent("resolved", incident(key, status="resolved", count=80, **fields),
                          T0 + timedelta(minutes=90))]


def store_section(store_config) -> dict:  # noqa: F811
    data = store_config.model_dump(mode="json")
    if store_config.type == "postgres":
        data["dsn"] = store_config.dsn.get_secret_value()
    return data


def config_with(store_config, *alerts: dict, **extra) -> WebcareConfig:  # noqa: F811
    return WebcareConfig.model_validate({"store": store_section(store_config),
                                         "alerts": list(alerts), **extra})


@pytest.fixture
def outbox(store_config):  # noqa: F811
    box = AlertOutbox.open(store_config)
    yield box
    box.close()
