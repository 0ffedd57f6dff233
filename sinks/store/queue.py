"""The webcare queue's read side: queue rows with their claims, one item with its context.

Called by the app's pages and JSON API (:mod:`webcare.app.queries`, :mod:`webcare.app.service`)
on the request's :class:`sinks.store.app_db.AppDb`. Filters are bound parameters on fixed SQL
fragments (column names only from :data:`FILTER_COLUMNS`); the order is priority, then waiting
time. Rows come back as plain dicts with the stored JSON (``item_json``, ``decision_json``) for
the caller to parse. A database error propagates: the page or API call fails, nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sinks.store import search
from sinks.store.app_db import AppDb

FILTER_COLUMNS = ("topic", "platform", "lang", "urgency")
_ITEM_ROWS = ("SELECT q.item_json, q.status, c.owner, c.claimed_at FROM queue_items q "
              "JOIN posts p ON p.post_id = q.post_id LEFT JOIN claims c ON c.post_id = q.post_id ")


def queue_rows(db: AppDb, statuses: Sequence[str], filters: dict[str, str],
               owner: str | None, limit: int, text: str | None = None,
               offset: int = 0, brand: str | None = None,
               team: str | None = None) -> list[dict[str, Any]]:
    """Queue items in one of ``statuses``, matching ``filters`` (post column → value, columns
    from :data:`FILTER_COLUMNS`), the full-text search ``text`` (:mod:`sinks.store.search`)
    and, when ``owner`` is given, claimed by them; highest priority first, then longest
    waiting (``offset`` pages through it: the CSV export). ``brand``: the post's brand;
    ``team``: the team the assignment pass gave the item (:mod:`sinks.store.assignment`).
    Raises ValueError for an unknown filter column, :class:`sinks.store.search.BadSearch` for
    an unreadable search."""
    unknown = set(filters) - set(FILTER_COLUMNS)
    if unknown or not statuses:
        raise ValueError(f"cannot filter the queue by {sorted(unknown) or 'no status'}")
    sql = _ITEM_ROWS + f"WHERE q.status IN ({','.join('?' * len(statuses))})"
    params: list[Any] = list(statuses)
    for column in FILTER_COLUMNS:  # column names come from this fixed tuple
        if column in filters:
            sql += f" AND p.{column} = ?"
            params.append(filters[column])
    if owner is not None:
        sql += " AND c.owner = ?"
        params.append(owner)
    if brand is not None:
        sql += " AND p.brand = ?"
        params.append(brand)
    if team is not None:
        sql += " AND q.post_id IN (SELECT a.post_id FROM assignments a WHERE a.team = ?)"
        params.append(team)
    matched = search.match_sql(db, text) if text else None
    if matched is not None:
        sql += " AND " + matched[0]
        params.extend(matched[1])
    sql += " ORDER BY q.priority DESC, q.created_at ASC, q.post_id LIMIT ? OFFSET ?"
    params.extend((limit, max(0, offset)))
    return db.rows(sql, params)


def search_posts(db: AppDb, text: str, filters: dict[str, str] | None = None,
                 queued_only: bool = False, limit: int = 100) -> list[dict[str, Any]]:
    """Stored posts (any action, noise included unless ``queued_only``) whose text matches
    ``text``, newest first, with their queue status (None when not queued): ``post_id,
    platform, lang, topic, urgency, priority, action, created_at, status, decision_json``.
    Raises ValueError for an unknown filter column, :class:`sinks.store.search.BadSearch`
    for an unreadable or blank search."""
    filters = filters or {}
    unknown = set(filters) - set(FILTER_COLUMNS)
    if unknown:
        raise ValueError(f"cannot filter posts by {sorted(unknown)}")
    matched = search.match_sql(db, text)
    if matched is None:
        raise search.BadSearch("bad search: give at least one word to search for")
    sql = ("SELECT p.post_id, p.platform, p.lang, p.topic, p.urgency, p.priority, p.action, "
           "p.created_at, q.status, p.decision_json FROM posts p LEFT JOIN queue_items q "
           f"ON q.post_id = p.post_id WHERE {matched[0]}")
    params = list(matched[1])
    for column in FILTER_COLUMNS:  # column names come from this fixed tuple
        if column in filters:
            sql += f" AND p.{column} = ?"
            params.append(filters[column])
    if queued_only:
        sql += " AND q.post_id IS NOT NULL"
    sql += " ORDER BY p.created_at DESC, p.post_id LIMIT ?"
    return db.rows(sql, [*params, limit])


def facet_values(db: AppDb) -> dict[str, list[str]]:
    """Per filter column, the values present in the queue (for the filter menus)."""
    return {column: [r["v"] for r in db.rows(
        f"SELECT DISTINCT p.{column} AS v FROM queue_items q JOIN posts p "
        f"ON p.post_id = q.post_id ORDER BY 1")] for column in FILTER_COLUMNS}


def brand_values(db: AppDb) -> list[str]:
    """The brands of queued posts (the queue's brand filter menu)."""
    return [r["v"] for r in db.rows("SELECT DISTINCT p.brand AS v FROM queue_items q JOIN posts "
                                    "p ON p.post_id = q.post_id WHERE p.brand IS NOT NULL "
                                    "ORDER BY 1")]


def version(db: AppDb) -> str:
    """A text that changes whenever an item arrives or an action on an item is audited (the
    queue page's server-sent events poll it)."""
    a = db.one("SELECT COUNT(*) AS n, MAX(created_at) AS latest FROM queue_items")
    b = db.one("SELECT COUNT(*) AS n, MAX(at) AS latest FROM audit WHERE post_id IS NOT NULL")
    return f"{a['n']}:{a['latest']}:{b['n']}:{b['latest']}"


def item_row(db: AppDb, post_id: str) -> dict[str, Any] | None:
    """One queue item with its claim, incident key and the post's decision JSON; None when the
    post has no queue item."""
    return db.one(
        "SELECT q.item_json, q.status, q.incident_key, c.owner, c.claimed_at, p.decision_json "
        "FROM queue_items q JOIN posts p ON p.post_id = q.post_id "
        "LEFT JOIN claims c ON c.post_id = q.post_id WHERE q.post_id = ?", (post_id,))


def exists(db: AppDb, post_id: str) -> bool:
    """Whether the post has a queue item (actions on anything else are refused as not found)."""
    return db.one("SELECT post_id FROM queue_items WHERE post_id = ?", (post_id,)) is not None


def item_status(db: AppDb, post_id: str) -> str | None:
    """The queue item's status (None when there is no item); audited as the before/after of a
    failed reply."""
    row = db.one("SELECT status FROM queue_items WHERE post_id = ?", (post_id,))
    return row["status"] if row else None


def incident_summary(db: AppDb, key: str) -> dict[str, Any] | None:
    """Key, status, urgency and post count of a stored incident (None when not stored)."""
    return db.one("SELECT incident_key, status, urgency, post_count FROM incidents "
                  "WHERE incident_key = ?", (key,))


def thread_rows(db: AppDb, post_id: str, root_key: str, limit: int) -> list[dict[str, Any]]:
    """Decision JSON of the other posts of the conversation whose root has the thread key
    ``root_key`` (``post_facts.conversation_root_key``): the root post itself and the posts
    naming it as their conversation, oldest first; both found through ``post_threads``'
    indexes."""
    return db.rows(
        "SELECT p.decision_json FROM post_threads t JOIN posts p ON p.post_id = t.post_id "
        "WHERE t.post_id <> ? AND (t.conversation_key = ? OR t.thread_key = ?) "
        "ORDER BY p.created_at LIMIT ?", (post_id, root_key, root_key, limit))


def author_rows(db: AppDb, handle: str, platform: str, post_id: str,
                limit: int) -> list[dict[str, Any]]:
    """Other queue items (any status) of the same author on the same platform, newest first,
    in the shape of :func:`queue_rows`."""
    return db.rows(
        _ITEM_ROWS + "WHERE p.author_handle = ? AND p.platform = ? AND q.post_id <> ? "
        "ORDER BY q.created_at DESC LIMIT ?", (handle, platform, post_id, limit))
