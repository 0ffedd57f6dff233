"""Reprocessing a dead letter runs the pipeline's whole sink chain (issue 21), on SQLite and
PostgreSQL: a post whose classification failed in the middle of an outage is reprocessed
(``webcare.job.assembly.reprocess_stages``, as ``webcare dead-letters reprocess`` and ``webcare
serve`` use it) and joins the open burst incident like the posts around it."""

from __future__ import annotations

from datetime import timedelta

from route.rules import RouteConfig, Router
from schemas import Post
from schemas.protocols import RawRecord
from sinks.store import dead_letters as letters
from sinks.store.app_store import AppStore
from tests.conftest import make_classification
from tests.route.burst_helpers import MONDAY
from tests.sinks.conftest import open_store
from webcare.app import dead_letters
from webcare.app.service import User
from webcare.job.assembly import build_sink, reprocess_stages
from webcare.job.config import load_config
from webcare.job.runner import Pipeline

ROUTER = Router(RouteConfig.model_validate({"rules": [
    {"name": "all", "when": {"actionable": True}, "action": "webcare"}]}))
OUTAGE = MONDAY + timedelta(hours=19)
FAILING = "p-45"


class Flaky:
    """Classifies every post as an outage; the FAILING one raises (the model fell over)."""

    def classify_batch(self, posts):
        return [RuntimeError("model not loaded") if p.id == FAILING else self(p) for p in posts]

    def __call__(self, post):
        return make_classification(post)


def test_a_reprocessed_dead_letter_joins_the_open_burst(store_config, monkeypatch):
    config = load_config().model_copy(update={"store": store_config})
    posts = [Post(id=f"p-{n}", platform="x", text="internet down",
                  created_at=OUTAGE + timedelta(seconds=30 * n), author={"handle": f"@u{n}"})
             for n in range(60)]
    sink, correlator = build_sink(config)
    pipeline = Pipeline(Flaky(), ROUTER, sink, incidents=correlator)
    for result in pipeline.process_batch([RawRecord(payload=p.model_dump_json(), source="t",
                                                    position=n) for n, p in enumerate(posts)]):
        sink.add(result)
    sink.flush()
    sink.close()

    store = open_store(store_config)
    app = AppStore(store)
    try:
        (letter,) = letters.list_rows(app.db, None, None, "open", 10)
        keys = {r["incident_key"] for r in app.db.rows(
            "SELECT incident_key FROM queue_items WHERE post_id IN (?, ?)", ("p-44", "p-46"))}
        (burst,) = keys
        assert burst and burst.startswith("burst:")
        monkeypatch.setattr(dead_letters, "build_stages", lambda _config: dead_letters.Stages(
            Flaky(), ROUTER))
        out = dead_letters.reprocess(app, User("lena", "lead"), letter["fingerprint"],
                                     reprocess_stages(config))
        assert out.ok and out.post_id == FAILING
        (row,) = app.db.rows("SELECT incident_key FROM queue_items WHERE post_id = ?",
                             (FAILING,))
        assert row["incident_key"] == burst
        (incident,) = [i for i in store.incidents() if i.key == burst]
        assert incident.status != "resolved"
        assert letters.get(app.db, letter["fingerprint"])["status"] == "reprocessed"
    finally:
        store.close()
