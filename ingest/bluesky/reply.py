"""Bluesky replies over plain XRPC (the ``atproto`` SDK is not needed).

``com.atproto.server.createSession`` with the brand handle and an app password, then
``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post`` whose ``reply`` names the root
and the parent (uri + cid). The parent's cid and the thread root come from the stored
Jetstream frame; when missing they are read with ``com.atproto.repo.getRecord``.
:meth:`BlueskyReplier.publish` creates a top-level post (outbound incident updates).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import requests

from ingest.reply import ReplyError, ReplyTarget
from ingest.reply_config import BlueskyReply
from schemas.plumbing.credentials import secret

POST = "app.bsky.feed.post"


class BlueskyReplier:
    platform = "bluesky"

    def __init__(self, config: BlueskyReply) -> None:
        ident = secret(config.identifier_env, config.identifier_file, required=False)
        password = secret(config.app_password_env, config.app_password_file, required=False)
        if ident is None or password is None:
            raise LookupError("no Bluesky handle / app password")
        self.config, self.ident, self.password = config, ident, password
        self.base = config.service.rstrip("/") + "/xrpc/"
        self.http = requests.Session()
        self._session: dict[str, Any] | None = None

    def _call(self, method: str, nsid: str, *, auth: bool = True, **kwargs: Any) -> dict:
        headers = {}
        if auth:
            headers["Authorization"] = f"Bearer {self._login()['accessJwt']}"
        try:
            response = self.http.request(method, self.base + nsid, headers=headers,
                                         timeout=self.config.timeout, **kwargs)
        except requests.RequestException as error:
            raise ReplyError("bluesky", f"{type(error).__name__}: {error}") from error
        if response.status_code >= 400:
            try:
                body = response.json()
                message = f"{body.get('error', '')}: {body.get('message', '')}".strip(": ")
            except ValueError:
                message = response.text[:200]
            wait = response.headers.get("retry-after")
            if auth and response.status_code == 400 and "ExpiredToken" in message:
                self._session = None
            raise ReplyError("bluesky", message or response.reason, response.status_code,
                             float(wait) if wait and wait.isdigit() else None)
        return response.json()

    def _login(self) -> dict[str, Any]:
        if self._session is None:
            self._session = self._call("POST", "com.atproto.server.createSession", auth=False,
                                       json={"identifier": self.ident.get_secret_value(),
                                             "password": self.password.get_secret_value()})
        return self._session

    def _ref(self, target: ReplyTarget) -> tuple[dict[str, str], dict[str, str]]:
        """(root, parent) strong refs of the post being answered."""
        uri = target.platform_id
        commit = target.raw.get("commit") if isinstance(target.raw.get("commit"), dict) else {}
        cid, record = commit.get("cid"), commit.get("record")
        if not cid or not isinstance(record, dict):
            repo, _, rkey = uri.removeprefix("at://").partition(f"/{POST}/")
            found = self._call("GET", "com.atproto.repo.getRecord",
                               params={"repo": repo, "collection": POST, "rkey": rkey})
            cid, record = found["cid"], found.get("value") or {}
        parent = {"uri": uri, "cid": cid}
        root = (record.get("reply") or {}).get("root") or parent
        return {"uri": root["uri"], "cid": root["cid"]}, parent

    def send(self, target: ReplyTarget, text: str, key: str) -> str:
        root, parent = self._ref(target)
        return self._create(text, {"reply": {"root": root, "parent": parent}})

    def publish(self, text: str, key: str) -> tuple[str, str]:
        """A top-level post; returns (its at:// URI, its bsky.app URL)."""
        uri = self._create(text, {})
        did, _, rkey = uri.removeprefix("at://").partition(f"/{POST}/")
        return uri, f"https://bsky.app/profile/{did}/post/{rkey}"

    def _create(self, text: str, extra: dict[str, Any]) -> str:
        session = self._login()
        record = {"$type": POST, "text": text,
                  "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"), **extra}
        created = self._call("POST", "com.atproto.repo.createRecord",
                             json={"repo": session["did"], "collection": POST, "record": record})
        return str(created["uri"])
