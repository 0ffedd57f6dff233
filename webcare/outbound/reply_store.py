"""Personal replies in the store (``outbound_replies``, migration 3), once per author.

The store itself is :class:`sinks.store.outbound.ReplyStore` (its SQL, on SQLite and
PostgreSQL): :meth:`ReplyStore.plan` inserts with ``ON CONFLICT DO NOTHING`` on ``UNIQUE
(incident_key, author_platform, author_key, kind)``: however many posts an author wrote and
however many workers plan at once, an author gets one ``status`` reply and one ``resolved``
follow-up per incident. :meth:`ReplyStore.claim` moves one pending reply to ``sending`` only
while the channel has sent fewer than its ``replies_per_minute`` in the last 60 s of the
delivery clock; on SQLite the claim runs under ``BEGIN IMMEDIATE`` and on PostgreSQL under a
per-channel advisory lock, so the count holds with several workers too.
"""

from __future__ import annotations

from sinks.store.outbound import WINDOW_SECONDS, ReplyStore, author_key

__all__ = ["WINDOW_SECONDS", "ReplyStore", "author_key"]
