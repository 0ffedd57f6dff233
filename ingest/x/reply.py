"""X replies via tweepy: ``Client.create_tweet(text, in_reply_to_tweet_id=...)``; the same
client publishes top-level status posts (:meth:`XReplier.publish`, outbound incident updates).

User context is required (an app-only bearer token cannot post): OAuth 1.0a keys of the brand
account, or an OAuth 2.0 user access token. ``api_base_url`` reroutes tweepy's fixed
``https://api.twitter.com`` with the ingestor's requests adapter.
"""

from __future__ import annotations

import time

import tweepy

from ingest.reply import ReplyError, ReplyTarget
from ingest.reply_config import XReply
from ingest.x.source import API, RebaseAdapter
from schemas.plumbing.credentials import secret


class XReplier:
    platform = "x"

    def __init__(self, config: XReply) -> None:
        c = config
        keys = [secret(c.consumer_key_env, c.consumer_key_file, required=False),
                secret(c.consumer_secret_env, c.consumer_secret_file, required=False),
                secret(c.access_token_env, c.access_token_file, required=False),
                secret(c.access_token_secret_env, c.access_token_secret_file, required=False)]
        user_token = secret(c.user_token_env, c.user_token_file, required=False)
        if all(keys):
            ck, cs, at, ats = (k.get_secret_value() for k in keys)
            self.client = tweepy.Client(consumer_key=ck, consumer_secret=cs, access_token=at,
                                        access_token_secret=ats, return_type=dict)
            self.user_auth = True
        elif user_token is not None:
            self.client = tweepy.Client(user_token.get_secret_value(), return_type=dict)
            self.user_auth = False
        else:
            raise LookupError("no X user credentials (OAuth 1.0a keys or a user access token)")
        if c.api_base_url.rstrip("/") != API:
            self.client.session.mount(API, RebaseAdapter(c.api_base_url))
        self.timeout = c.timeout

    def send(self, target: ReplyTarget, text: str, key: str) -> str:
        return self._tweet(text, target.platform_id)

    def publish(self, text: str, key: str) -> tuple[str, str]:
        """A top-level tweet; returns (tweet id, its URL). Raises :class:`ReplyError`."""
        tweet_id = self._tweet(text, None)
        return tweet_id, f"https://x.com/i/status/{tweet_id}"

    def _tweet(self, text: str, in_reply_to: str | None) -> str:
        try:
            response = self.client.create_tweet(text=text, in_reply_to_tweet_id=in_reply_to,
                                                user_auth=self.user_auth)
        except tweepy.TooManyRequests as error:
            reset = error.response.headers.get("x-rate-limit-reset")
            wait = max(0.0, int(reset) - time.time()) if reset and reset.isdigit() else None
            raise ReplyError("x", _message(error), 429, wait) from error
        except tweepy.HTTPException as error:
            raise ReplyError("x", _message(error), error.response.status_code) from error
        except tweepy.TweepyException as error:
            raise ReplyError("x", str(error)) from error
        except OSError as error:  # requests' ConnectionError, timeouts
            raise ReplyError("x", f"{type(error).__name__}: {error}") from error
        return str(response["data"]["id"])


def _message(error: tweepy.HTTPException) -> str:
    return "; ".join(error.api_messages) or str(error)
