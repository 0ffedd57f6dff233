"""Mastodon replies via Mastodon.py: ``status_post(text, in_reply_to_id=..., visibility=...)``.

A stored Mastodon post is known by its ActivityPub URI (posts come from any instance); the
reply instance's local id is found with ``search_v2(uri, resolve=True)``, falling back to the
id in the stored payload. The idempotency key is sent as Mastodon's ``Idempotency-Key``, so a
retried request cannot make a second status either. :meth:`MastodonReplier.publish` posts a
top-level status with the same client (outbound incident updates).
"""

from __future__ import annotations

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
)

from ingest.reply import ReplyError, ReplyTarget
from ingest.reply_config import MastodonReply
from schemas.plumbing.credentials import secret


class MastodonReplier:
    platform = "mastodon"

    def __init__(self, config: MastodonReply) -> None:
        token = secret(config.access_token_env, config.access_token_file, required=False)
        if token is None:
            raise LookupError("no Mastodon access token")
        self.config = config
        self.client = Mastodon(access_token=token.get_secret_value(),
                               api_base_url=config.api_base_url, version_check_mode="none",
                               ratelimit_method="throw", request_timeout=config.timeout)

    def _local_id(self, target: ReplyTarget) -> str:
        uri = target.platform_id
        if uri.startswith("http"):
            found = self.client.search_v2(uri, resolve=True, result_type="statuses",
                                         exclude_unreviewed=False)  # no version probe
            statuses = (found or {}).get("statuses") or []
            if statuses:
                return str(statuses[0]["id"])
        if target.raw.get("id") is not None:
            return str(target.raw["id"])
        raise ReplyError("mastodon", f"status {uri} not found on {self.config.api_base_url}", 404)

    def send(self, target: ReplyTarget, text: str, key: str) -> str:
        handle = target.author_handle
        if self.config.mention_author and handle.startswith("@") and handle not in text:
            text = f"{handle} {text}"
        return str(self._status(text, key, target)["id"])

    def publish(self, text: str, key: str) -> tuple[str, str]:
        """A top-level status; returns (its id, its URL). Raises :class:`ReplyError`."""
        status = self._status(text, key, None)
        return str(status["id"]), str(status.get("url") or status.get("uri") or "")

    def _status(self, text: str, key: str, target: ReplyTarget | None) -> dict:
        try:
            in_reply_to = self._local_id(target) if target is not None else None
            return self.client.status_post(text, in_reply_to_id=in_reply_to,
                                           visibility=self.config.visibility,
                                           idempotency_key=key)
        except MastodonRatelimitError as error:
            raise ReplyError("mastodon", str(error), 429) from error
        except MastodonAPIError as error:
            status = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], int) \
                else None
            detail = error.args[3] if len(error.args) > 3 else str(error)
            raise ReplyError("mastodon", str(detail), status) from error
        except MastodonNetworkError as error:
            raise ReplyError("mastodon", f"network: {error}") from error
        except MastodonError as error:
            raise ReplyError("mastodon", str(error)) from error
