"""The webcare app's records in the store (schema version 2, ``app_schema.sql``).

Users (password hashes only), sessions and API tokens (token hashes only), claims, the audit
trail, notes, relabels (training data) and replies. Works on an opened SQLite or PostgreSQL
store (``AppStore(store)``); every write that changes an item also writes its audit entry in
the same transaction. Claims are collision-safe: one conditional ``UPDATE ... WHERE owner IS
NULL`` decides, so two agents can never both own an item.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from sinks.store.app_db import AppDb, iso, new_id, now

ROLES = ("agent", "lead", "comms", "admin")


class AppStore:
    def __init__(self, store: Any) -> None:
        self.store = store
        self.db = AppDb(store.db)

    # -- users and sessions -------------------------------------------------------------
    def add_user(self, name: str, role: str, password_hash: str) -> None:
        """Create a user; raises ValueError when the name is taken or the role unknown."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
        with self.db.tx():
            if self.db.one("SELECT name FROM users WHERE name = ?", (name,)):
                raise ValueError(f"user {name!r} already exists")
            self.db.run("INSERT INTO users (name, role, password_hash, created_at, disabled) "
                        "VALUES (?, ?, ?, ?, 0)", (name, role, password_hash, iso(now())))
            self.audit_in_tx("system", "user.add", None, None, {"name": name, "role": role})

    def user(self, name: str) -> dict[str, Any] | None:
        return self.db.one("SELECT name, role, password_hash, disabled FROM users "
                           "WHERE name = ?", (name,))

    def users(self) -> list[dict[str, Any]]:
        return self.db.rows("SELECT name, role, created_at, disabled FROM users ORDER BY name")

    def set_password(self, name: str, password_hash: str) -> bool:
        with self.db.tx():
            changed = self.db.run("UPDATE users SET password_hash = ? WHERE name = ?",
                                  (password_hash, name))
            self.db.run("DELETE FROM sessions WHERE user_name = ? AND kind = 'session'", (name,))
        return changed == 1

    def add_session(self, token_hash: str, user: str, kind: str, csrf: str,
                    expires_at: datetime, label: str | None = None) -> None:
        with self.db.tx():
            self.db.run("INSERT INTO sessions (token_hash, user_name, kind, csrf_token, "
                        "created_at, expires_at, label) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (token_hash, user, kind, csrf, iso(now()), iso(expires_at), label))

    def session(self, token_hash: str, kind: str) -> dict[str, Any] | None:
        """The live session/token with its user, or None (expired, unknown, user disabled)."""
        return self.db.one(
            "SELECT s.user_name AS name, u.role AS role, s.csrf_token AS csrf "
            "FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.token_hash = ? "
            "AND s.kind = ? AND s.expires_at > ? AND u.disabled = 0",
            (token_hash, kind, iso(now())))

    def end_session(self, token_hash: str) -> None:
        with self.db.tx():
            self.db.run("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    # -- claims ---------------------------------------------------------------------------
    def owner(self, post_id: str) -> str | None:
        row = self.db.one("SELECT owner FROM claims WHERE post_id = ?", (post_id,))
        return row["owner"] if row else None

    def claim(self, post_id: str, user: str) -> tuple[bool, str | None]:
        """(won, owner): won is False when someone else holds the item (owner says who)."""
        with self.db.tx():
            self.db.run("INSERT INTO claims (post_id, owner, claimed_at) VALUES (?, NULL, NULL) "
                        "ON CONFLICT (post_id) DO NOTHING", (post_id,))
            won = self.db.run("UPDATE claims SET owner = ?, claimed_at = ? "
                              "WHERE post_id = ? AND owner IS NULL",
                              (user, iso(now()), post_id)) == 1
            if won:
                before = self._status(post_id)
                self.db.run("UPDATE queue_items SET status = 'claimed' WHERE post_id = ? "
                            "AND status = 'open'", (post_id,))
                self.audit_in_tx(user, "claim", post_id, {"owner": None, "status": before},
                            {"owner": user, "status": self._status(post_id)})
        owner = self.owner(post_id)
        return won or owner == user, owner

    def release(self, post_id: str, user: str, force: bool = False) -> bool:
        """Give an item back; only its owner may, unless ``force`` (leads, admins)."""
        with self.db.tx():
            owner = self.owner(post_id)
            if owner is None or (owner != user and not force):
                return False
            self.db.run("UPDATE claims SET owner = NULL, claimed_at = NULL "
                        "WHERE post_id = ? AND owner = ?", (post_id, owner))
            before = self._status(post_id)
            self.db.run("UPDATE queue_items SET status = 'open' WHERE post_id = ? "
                        "AND status = 'claimed'", (post_id,))
            self.audit_in_tx(user, "release", post_id, {"owner": owner, "status": before},
                        {"owner": None, "status": self._status(post_id)})
        return True

    def set_status(self, post_id: str, user: str, action: str, status: str,
                   detail: dict[str, Any] | None = None, incident_key: str | None = None) -> None:
        """Move an item to ``status`` (replied, escalated, dismissed) and audit it."""
        with self.db.tx():
            before = self._status(post_id)
            self.db.run("UPDATE queue_items SET status = ?, incident_key = COALESCE(?, "
                        "incident_key) WHERE post_id = ?", (status, incident_key, post_id))
            self.audit_in_tx(user, action, post_id, {"status": before},
                        {"status": status, **({"incident": incident_key} if incident_key else {})},
                        detail)

    def _status(self, post_id: str) -> str | None:
        row = self.db.one("SELECT status FROM queue_items WHERE post_id = ?", (post_id,))
        return row["status"] if row else None

    # -- audit, notes, relabels, replies --------------------------------------------------
    def audit_in_tx(self, actor: str, action: str, post_id: str | None, before: Any, after: Any,
                    detail: Any = None) -> None:
        """Write one audit row inside the caller's open transaction (so the change and its
        audit commit together; :meth:`audit` opens its own)."""
        dump = lambda value: None if value is None else orjson.dumps(value).decode()  # noqa
        self.db.run("INSERT INTO audit (audit_id, at, actor, action, post_id, before_json, "
                    "after_json, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (new_id(), iso(now()), actor, action, post_id, dump(before), dump(after),
                     dump(detail)))

    def audit(self, actor: str, action: str, post_id: str | None = None, before: Any = None,
              after: Any = None, detail: Any = None) -> None:
        with self.db.tx():
            self.audit_in_tx(actor, action, post_id, before, after, detail)

    def audit_entries(self, post_id: str | None = None, limit: int = 200) -> list[dict]:
        sql = ("SELECT at, actor, action, post_id, before_json, after_json, detail_json "
               "FROM audit")
        params: tuple = (limit,)
        if post_id is not None:
            sql, params = sql + " WHERE post_id = ?", (post_id, limit)
        rows = self.db.rows(sql + " ORDER BY at DESC, audit_id LIMIT ?", params)
        for row in rows:
            for key in ("before", "after", "detail"):
                text = row.pop(f"{key}_json")
                row[key] = orjson.loads(text) if text else None
        return rows

    def add_note(self, post_id: str, user: str, body: str) -> None:
        with self.db.tx():
            note_id = new_id()
            self.db.run("INSERT INTO notes (note_id, post_id, author, at, body) "
                        "VALUES (?, ?, ?, ?, ?)", (note_id, post_id, user, iso(now()), body))
            self.audit_in_tx(user, "note", post_id, None, {"note_id": note_id, "body": body})

    def notes(self, post_id: str) -> list[dict]:
        return self.db.rows("SELECT author, at, body FROM notes WHERE post_id = ? "
                            "ORDER BY at", (post_id,))

    def add_relabel(self, post_id: str, user: str, text: str, lang: str,
                    before: dict[str, str], after: dict[str, str]) -> None:
        """Store a corrected label set as training data (and audit it)."""
        with self.db.tx():
            self.db.run("INSERT INTO relabels (relabel_id, post_id, actor, at, text, lang, topic, "
                        "sentiment, urgency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (new_id(), post_id, user, iso(now()), text, lang, after["topic"],
                         after["sentiment"], after["urgency"]))
            self.audit_in_tx(user, "relabel", post_id, before, after)

    def relabels(self, post_id: str | None = None) -> list[dict]:
        """The latest relabel per post (or all of one post), oldest first."""
        if post_id is not None:
            return self.db.rows("SELECT post_id, actor, at, text, lang, topic, sentiment, "
                                "urgency FROM relabels WHERE post_id = ? ORDER BY at", (post_id,))
        return self.db.rows(
            "SELECT r.post_id, r.actor, r.at, r.text, r.lang, r.topic, r.sentiment, r.urgency "
            "FROM relabels r WHERE r.at = (SELECT MAX(x.at) FROM relabels x "
            "WHERE x.post_id = r.post_id) ORDER BY r.at, r.post_id")

    def add_reply(self, post_id: str, user: str, body: str, mode: str,
                  platform_ref: str | None, status_after: str = "replied",
                  detail: dict[str, Any] | None = None) -> None:
        with self.db.tx():
            self.db.run("INSERT INTO replies (reply_id, post_id, actor, at, body, mode, "
                        "platform_ref) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (new_id(), post_id, user, iso(now()), body, mode, platform_ref))
            self.set_status(post_id, user, "reply", status_after,
                            {"mode": mode, "body": body, "platform_ref": platform_ref,
                             **(detail or {})})

    def replies(self, post_id: str) -> list[dict]:
        return self.db.rows("SELECT actor, at, body, mode, platform_ref FROM replies "
                            "WHERE post_id = ? ORDER BY at", (post_id,))
