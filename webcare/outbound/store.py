"""Status posts in the store (``outbound_posts``, migration 3): drafts, decisions, delivery marks.

Used by the drafting listener (pipeline thread, the pipeline's connection), by the delivery loop
(its own connection), by the app and by ``webcare outbound``. The SQL (SQLite and PostgreSQL,
the sending claim with its lease) is :class:`sinks.store.outbound.OutboundPosts`; here are the
decisions on top of it: every auto-approval, edit, approval and rejection writes its audit entry
in the same transaction, and a decision on a post that is no longer a draft is a
:class:`Conflict`.
"""

from __future__ import annotations

from typing import Any

from schemas.errors import WebcareError
from sinks.store.app_db import iso, new_id
from sinks.store.outbound import OutboundPosts, counts_by_channel

__all__ = ["OPEN_STATES", "Conflict", "PostStore", "counts_by_channel"]

OPEN_STATES = ("draft", "approved", "sending")


class Conflict(WebcareError, ValueError):
    """The post is no longer in the state the action needs (someone else acted first)."""


class PostStore(OutboundPosts):
    # -- drafting ----------------------------------------------------------------------------
    def add(self, row: dict[str, Any], approved_by: str | None, now) -> bool:
        """Insert one draft (``approved_by``: published without approval); False when this
        event already has its post on that channel (replay). Older drafts of the same incident
        and channel are skipped as superseded."""
        stamp = iso(now)
        with self.db.tx():
            outbound_id = new_id()
            state = "approved" if approved_by else "draft"
            if not self.insert_draft(row, outbound_id, state, stamp, approved_by,
                                     now.timestamp() if approved_by else None):
                return False
            self.supersede_drafts(row["incident_key"], row["channel"], row["lang"], outbound_id,
                                  f"superseded by the {row['kind']} draft")
            if approved_by:
                self._audit(approved_by, "outbound.auto_approve", outbound_id, None,
                            {"state": "approved", "body": row["body"]})
        return True

    # -- decisions (audited in the same transaction) -------------------------------------------
    def decide(self, outbound_id: str, actor: str, action: str, now, body: str | None = None,
               reason: str | None = None) -> dict[str, Any]:
        """``edit`` / ``approve`` / ``reject`` a draft; raises Conflict when it is not one."""
        target = {"edit": "draft", "approve": "approved", "reject": "rejected"}[action]
        with self.db.tx():
            before = self.get(outbound_id)
            if before is None:
                raise LookupError(f"no outbound post {outbound_id!r}")
            text = before["body"] if body is None else body
            if not self.set_decision(outbound_id, target, text, reason, actor, iso(now),
                                     now.timestamp() if target == "approved" else None):
                raise Conflict(f"outbound post is {before['state']}, not a draft")
            self._audit(actor, f"outbound.{action}", outbound_id,
                        {"state": before["state"], "body": before["body"]},
                        {"state": target, "body": text, **({"reason": reason} if reason else {})},
                        before)
        return self.get(outbound_id)

    def _audit(self, actor: str, action: str, outbound_id: str, before: Any, after: Any,
               row: dict | None = None) -> None:
        row = row or self.get(outbound_id)
        self.app.audit(actor, action, None, before, after,
                       {"outbound_id": outbound_id, "incident_key": row["incident_key"],
                        "channel": row["channel"], "kind": row["kind"], "lang": row["lang"]})
