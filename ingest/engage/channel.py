"""A Viva Engage (Yammer) community over the Yammer REST API.

``POST /api/v1/messages.json`` with ``body`` and ``group_id`` (a status post in the community)
or ``replied_to_id`` (an answer to an Engage message), ``Authorization: Bearer <token>`` (an
Azure AD token for the Yammer resource or a Yammer developer token). The answer is
``{"messages": [{"id": ..., "web_url": ...}]}``.
"""

from __future__ import annotations

from ingest.reply import Published
from schemas import Post
from schemas.plumbing import http
from schemas.plumbing.credentials import secret


class EngageChannel:
    can_reply = True

    def __init__(self, config) -> None:
        self.config, self.name = config, config.channel_name
        self._token = secret(config.token_env, config.token_file)
        self.url = config.api_base_url.rstrip("/") + "/api/v1/messages.json"

    def _message(self, fields: dict) -> dict:
        headers = {"Authorization": f"Bearer {self._token.get_secret_value()}"}
        response = http.request("POST", self.url, headers, fields, timeout=self.config.timeout)
        messages = http.check(response).json().get("messages") or []
        if not messages or "id" not in messages[0]:
            raise http.Rejected(response.status, response.body, "Engage answered without a message")
        return messages[0]

    def publish(self, text: str, key: str, context: dict | None = None) -> Published:
        message = self._message({"body": text, "group_id": self.config.group_id})
        return Published(str(message["id"]), str(message.get("web_url") or ""))

    def reply(self, post: Post, text: str, key: str) -> str:
        replied_to = post.platform_id or post.id.removeprefix("engage:")
        return str(self._message({"body": text, "replied_to_id": replied_to})["id"])
