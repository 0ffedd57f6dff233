"""A Facebook page over the Graph API: page posts, comment replies, Messenger replies.

* publish: ``POST /{version}/{page-id}/feed`` with ``message`` → ``{"id": "<page>_<post>"}``;
* reply (``reply_via: comments``): ``POST /{version}/{comment-id}/comments`` with ``message``;
* reply (``reply_via: messenger``): ``POST /{version}/{page-id}/messages`` with
  ``{"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": ...}}``,
  only inside Meta's 24-hour window (the delivery loop checks it before calling).

The page access token goes in the ``access_token`` parameter (never logged). Graph's throttling
errors (codes 4, 17, 32, 613, answered as HTTP 400/403) are retried like a 429.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from ingest.reply import Published
from schemas import Post
from schemas.plumbing import http
from schemas.plumbing.credentials import secret

THROTTLED = {4, 17, 32, 613}
FORM = "application/x-www-form-urlencoded"


class FacebookPageChannel:
    can_reply = True

    def __init__(self, config) -> None:
        self.config, self.name = config, config.channel_name
        self._token = secret(config.page_token_env, config.page_token_file)
        self.base = f"{config.api_base_url.rstrip('/')}/{config.api_version}/"

    def _call(self, node: str, edge: str, fields: dict | None = None,
              body: dict | None = None) -> dict:
        token = self._token.get_secret_value()
        if body is None:
            data, kind = urlencode({**(fields or {}), "access_token": token}).encode(), FORM
        else:
            data, kind = json.dumps({**body, "access_token": token}).encode(), "application/json"
        url = self.base + quote(node, safe="") + "/" + edge
        response = http.request("POST", url, {"Content-Type": kind},
                                timeout=self.config.timeout, data=data)
        try:
            return http.check(response).json()
        except http.Rejected as error:
            if _graph_code(error.body) in THROTTLED:
                raise http.Retryable(f"Graph API throttled: {error.body[:200]}", None,
                                     error.status) from error
            raise

    def publish(self, text: str, key: str, context: dict | None = None) -> Published:
        created = self._call(self.config.page_id, "feed", {"message": text})
        post_id = str(created.get("id") or "")
        if not post_id:
            raise http.Rejected(200, json.dumps(created), "Graph API answered without an id")
        return Published(post_id, f"https://www.facebook.com/{post_id}")

    def reply(self, post: Post, text: str, key: str) -> str:
        if self.config.reply_via == "messenger":
            if not post.author.id:
                raise http.Rejected(400, "", "Messenger needs the author's page-scoped id")
            sent = self._call(self.config.page_id, "messages", body={
                "recipient": {"id": post.author.id}, "messaging_type": "RESPONSE",
                "message": {"text": text}})
            return str(sent.get("message_id") or "")
        made = self._call(post.platform_id or post.id.removeprefix("facebook:"), "comments",
                          {"message": text})
        return str(made.get("id") or "")


def _graph_code(body: str) -> int | None:
    try:
        error = json.loads(body).get("error") or {}
    except (ValueError, AttributeError):
        return None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, int) else None
