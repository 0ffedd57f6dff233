"""``app.reply.platforms``: where each platform's reply credentials are (never the secrets).

Each platform block names environment variables (``NAME`` or ``NAME_FILE`` pointing at a
secret file) or ``*_file`` keys, resolved with :func:`schemas.plumbing.credentials.secret` into
``SecretStr`` when the repliers are built. A platform without a block, or whose credentials
are not set, replies in dry-run (recorded, not sent). ``api_base_url`` / ``oauth_url`` /
``service`` reroute the clients (proxies, the tests' local fakes).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout: float = Field(default=20.0, gt=0, le=300, description="seconds per request")


class XReply(_Block):
    """OAuth 1.0a user context (consumer key/secret + access token/secret of the brand account),
    or an OAuth 2.0 user access token with ``tweet.write`` (``user_token_env``)."""

    consumer_key_env: str = "X_CONSUMER_KEY"
    consumer_key_file: str | None = None
    consumer_secret_env: str = "X_CONSUMER_SECRET"
    consumer_secret_file: str | None = None
    access_token_env: str = "X_ACCESS_TOKEN"
    access_token_file: str | None = None
    access_token_secret_env: str = "X_ACCESS_TOKEN_SECRET"
    access_token_secret_file: str | None = None
    user_token_env: str = "X_USER_ACCESS_TOKEN"
    user_token_file: str | None = None
    api_base_url: str = "https://api.twitter.com"


class RedditReply(_Block):
    """A *script* app plus the brand account's username/password."""

    client_id_env: str = "REDDIT_CLIENT_ID"
    client_id_file: str | None = None
    client_secret_env: str = "REDDIT_CLIENT_SECRET"
    client_secret_file: str | None = None
    username_env: str = "REDDIT_USERNAME"
    username_file: str | None = None
    password_env: str = "REDDIT_PASSWORD"
    password_file: str | None = None
    user_agent: str = "webcare:itsm-webcare:1.0 (by u/webcare)"
    oauth_url: str = "https://oauth.reddit.com"
    reddit_url: str = "https://www.reddit.com"


class MastodonReply(_Block):
    """An access token of the brand account with scope ``write:statuses`` (+ ``read:search``)."""

    api_base_url: str
    access_token_env: str = "MASTODON_REPLY_TOKEN"
    access_token_file: str | None = None
    visibility: Literal["public", "unlisted", "private", "direct"] = "public"
    mention_author: bool = Field(default=True, description="start with @author when missing")


class BlueskyReply(_Block):
    """The brand account's handle and an app password (Settings → App passwords)."""

    service: str = "https://bsky.social"
    identifier_env: str = "BLUESKY_HANDLE"
    identifier_file: str | None = None
    app_password_env: str = "BLUESKY_APP_PASSWORD"
    app_password_file: str | None = None


class ReplyPlatforms(BaseModel):
    model_config = ConfigDict(extra="forbid")

    x: XReply | None = None
    reddit: RedditReply | None = None
    mastodon: MastodonReply | None = None
    bluesky: BlueskyReply | None = None
