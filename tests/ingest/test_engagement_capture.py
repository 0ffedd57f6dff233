"""Engagement (likes, shares, replies, quotes) and author followers per normaliser, checked
against the recorded platform payloads where the recordings carry them (issue 8)."""

from __future__ import annotations

import json

from ingest.mastodon.normalise import status_post
from ingest.reddit.normalise import thing_post
from ingest.x.normalise import tweet_post, users_by_id
from tests.conftest import shared_path
from tests.ingest.reddit.test_source import _recorded
from tests.ingest.x.test_source import USER, tweet


def test_x_public_metrics_and_author_followers():
    post = tweet_post(tweet(1), users_by_id({"users": [USER]}))
    e = post.engagement
    assert (e.likes, e.shares, e.replies, e.quotes) == (1, 2, 3, 4)
    assert post.author.followers == 1234


def _statuses(name: str) -> list[dict]:
    found = []
    for line in shared_path(f"recordings/mastodon/decoded/{name}").read_text().splitlines():
        body = json.loads(line).get("json")
        for entry in body if isinstance(body, list) else [body]:
            if isinstance(entry, dict) and "account" in entry and "favourites_count" in entry:
                found.append(entry)
    return found


def test_mastodon_recorded_counts_and_followers():
    statuses = _statuses("test_entity_status.jsonl") + _statuses("test_home_tl.jsonl")
    assert statuses
    for status in statuses:
        post = status_post(status)
        e = post.engagement
        assert (e.likes, e.shares, e.replies) == (
            status["favourites_count"], status["reblogs_count"], status["replies_count"])
        assert post.author.followers == status["account"]["followers_count"]
    assert any(status_post(s).engagement.likes > 0 for s in statuses)


def test_reddit_recorded_score_comments_and_crossposts():
    recorded = _recorded("TestSubredditModerationStreams.test_reports.json")
    things = [child["data"] for body in recorded
              for child in body.get("data", {}).get("children", [])
              if child.get("kind") in ("t1", "t3")]
    submissions = [t for t in things if t["name"].startswith("t3_")]
    assert submissions and any(t.get("num_crossposts") for t in submissions)
    for thing in things:
        e = thing_post(thing).engagement
        assert e.likes == max(0, thing.get("score") or 0)
        if thing["name"].startswith("t3_"):
            assert e.replies == thing["num_comments"] and e.shares == thing["num_crossposts"]
        else:  # a comment's own reply count is not in the payload
            assert e.replies == 0 and e.shares == 0


def test_reddit_author_followers_from_profile_details():
    thing = {"name": "t3_abc", "title": "wifi down?", "created_utc": 1482373050.0,
             "author": "ann", "score": -3, "num_comments": 2, "num_crossposts": 1}
    post = thing_post(thing, {"followers": 77, "verified": True})
    assert post.author.followers == 77 and post.engagement.likes == 0  # downvoted: no likes
