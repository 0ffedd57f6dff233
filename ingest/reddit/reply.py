"""Reddit replies via praw: ``Comment.reply`` for ``t1_`` targets, ``Submission.reply`` for
``t3_`` ones, as the brand account (script app + password grant)."""

from __future__ import annotations

import praw
from praw.exceptions import PRAWException, RedditAPIException
from prawcore import exceptions as core

from ingest.reply import ReplyError, ReplyTarget
from ingest.reply_config import RedditReply
from schemas.plumbing.credentials import secret


class RedditReplier:
    platform = "reddit"

    def __init__(self, config: RedditReply) -> None:
        c = config
        found = [secret(c.client_id_env, c.client_id_file, required=False),
                 secret(c.client_secret_env, c.client_secret_file, required=False),
                 secret(c.username_env, c.username_file, required=False),
                 secret(c.password_env, c.password_file, required=False)]
        if not all(found):
            raise LookupError("Reddit replies need client id, secret, username and password")
        client_id, client_secret, username, password = (s.get_secret_value() for s in found)
        self.reddit = praw.Reddit(
            client_id=client_id, client_secret=client_secret, username=username,
            password=password, user_agent=c.user_agent, oauth_url=c.oauth_url.rstrip("/"),
            reddit_url=c.reddit_url.rstrip("/"), check_for_updates=False,
            requestor_kwargs={"timeout": c.timeout})

    def send(self, target: ReplyTarget, text: str, key: str) -> str:
        fullname = target.platform_id
        kind, _, thing_id = fullname.partition("_")
        if kind not in ("t1", "t3") or not thing_id:
            raise ReplyError("reddit", f"cannot reply to {fullname!r} (not a comment/post)")
        thing = (self.reddit.comment(id=thing_id) if kind == "t1"
                 else self.reddit.submission(id=thing_id))
        try:
            reply = thing.reply(text)
        except core.TooManyRequests as error:
            wait = error.response.headers.get("retry-after")
            raise ReplyError("reddit", str(error), 429,
                             float(wait) if wait and wait.isdigit() else None) from error
        except core.ResponseException as error:
            raise ReplyError("reddit", str(error), error.response.status_code) from error
        except core.OAuthException as error:
            raise ReplyError("reddit", f"login refused: {error}", 401) from error
        except core.RequestException as error:
            raise ReplyError("reddit", f"request failed: {error.original_exception}") from error
        except RedditAPIException as error:  # THREAD_LOCKED, RATELIMIT, ...
            raise ReplyError("reddit", "; ".join(str(item) for item in error.items)) from error
        except PRAWException as error:
            raise ReplyError("reddit", str(error)) from error
        if reply is None:  # created, but Reddit did not say which (quarantined subreddit)
            return "unknown"
        return reply.fullname
