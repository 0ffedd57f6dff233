import json

from hypothesis import given
from hypothesis import strategies as st

from ingest.bluesky.config import BlueskyConfig
from ingest.bluesky.source import BlueskySource, jetstream_post
from schemas import DeadLetter, Post
from schemas.dead_letters import parse_post
from sinks.store.source_state import StateStore
from tests.conftest import shared_path
from tests.ingest.fakes import FakeJetstream, drain


def frame(n: int, text: str = "my wifi is down", did: str = "did:plc:abc", **record) -> dict:
    return {"did": did, "time_us": 1_700_000_000_000_000 + n, "kind": "commit",
            "commit": {"rev": f"r{n}", "operation": "create", "collection": "app.bsky.feed.post",
                       "rkey": f"k{n}", "cid": f"c{n}",
                       "record": {"$type": "app.bsky.feed.post", "text": text,
                                  "createdAt": "2026-05-25T14:23:28.757Z", "langs": ["en"],
                                  **record}}}


def like(n: int) -> dict:
    data = frame(n)
    data["commit"]["collection"] = "app.bsky.feed.like"
    return data


def source(tmp_path, url, **keys) -> BlueskySource:
    config = BlueskyConfig(endpoint=url, state_path=str(tmp_path / "state.sqlite"),
                           backoff_initial=0, **keys)
    return BlueskySource(config)


def test_posts_are_normalised_and_other_collections_skipped(tmp_path):
    reply = {"reply": {"parent": {"uri": "at://p/1", "cid": "x"}, "root": {"uri": "at://r/1"}}}
    with FakeJetstream([frame(1), like(2), frame(3, **reply)]) as fake:
        records = drain(source(tmp_path, fake.url, max_cycles=1))
    posts = [Post.model_validate_json(r.payload) for r in records]
    assert [p.platform_id for p in posts] == ["at://did:plc:abc/app.bsky.feed.post/k1",
                                              "at://did:plc:abc/app.bsky.feed.post/k3"]
    assert posts[1].reply_to_id == "at://p/1" and posts[1].conversation_id == "at://r/1"
    assert posts[0].lang == "en" and posts[0].url.endswith("/post/k1")
    assert "wantedCollections=app.bsky.feed.post" in fake.paths[0]


def test_reconnect_resumes_from_time_us_without_duplicates(tmp_path):
    frames = [frame(n) for n in range(1, 7)]
    with FakeJetstream(frames, per_connection=3) as fake:
        records = drain(source(tmp_path, fake.url, max_cycles=3))
    ids = [Post.model_validate_json(r.payload).platform_id for r in records]
    assert len(ids) == len(set(ids)) == 6
    assert "cursor=1700000000000003" in fake.paths[1]


def test_restart_resumes_from_committed_cursor(tmp_path):
    frames = [frame(n) for n in range(1, 5)]
    with FakeJetstream(frames) as fake:
        first = source(tmp_path, fake.url, max_records=2)
        assert len(drain(first)) == 2
        first.state.close()
        second = source(tmp_path, fake.url, max_cycles=1)
        rest = [Post.model_validate_json(r.payload).platform_id for r in drain(second)]
    assert rest == ["at://did:plc:abc/app.bsky.feed.post/k3", "at://did:plc:abc/app.bsky.feed.post/k4"]
    assert "cursor=1700000000000002" in fake.paths[-1]


def test_uncheckpointed_records_are_replayed_after_restart(tmp_path):
    with FakeJetstream([frame(1), frame(2)]) as fake:
        first = source(tmp_path, fake.url, max_cycles=1)
        assert len(drain(first, checkpoint=False)) == 2
        first.state.close()
        again = drain(source(tmp_path, fake.url, max_cycles=1))
    assert len(again) == 2  # nothing was flushed, so nothing may be skipped


def test_malformed_frames_become_dead_letters_and_stream_goes_on(tmp_path):
    with FakeJetstream([frame(1), "{not json", {"kind": "commit"}, frame(2)]) as fake:
        records = drain(source(tmp_path, fake.url, max_cycles=1))
    results = [parse_post(r) for r in records]
    assert [type(r).__name__ for r in results] == ["Post", "DeadLetter", "DeadLetter", "Post"]
    assert isinstance(results[1], DeadLetter) and "{not json" in results[1].payload


def test_keyword_filter_and_identity_handles(tmp_path):
    identity = {"did": "did:plc:abc", "time_us": 1_700_000_000_000_000, "kind": "identity",
                "identity": {"did": "did:plc:abc", "handle": "alice.bsky.social"}}
    with FakeJetstream([identity, frame(1, "hello world"), frame(2, "Wifi down")]) as fake:
        records = drain(source(tmp_path, fake.url, max_cycles=1, keywords=["wifi"]))
    (post,) = [Post.model_validate_json(r.payload) for r in records]
    assert post.text == "Wifi down" and post.author.handle == "@alice.bsky.social"


def test_server_gone_is_degraded_and_retried(tmp_path):
    src = source(tmp_path, "ws://127.0.0.1:9", max_cycles=2)
    assert drain(src) == []
    rows = {row["source"]: row for row in StateStore(tmp_path / "state.sqlite").health()}
    assert rows[src.name]["state"] in ("degraded", "stopped")


texts = st.text(min_size=0, max_size=300)


@given(text=texts, n=st.integers(min_value=0, max_value=10**9), did=st.from_regex(
    r"did:plc:[a-z2-7]{24}", fullmatch=True))
def test_normaliser_property(text, n, did):
    post = jetstream_post(frame(n, text, did=did))
    assert post.platform == "bluesky" and post.author.id == did
    assert post.text == text.replace("\x00", "")
    assert Post.model_validate_json(post.model_dump_json()) == post


def test_recorded_jetstream_frames_normalise():
    path = shared_path("recordings/bluesky_jetstream/expected_v1.jsonl")
    posts = 0
    for line in path.read_text("utf-8").splitlines():
        data = json.loads(line)
        post = jetstream_post(data)
        if post is not None:
            posts += 1
            assert post.platform_id.startswith("at://did:")
    assert posts > 0
