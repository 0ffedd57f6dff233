"""Current public metrics of stored X posts (``webcare engagement refresh --platform x``).

A streamed or freshly searched tweet has (nearly) zero likes and reposts at ingest; this reads
them again with tweepy's ``Client.get_tweets`` (``GET /2/tweets?ids=…``, at most 100 ids per
call, ``tweet.fields=public_metrics``, the author expansion with ``user.fields=public_metrics``)
and maps each tweet with :func:`ingest.x.normalise.tweet_post`, so counts and followers are
read exactly as at ingest. Deleted or protected tweets come back as ``errors`` and are absent
from the result. 401/403/429/5xx raise the tweepy error (the caller reports it).
"""

from __future__ import annotations

from collections.abc import Iterable

import tweepy

from ingest.x.normalise import tweet_post, users_by_id
from ingest.x.source import API, RebaseAdapter
from schemas import Post

MAX_IDS = 100


def client(bearer_token: str, api_base_url: str = API) -> tweepy.Client:
    """A tweepy client (dict responses), rerouted when ``api_base_url`` is not X's own."""
    made = tweepy.Client(bearer_token, return_type=dict)
    if api_base_url.rstrip("/") != API:
        made.session.mount(API, RebaseAdapter(api_base_url))
    return made


def current_posts(x: tweepy.Client, tweet_ids: Iterable[str]) -> dict[str, Post]:
    """The tweets as Posts (current metrics and author followers), by tweet id."""
    ids = list(dict.fromkeys(tweet_ids))
    found: dict[str, Post] = {}
    for start in range(0, len(ids), MAX_IDS):
        page = x.get_tweets(ids[start:start + MAX_IDS], expansions=["author_id"],
                            tweet_fields=["created_at", "author_id", "public_metrics"],
                            user_fields=["username", "public_metrics"])
        users = users_by_id(page.get("includes"))
        for tweet in page.get("data") or []:
            found[str(tweet["id"])] = tweet_post(tweet, users)
    return found
