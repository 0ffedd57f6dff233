"""Property: however the posts of a burst are spread over authors and however their handles are
written (``@Ann``, ``ann``, ``ANN``), planning gives exactly one status reply per author and
planning again adds none."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from route.incidents import IncidentEvent
from schemas import Author
from sinks.incident_sink import write_events
from sinks.store.app_store import AppStore
from sinks.store.config import SqliteStoreConfig
from sinks.store.sqlite import SqliteStore
from tests.conftest import T0, make_classification, make_post
from tests.outbound.conftest import KEY, ROUTER, incident
from webcare.outbound import replies
from webcare.outbound.config import OutboundConfig
from webcare.outbound.reply_store import ReplyStore, author_key

CONFIG = OutboundConfig.model_validate({"channels": [{"type": "x"}]})
SPELLINGS = st.tuples(st.sampled_from(["@", ""]), st.sampled_from([str.lower, str.upper,
                                                                   str.title]))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), SPELLINGS), min_size=1, max_size=60))
def test_one_status_reply_per_author_whatever_the_spelling(posts):
    store = SqliteStore(SqliteStoreConfig(path=":memory:"))
    try:
        decisions = []
        for n, (author, spelling) in enumerate(posts):
            at, case = spelling
            handle = at + case(f"ann{author}")
            post = make_post(n, author=Author(handle=handle), created_at=T0 + timedelta(seconds=n))
            decision = ROUTER(post, make_classification(post))
            decisions.append(decision.model_copy(update={"incident_key": KEY}))
        store.write(decisions, [])
        write_events(store, [IncidentEvent("opened", incident(), T0)])
        app = AppStore(store)
        with app.db.tx():  # the incident's status post went out
            app.db.run("INSERT INTO outbound_posts (outbound_id, incident_key, event_id, kind, "
                       "channel, channel_type, lang, body, state, event_at, created_at) VALUES "
                       "('p1', ?, 'e', 'opened', 'x', 'x', 'en', 'b', 'published', 't', 't')",
                       (KEY,))
        authors = {author_key(d.post.author.handle) for d in decisions}
        assert replies.plan_status(app, CONFIG, KEY, T0) == len(authors)
        assert replies.plan_status(app, CONFIG, KEY, T0) == 0
        assert {author_key(r["author_handle"]) for r in ReplyStore(app).of(KEY)} == authors
    finally:
        store.close()
