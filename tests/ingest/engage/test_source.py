"""Viva Engage (Yammer REST v1) source against a local fake built from recorded-shape fixtures."""

import copy
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.engage.config import EngageConfig
from ingest.engage.normalise import PageIndex, message_post
from ingest.engage.source import EngageSource
from schemas import DeadLetter, Post
from schemas.dead_letters import parse_post
from schemas.errors import AuthFailed
from tests.ingest.fakes import FakeHTTP, drain, platform_ids

FIXTURES = Path(__file__).parents[1] / "fixtures" / "engage"
IT = "1500000000001"
GROUP = "31158067201"
A, BOB_REPLY, ANN_THANKS, IT_REPLY, B = ("2269815632207872", "2269815632207990",
                                         "2269815632208101", "2269815632208230",
                                         "2269815632208400")


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text("utf-8"))


class FakeYammer(FakeHTTP):
    """Serves the fixture messages like the Yammer REST API v1: newest first, ``limit`` per
    page, ``newer_than``/``older_than`` by id, ``threaded=extended``, the page's references,
    ``meta.older_available``; Bearer token or 401; ``throttle`` requests answered 429."""

    def __init__(self, token: str = "good", limit_cap: int = 50) -> None:
        super().__init__({("GET", "*"): self.route})
        group, received = fixture("in_group_it_help.json"), fixture("received.json")
        self.groups = {GROUP: group["messages"]}
        self.received = received["messages"]
        self.references = {(r["type"], str(r["id"])): r
                           for r in group["references"] + received["references"]}
        self.meta, self.token, self.limit_cap, self.throttle = group["meta"], token, limit_cap, 0
        self.private: set[str] = set()  # groups the token's user may not read (403)

    def add(self, message: dict, group: str = GROUP) -> None:
        self.groups[group].insert(0, message)

    def route(self, handler):
        path = handler.path.split("?")[0]
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {}, {"response": {"message": "Token not found.", "code": 16,
                                          "stat": "fail"}}
        if self.throttle:
            self.throttle -= 1
            return 429, {"Retry-After": "1"}, {"response": {"message": "Rate limited",
                                                            "stat": "fail"}}
        if path == "/api/v1/users/current.json":
            return 200, {}, fixture("users_current.json")
        if match := re.fullmatch(r"/api/v1/groups/(\d+)\.json", path):
            ref = self.references.get(("group", match[1]))
            return (200, {}, ref) if ref else (404, {}, {"response": {"stat": "fail"}})
        if match := re.fullmatch(r"/api/v1/messages/in_group/(\d+)\.json", path):
            if match[1] in self.private:
                return 403, {}, {"response": {"message": "Not a member of this private group",
                                              "stat": "fail"}}
            if match[1] not in self.groups:
                return 404, {}, {"response": {"message": "Group not found", "stat": "fail"}}
            return self.feed(handler, self.groups[match[1]])
        if path == "/api/v1/messages/received.json":
            return self.feed(handler, self.received)
        if match := re.fullmatch(r"/api/v1/messages/(\d+)\.json", path):
            found = [m for m in self.all() if str(m.get("id")) == match[1]]
            return (200, {}, found[0]) if found else (404, {}, {"response": {"stat": "fail"}})
        return 404, {}, {"response": {"message": "No route", "stat": "fail"}}

    def all(self) -> list[dict]:
        return [m for feed in self.groups.values() for m in feed] + self.received

    def feed(self, handler, messages):
        query = {key: values[0] for key, values in handler.query.items()}
        for key in ("newer_than", "older_than", "limit"):
            if key in query and not query[key].isdigit():
                return 400, {}, {"response": {"message": f"bad {key}", "stat": "fail"}}
        if query.get("threaded") not in (None, "true", "extended"):
            return 400, {}, {"response": {"message": "bad threaded", "stat": "fail"}}
        limit = min(int(query.get("limit", 20)), self.limit_cap)
        newer, older = int(query.get("newer_than", 0)), int(query.get("older_than", 10**20))
        ordered = sorted(messages, key=lambda m: -int(m["id"]) if str(m.get("id")).isdigit()
                         else 0)
        extended = {}
        if query.get("threaded") == "extended":
            ordered, extended = self.threads(ordered)
        window = [m for m in ordered if not _num(m) or newer < _num(m) < older]
        page = window[:limit]
        older_available = any(_num(m) < min(map(_num, page), default=0) for m in ordered)
        shown = page + [r for replies in extended.values() for r in replies]
        return 200, {}, {"messages": page, "references": self.references_for(shown),
                         "threaded_extended": {k: v for k, v in extended.items()
                                               if any(str(m["id"]) == k for m in page)},
                         "meta": {**self.meta, "older_available": older_available}}

    @staticmethod
    def threads(ordered):
        starters = [m for m in ordered if m["id"] == m["thread_id"]]
        replies = {str(s["id"]): [m for m in ordered if m["thread_id"] == s["thread_id"]
                                  and m is not s][:2] for s in starters}
        return starters, replies

    def references_for(self, messages):
        refs = {}
        for m in messages:
            for key in (("user", str(m.get("sender_id"))), ("thread", str(m.get("thread_id"))),
                        ("group", str(m.get("group_id")))):
                if key in self.references:
                    refs[key] = self.references[key]
            parent = [p for p in self.all() if p.get("id") == m.get("replied_to_id")]
            if parent:
                refs[("message", str(parent[0]["id"]))] = {
                    "type": "message", **{k: parent[0][k] for k in (
                        "id", "sender_id", "thread_id", "body", "web_url", "created_at")}}
        return list(refs.values())


def _num(message) -> int:
    return int(message["id"]) if str(message.get("id")).isdigit() else 0


def make(tmp_path, fake, monkeypatch, **keys) -> EngageSource:
    monkeypatch.setenv("ENGAGE_TOKEN", "good")
    keys = {"base_url": fake.url, "groups": [GROUP], "it_account_ids": [IT],
            "state_path": str(tmp_path / "s.sqlite"), "backoff_initial": 0, "max_cycles": 1,
            "backfill_pages": 5, **keys}
    return EngageSource(EngageConfig(**keys))


def posts(records) -> list[Post]:
    return [p for p in map(parse_post, records) if isinstance(p, Post)]


def reply(n: int, sender: str, replied_to: str, text: str, thread: str = A) -> dict:
    message = copy.deepcopy(fixture("in_group_it_help.json")["messages"][-1])
    message.update({"id": int(thread) + 10_000 + n, "sender_id": int(sender),
                    "replied_to_id": int(replied_to), "thread_id": int(thread),
                    "created_at": f"2026/11/20 11:{n:02d}:00 +0000",
                    "body": {"plain": text, "parsed": text, "rich": text}})
    return message


@pytest.mark.slow
def test_community_messages_become_engage_posts_with_answer_roles(tmp_path, monkeypatch):
    with FakeYammer() as fake:
        records = drain(make(tmp_path, fake, monkeypatch))
    by_id = {p.platform_id: p for p in posts(records)}
    assert list(by_id) == [A, BOB_REPLY, ANN_THANKS, IT_REPLY, B]  # oldest first, no system msg
    question, peer, thanks, official = (by_id[k] for k in (A, BOB_REPLY, ANN_THANKS, IT_REPLY))
    assert question.platform == "engage" and question.id == f"engage:{A}"
    assert question.author.handle == "ann.jansen@lumen.example"
    assert (question.author.display_name, question.author.followers) == ("Ann Jansen", 31)
    assert question.engagement.replies == 3 and question.engagement.shares == 1
    assert question.url.endswith(f"/messages/{A}")
    assert question.created_at.isoformat() == "2026-11-20T08:01:10+00:00"
    for answer in (peer, thanks, official):
        assert answer.conversation_id == f"engage:{A}"
        assert answer.raw["engage"]["asker_id"] == "1842170699776"
    assert peer.reply_to_id == f"engage:{A}" and peer.engagement.likes == 1
    assert thanks.reply_to_id == f"engage:{BOB_REPLY}"
    roles = [by_id[k].raw["engage"]["role"] for k in (A, BOB_REPLY, ANN_THANKS, IT_REPLY)]
    assert roles == ["starter", "peer_answer", "asker_reply", "official_answer"]
    assert by_id[B].raw["engage"]["mentions_it"] is True
    assert by_id[B].raw["message"]["body"]["parsed"].startswith("[[user:")


@pytest.mark.slow
def test_paging_with_older_than_and_resume_without_duplicates(tmp_path, monkeypatch):
    with FakeYammer(limit_cap=2) as fake:
        first = drain(make(tmp_path, fake, monkeypatch, page_limit=2))
        assert platform_ids(first) == [A, BOB_REPLY, ANN_THANKS, IT_REPLY, B]
        assert any("older_than=" in path for path in fake.paths())
        fake.add(reply(1, "1842170699777", IT_REPLY, "Fix installed here, VPN stable now"))
        fake.add(reply(2, "1842170699778", IT_REPLY, "Same, thanks IT"))
        fake.add(reply(3, "1842170699779", IT_REPLY, "Confirmed on my laptop too"))
        fake.requests.clear()
        second = drain(make(tmp_path, fake, monkeypatch, page_limit=2))
    assert [p.text for p in posts(second)] == ["Fix installed here, VPN stable now",
                                                "Same, thanks IT", "Confirmed on my laptop too"]
    polls = [p for p in fake.paths() if "/in_group/" in p]
    assert all(f"newer_than={B}" in p for p in polls)  # the newest checkpointed post
    assert "older_than=" not in polls[0] and "older_than=" in polls[1]


@pytest.mark.slow
def test_more_new_messages_than_max_pages_is_a_warning(tmp_path, monkeypatch, caplog):
    with FakeYammer(limit_cap=2) as fake:
        drain(make(tmp_path, fake, monkeypatch))
        for n in range(3):
            fake.add(reply(n, "1842170699777", A, f"new {n}"))
        records = drain(make(tmp_path, fake, monkeypatch, page_limit=2, max_pages=1))
    assert [p.text for p in posts(records)] == ["new 1", "new 2"]
    assert "older ones skipped" in caplog.text


@pytest.mark.slow
def test_crash_before_flush_replays_and_dedup_keeps_checkpointed_state(tmp_path, monkeypatch):
    with FakeYammer() as fake:
        assert len(drain(make(tmp_path, fake, monkeypatch), checkpoint=False)) == 5
        again = drain(make(tmp_path, fake, monkeypatch))
        assert platform_ids(again) == [A, BOB_REPLY, ANN_THANKS, IT_REPLY, B]
        assert drain(make(tmp_path, fake, monkeypatch)) == []


@pytest.mark.slow
def test_backfill_zero_starts_with_new_messages_only(tmp_path, monkeypatch):
    with FakeYammer() as fake:
        src = make(tmp_path, fake, monkeypatch, backfill_pages=0, max_cycles=2)
        new = reply(7, "1842170699777", A, "Still dropping for me")
        monkeypatch.setattr(src._stop, "wait", lambda seconds: fake.add(new))  # between polls
        records = drain(src)
    assert [p.text for p in posts(records)] == ["Still dropping for me"]


@pytest.mark.slow
def test_mentions_of_the_it_account_from_received_feed(tmp_path, monkeypatch):
    with FakeYammer() as fake:
        records = drain(make(tmp_path, fake, monkeypatch, mentions_user_id=IT))
    found = posts(records)
    ids = [p.platform_id for p in found]
    assert ids == [A, BOB_REPLY, ANN_THANKS, IT_REPLY, B, "2269815632208600"]  # B once
    mention = found[-1]
    assert mention.raw["engage"] == {"role": "starter", "asker_id": "1842170699779",
                                     "group_id": "31158067300", "thread_id": "2269815632208600",
                                     "sender_id": "1842170699779", "mentions_it": True}
    assert mention.author.display_name == "Dana Dubois"


@pytest.mark.slow
def test_mentions_only_source_needs_no_groups(tmp_path, monkeypatch):
    with FakeYammer() as fake:
        src = make(tmp_path, fake, monkeypatch, groups=[], mentions_user_id=IT)
        assert platform_ids(drain(src)) == [B, "2269815632208600"]
    assert src.name == f"engage:mentions:{IT}"


@pytest.mark.slow
def test_asker_of_a_deep_reply_is_fetched_when_not_on_the_page(tmp_path, monkeypatch):
    with FakeYammer(limit_cap=1) as fake:
        drain(make(tmp_path, fake, monkeypatch, page_limit=1))
        fake.requests.clear()
        fake.add(reply(4, "1842170699778", ANN_THANKS, "Glad it works, Ann"))
        records = drain(make(tmp_path, fake, monkeypatch, page_limit=1))
    post = posts(records)[0]
    assert post.reply_to_id == f"engage:{ANN_THANKS}" and post.conversation_id == f"engage:{A}"
    assert post.raw["engage"]["role"] == "peer_answer"
    assert post.raw["engage"]["asker_id"] == "1842170699776"
    assert f"/api/v1/messages/{A}.json" in fake.paths()


@pytest.mark.slow
def test_reply_whose_thread_starter_is_gone_is_a_plain_reply(tmp_path, monkeypatch):
    with FakeYammer() as fake:
        fake.groups[GROUP] = [m for m in fake.groups[GROUP] if str(m["id"]) != A]
        records = drain(make(tmp_path, fake, monkeypatch))
    roles = {p.platform_id: p.raw["engage"]["role"] for p in posts(records)}
    assert roles[BOB_REPLY] == "reply" and roles[IT_REPLY] == "official_answer"


@pytest.mark.slow
def test_threaded_extended_reads_starters_and_latest_replies(tmp_path, monkeypatch):
    with FakeYammer() as fake:
        records = drain(make(tmp_path, fake, monkeypatch, threaded="extended"))
        assert all("threaded=extended" in p for p in fake.paths() if "/in_group/" in p)
    assert platform_ids(records) == [A, ANN_THANKS, IT_REPLY, B]  # Bob's: not in the latest 2


@pytest.mark.slow
def test_rejected_token_stops_loudly(tmp_path, monkeypatch):
    with FakeYammer(token="other") as fake:
        src = make(tmp_path, fake, monkeypatch, max_cycles=None)
        with pytest.raises(AuthFailed, match="HTTP 401"):
            drain(src)
    assert src.health.state == "auth_failed" and "good" not in src.health.detail
    assert len(fake.requests) == 1  # no retry of a refused token


@pytest.mark.slow
def test_forbidden_community_stops_loudly(tmp_path, monkeypatch):
    with FakeYammer() as fake:
        fake.private.add(GROUP)
        src = make(tmp_path, fake, monkeypatch, max_cycles=None)
        with pytest.raises(AuthFailed, match="HTTP 403"):
            drain(src)
    assert src.health.state == "auth_failed"


def test_missing_token_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("ENGAGE_TOKEN", raising=False)
    with pytest.raises(AuthFailed, match=r"\$ENGAGE_TOKEN"):
        EngageSource(EngageConfig(groups=[GROUP], state_path=str(tmp_path / "s.sqlite")))


@pytest.mark.slow
def test_rate_limit_waits_for_retry_after_then_goes_on(tmp_path, monkeypatch):
    waits = []
    with FakeYammer() as fake:
        fake.throttle = 1
        src = make(tmp_path, fake, monkeypatch, max_cycles=2)
        monkeypatch.setattr(src._stop, "wait", lambda seconds: waits.append(seconds))
        records = drain(src)
    assert waits[0] == 1.0  # the server's Retry-After, not the configured default
    assert len(posts(records)) == 5 and src.health.state in ("ok", "stopped")


@pytest.mark.slow
def test_malformed_messages_are_dead_letters_and_the_stream_goes_on(tmp_path, monkeypatch):
    with FakeYammer() as fake:
        broken = reply(5, "1842170699778", A, "x")
        del broken["body"]
        bad_time = reply(6, "1842170699778", A, "bad time")
        bad_time["created_at"] = "yesterday-ish"
        fake.add(broken)
        fake.add({"id": "not-a-number", "body": {"plain": "?"}})
        fake.add(bad_time)
        records = drain(make(tmp_path, fake, monkeypatch))
    results = [parse_post(r) for r in records]
    assert sum(isinstance(r, Post) for r in results) == 5
    letters = [r for r in results if isinstance(r, DeadLetter)]
    assert len(letters) == 3
    assert any("not-a-number" in r.payload for r in letters)
    assert any("bad Viva Engage message: KeyError" in r.payload for r in letters)


@pytest.mark.slow
def test_probe_reports_the_token_user_and_fails_on_unknown_group(tmp_path, monkeypatch):
    with FakeYammer() as fake:
        assert "IT Service Desk" in make(tmp_path, fake, monkeypatch).probe()
        with pytest.raises(Exception, match="404"):
            make(tmp_path, fake, monkeypatch, groups=["999"]).probe()


def test_config_needs_groups_or_mentions():
    with pytest.raises(ValueError, match="groups or mentions_user_id"):
        EngageConfig()


@given(text=st.text(max_size=300), likes=st.integers(0, 10**6), sender=st.integers(1, 10**15),
       is_reply=st.booleans(), it=st.booleans())
def test_message_normaliser_property(text, likes, sender, is_reply, it):
    message = copy.deepcopy(fixture("in_group_it_help.json")["messages"][2])
    message.update({"sender_id": sender, "body": {"plain": text, "parsed": text},
                    "liked_by": {"count": likes, "names": []},
                    "replied_to_id": int(A) if is_reply else None,
                    "thread_id": int(A) if is_reply else message["id"]})
    post = message_post(message, PageIndex(), asker_id="0", mentioned=False,
                        it_accounts={str(sender)} if it else set())
    assert post.text == text.replace("\x00", "") and post.engagement.likes == likes
    role = post.raw["engage"]["role"]
    assert role == ("starter" if not is_reply else "official_answer" if it else "peer_answer")
    assert Post.model_validate_json(post.model_dump_json()) == post
