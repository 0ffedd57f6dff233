"""A status page fed by a signed webhook: one JSON POST per published status post.

The body is ``{outbound_id, text, sent_at, incident_key, kind, status, lang, link}`` signed
like the ticket webhook (``X-Webcare-Signature: sha256=<HMAC-SHA256 of the exact body>``,
:func:`sinks.tickets.webhook.sign`); ``X-Webcare-Event-Id`` (= the outbound id) lets the
receiver drop a redelivery. It may answer ``{"id": ..., "url": ...}``; otherwise the outbound id
stands in. A status page takes no personal replies.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from ingest.reply import Published
from schemas import Post
from schemas.plumbing import http
from schemas.plumbing.credentials import secret
from sinks.tickets.webhook import SIGNATURE_HEADER, parse_ticket, sign


class StatuspageChannel:
    can_reply = False

    def __init__(self, config) -> None:
        self.config, self.name = config, config.channel_name
        self._secret = secret(config.secret_env, config.secret_file)

    def publish(self, text: str, key: str, context: dict | None = None) -> Published:
        data = json.dumps({**(context or {}), "outbound_id": key, "text": text,
                           "sent_at": datetime.now(timezone.utc).isoformat()},
                          sort_keys=True).encode("utf-8")
        headers = {**self.config.headers, SIGNATURE_HEADER: sign(data, self._secret),
                   "X-Webcare-Event-Id": key, "Content-Type": "application/json"}
        response = http.check(http.request("POST", self.config.url, headers,
                                           timeout=self.config.timeout, data=data))
        try:
            answer = json.loads(response.body) if response.body.strip() else {}
        except ValueError:
            answer = {}
        url = answer.get("url") if isinstance(answer, dict) else None
        return Published(parse_ticket(response, key), str(url or ""))

    def reply(self, post: Post, text: str, key: str) -> str:
        raise http.Rejected(400, "", "a status page takes no replies")
