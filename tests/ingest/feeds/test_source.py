import time
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.feeds.config import FeedConfig
from ingest.feeds.normalise import entry_post
from ingest.feeds.source import FeedSource
from schemas import DeadLetter, Post
from schemas.dead_letters import parse_post
from schemas.errors import AuthFailed
from tests.ingest.fakes import FakeHTTP, drain, platform_ids

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def rss_item(n: int, title: str = "VPN drops every hour", body: str = "<p>Since the update</p>"):
    return (f"<item><title>{escape(title)}</title><link>https://forum.example/t/{n}</link>"
            f"<guid isPermaLink=\"false\">forum-topic-{n}</guid><dc:creator>ann{n}</dc:creator>"
            f"<pubDate>{format_datetime(T0.replace(minute=n))}</pubDate>"
            f"<description>{escape(body)}</description></item>")


def rss(*items: str) -> bytes:
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" "
            "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>Lumen forum</title>"
            "<link>https://forum.example/</link><language>en</language>"
            + "".join(reversed(items)) + "</channel></rss>").encode()


def atom_entry(n: int, updated: str = "2026-11-20T12:00:00Z", text: str = "Investigating") -> str:
    return (f"<entry><id>tag:status.example,2026:Incident/{n}</id><title>Mail outage {n}</title>"
            f"<updated>{updated}</updated><link rel=\"alternate\" "
            f"href=\"https://status.example/incidents/{n}\"/>"
            f"<content type=\"html\">&lt;p&gt;{text}&lt;/p&gt;</content></entry>")


def atom(*entries: str) -> bytes:
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
            "<id>tag:status.example,2026:/history</id><title>Lumen Status</title>"
            "<updated>2026-11-20T12:00:00Z</updated>" + "".join(reversed(entries))
            + "</feed>").encode()


class FakeFeeds(FakeHTTP):
    """Serves feeds by path with ETag/Last-Modified and answers 304 when they match."""

    def __init__(self, feeds: dict[str, bytes], validators: bool = True, status: int = 200):
        super().__init__({("GET", "*"): self.route})
        self.feeds, self.validators, self.status = dict(feeds), validators, status

    def route(self, handler):
        if self.status != 200:
            return self.status, {"Retry-After": "1"}, {"error": self.status}
        body = self.feeds.get(handler.path.split("?")[0])
        if body is None:
            return 404, {}, b"not found"
        etag = f'"{hash(body) & 0xffffffff:x}"'
        modified = "Fri, 20 Nov 2026 12:00:00 GMT"
        if self.validators and handler.headers.get("If-None-Match") == etag:
            return 304, {"ETag": etag}, b""
        headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        if self.validators:
            headers.update({"ETag": etag, "Last-Modified": modified})
        return 200, headers, body


def make(tmp_path, fake, paths=("/forum.rss",), **keys) -> FeedSource:
    keys = {"urls": [fake.url + p for p in paths], "state_path": str(tmp_path / "s.sqlite"),
            "backoff_initial": 0, "poll_interval": 0, **keys}
    return FeedSource(FeedConfig(**keys))


@pytest.mark.slow
def test_rss_entries_oldest_first_then_conditional_get(tmp_path):
    with FakeFeeds({"/forum.rss": rss(rss_item(1), rss_item(2))}) as fake:
        records = drain(make(tmp_path, fake, max_cycles=2))
    assert platform_ids(records) == ["forum-topic-1", "forum-topic-2"]
    post = Post.model_validate_json(records[0].payload)
    assert post.platform == "feed" and post.author.handle == "ann1" and post.lang == "en"
    assert post.text == "VPN drops every hour\n\nSince the update"
    assert post.url == "https://forum.example/t/1" and post.created_at == T0.replace(minute=1)
    second = fake.requests[1][2]
    assert second.get("If-None-Match") and second.get("If-Modified-Since")


@pytest.mark.slow
def test_restart_does_not_re_emit_seen_items(tmp_path):
    with FakeFeeds({"/forum.rss": rss(rss_item(1), rss_item(2))}, validators=False) as fake:
        assert len(drain(make(tmp_path, fake, max_cycles=2))) == 2
        fake.feeds["/forum.rss"] = rss(rss_item(2), rss_item(3))
        again = drain(make(tmp_path, fake, max_cycles=1))
    assert platform_ids(again) == ["forum-topic-3"]


@pytest.mark.slow
def test_seen_tracking_is_bounded(tmp_path):
    with FakeFeeds({"/forum.rss": rss(*[rss_item(n) for n in range(1, 6)])}) as fake:
        drain(make(tmp_path, fake, max_cycles=1, dedup_window=3))
    src = make(tmp_path, fake, dedup_window=3)
    assert len(src.state.recent_ids(src.name, 100)) == 3


@pytest.mark.slow
def test_atom_status_page_updates_tracked_as_new_posts(tmp_path):
    with FakeFeeds({"/history.atom": atom(atom_entry(7))}) as fake:
        src = make(tmp_path, fake, paths=("/history.atom",), track_updates=True, max_cycles=2)
        first = drain(src)
        fake.feeds["/history.atom"] = atom(atom_entry(7, "2026-11-20T13:00:00Z", "Resolved"))
        second = drain(make(tmp_path, fake, paths=("/history.atom",), track_updates=True,
                            max_cycles=1))
    posts = [Post.model_validate_json(r.payload) for r in first + second]
    assert [p.text.split("\n\n")[1] for p in posts] == ["Investigating", "Resolved"]
    assert posts[0].conversation_id == posts[1].conversation_id and posts[0].id != posts[1].id
    assert posts[0].author.handle == "Lumen Status"


@pytest.mark.slow
def test_malformed_feed_is_one_dead_letter_and_other_feeds_go_on(tmp_path):
    feeds = {"/broken.rss": b"<html><body>502 Bad Gateway</body>", "/forum.rss": rss(rss_item(1))}
    with FakeFeeds(feeds, validators=False) as fake:
        src = make(tmp_path, fake, paths=("/broken.rss", "/forum.rss"), max_cycles=3)
        results = [parse_post(r) for r in drain(src)]
    assert [type(r).__name__ for r in results] == ["DeadLetter", "Post"]
    assert isinstance(results[0], DeadLetter) and "502 Bad Gateway" in results[0].payload


@pytest.mark.slow
def test_entry_without_identity_is_a_dead_letter(tmp_path):
    body = rss("<item><description>no title, no link, no guid</description></item>",
               rss_item(2))
    with FakeFeeds({"/forum.rss": body}) as fake:
        results = [parse_post(r) for r in drain(make(tmp_path, fake, max_cycles=1))]
    assert [type(r).__name__ for r in results] == ["DeadLetter", "Post"]


@pytest.mark.slow
def test_keyword_filter(tmp_path):
    body = rss(rss_item(1, "Printer jam"), rss_item(2, "VPN down again"))
    with FakeFeeds({"/forum.rss": body}) as fake:
        records = drain(make(tmp_path, fake, max_cycles=1, keywords=["vpn"]))
    assert platform_ids(records) == ["forum-topic-2"]


@pytest.mark.slow
def test_unreachable_feed_degrades_and_backs_off(tmp_path, caplog):
    with FakeFeeds({}) as fake:
        src = make(tmp_path, fake, paths=("/gone.rss",), max_cycles=2)
        assert drain(src) == []
    assert "degraded" in caplog.text and "404" in caplog.text


@pytest.mark.slow
def test_401_stops_loudly_without_leaking_the_header(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("FEED_AUTH", "Bearer s3cr3t")
    with FakeFeeds({}, status=401) as fake:
        src = make(tmp_path, fake, authorization_env="FEED_AUTH")
        with pytest.raises(AuthFailed):
            drain(src)
    assert fake.requests[0][2]["Authorization"] == "Bearer s3cr3t"
    assert src.health.state == "auth_failed" and "s3cr3t" not in caplog.text


@pytest.mark.slow
def test_429_waits_for_retry_after(tmp_path):
    with FakeFeeds({}, status=429) as fake:
        src = make(tmp_path, fake, max_cycles=2)
        started = time.monotonic()
        assert drain(src) == []
    assert src.health.state == "rate_limited" and time.monotonic() - started >= 0.9
    assert len(fake.requests) == 2


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=200)


@given(title=_TEXT, body=_TEXT, n=st.integers(0, 59), track=st.booleans())
def test_entry_normaliser_property(title, body, n, track):
    parsed = feedparser.parse(rss(rss_item(n, title or "x", body)))
    post = entry_post("https://forum.example/feed", parsed.feed, parsed.entries[0],
                      track_updates=track)
    again = entry_post("https://forum.example/feed", parsed.feed, parsed.entries[0],
                       track_updates=track)
    assert post.id == again.id and post.platform == "feed"
    assert post.platform_id == f"forum-topic-{n}" and post.created_at == T0.replace(minute=n)
    # feedparser may repair mojibake in the title ("Â¡" -> "¡"): compare with what it parsed
    assert " ".join(parsed.entries[0].title.split())[:20] in " ".join(post.text.split())


@pytest.mark.slow
def test_webcare_run_ingests_feeds_end_to_end(tmp_path):
    import json

    from click.testing import CliRunner

    from sinks.store.config import SqliteStoreConfig
    from sinks.store.sqlite import SqliteStore
    from tests.ingest.test_end_to_end import write_config
    from webcare.cli.main import main

    feeds = {"/forum.rss": rss(rss_item(1), rss_item(2)), "/history.atom": atom(atom_entry(1)),
             "/broken.rss": b"<html>maintenance</html>"}
    with FakeFeeds(feeds) as fake:
        urls = [fake.url + path for path in feeds]
        path = write_config(tmp_path, [{"type": "feed", "urls": urls, "max_cycles": 2,
                                        "poll_interval": 0}])
        result = CliRunner().invoke(main, ["run", "--config", path])
        assert result.exit_code == 0, result.output
        assert "posts: 3  dead letters: 1" in result.output
        again = CliRunner().invoke(main, ["run", "--config", path])
        assert "posts: 0  dead letters: 0" in again.output, again.output
    store = SqliteStore(SqliteStoreConfig(path=str(tmp_path / "store.sqlite")))
    counts = store.counts()
    store.close()
    assert counts["posts"] == 3 and counts["dead_letters"] == 1
    status_out = CliRunner().invoke(main, ["sources", "status", "--json", "--config", path])
    (row,) = json.loads(status_out.output)
    assert row["source"] == "feed:3" and "etag" in row["cursor"]
