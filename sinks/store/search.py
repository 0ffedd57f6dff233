"""Full-text search over stored posts (issue 21): one query language, two engines.

SQLite: the FTS5 index ``post_fts`` over ``post_search`` (migration 7,
``search_schema.sqlite.sql``, Porter stemming over Unicode words, diacritics folded).
PostgreSQL: ``post_search.tsv`` (the post's language config, 'simple' when unknown or mixed,
plus 'simple' for exact words) under a GIN index, matched with each term parsed in 'simple' and
in the post's own language config (``search_schema.postgres.sql``, :func:`pg_condition`).
Triggers on ``posts`` keep both in sync, so every writer (pipeline, Kafka sink, erasure) is
covered.

The query language is the web-search one on both: words (all must match), ``"a phrase"``,
``-word`` (must not match), ``OR`` between alternatives. :func:`parse` checks it the same way
for both engines; unbalanced quotes, a query of only exclusions, or an over-long query raise
:class:`BadSearch` (the app answers 400, the CLI one error line), never a database error.
:func:`match_sql` returns a SQL condition on ``p.post_id`` (posts aliased ``p``) with its bound
parameters, which :mod:`sinks.store.queue` adds to the queue's filters (``queue_rows``) and
uses for the search over all posts (``search_posts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from schemas.errors import WebcareError
from sinks.store.app_db import AppDb

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
# PostgreSQL text-search configs the query is also parsed with (fixed names, never input);
# the same ones webcare_ts_config() maps languages to.
PG_CONFIGS = ("simple", "english", "dutch", "german", "french", "spanish", "italian",
              "portuguese", "swedish", "danish", "norwegian", "finnish")
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


class BadSearch(WebcareError, ValueError):
    """A search text the query language cannot read (unbalanced quotes, nothing that must
    match, too long); the message says what to change."""


@dataclass(frozen=True)
class Term:
    text: str
    negated: bool = False
    phrase: bool = False


def parse(query: str) -> list[list[Term]]:
    """The query as alternatives (``OR``) of terms that must (not) match; [] for a blank one.
    Raises :class:`BadSearch` for a query neither engine would read the same way."""
    query = query.strip()
    if not query:
        return []
    if len(query) > MAX_QUERY_CHARS:
        raise BadSearch(f"bad search: at most {MAX_QUERY_CHARS} characters")
    if query.count('"') % 2:
        raise BadSearch('bad search: unbalanced quotes (close the "phrase")')
    groups: list[list[Term]] = [[]]
    for match in _TOKEN.finditer(query):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word == "OR":
            groups.append([])
            continue
        if phrase is not None:
            term = Term(" ".join(phrase.split()), bool(negated), True)
        else:
            negated = word.startswith("-") and len(word) > 1
            term = Term(word[1:] if negated else word, negated)
        if _words(term.text):
            groups[-1].append(term)
    groups = [group for group in groups if group]
    if sum(len(group) for group in groups) > MAX_TERMS:
        raise BadSearch(f"bad search: at most {MAX_TERMS} words")
    if not groups or any(all(term.negated for term in group) for group in groups):
        raise BadSearch("bad search: give at least one word that must match "
                        "(-word only excludes)")
    return groups


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def fts5_query(groups: list[list[Term]]) -> str:
    """The FTS5 MATCH text: every word a quoted string (no FTS5 operator can come from
    input), phrases kept, ``NOT`` after the required terms."""
    def quoted(term: Term) -> str:
        return '"' + " ".join(_words(term.text)) + '"'

    parts = []
    for group in groups:
        must = " AND ".join(quoted(t) for t in group if not t.negated)
        parts.append("(" + must + "".join(f" NOT {quoted(t)}" for t in group if t.negated)
                     + ")")
    return " OR ".join(parts)


def pg_condition(groups: list[list[Term]]) -> tuple[str, list[str]]:
    """The same query as a PostgreSQL condition on ``post_search s`` with its parameters. A
    post is matched in its own language's config only (``webcare_ts_config(lang)``, the one
    its ``tsv`` was stemmed with): per config, each term is its form in that config OR in
    'simple' (``plainto_tsquery``, ``phraseto_tsquery`` for a phrase), negated with ``!!``;
    terms AND, groups OR. So "printer" finds "printers" in an English post, and a stem some
    other language would make of a word never lets a post in or out."""
    conditions, params = [], []
    for config in PG_CONFIGS:  # fixed names, never input
        groups_sql = []
        for group in groups:
            terms = []
            for term in group:
                function = "phraseto_tsquery" if term.phrase else "plainto_tsquery"
                forms = f"({function}('{config}', ?) || {function}('simple', ?))"
                terms.append(("!!" if term.negated else "") + forms)
                params += [" ".join(_words(term.text))] * 2
            groups_sql.append("(" + " && ".join(terms) + ")")
        conditions.append(f"(webcare_ts_config(s.lang) = '{config}'::regconfig AND "
                          f"s.tsv @@ ({' || '.join(groups_sql)}))")
    return " OR ".join(conditions), params


def match_sql(db: AppDb, query: str) -> tuple[str, list[Any]] | None:
    """``(condition on p.post_id, params)`` for posts whose text matches ``query``; None for
    a blank query (no condition). Raises :class:`BadSearch`."""
    groups = parse(query)
    if not groups:
        return None
    if db.is_sqlite:
        return ("p.post_id IN (SELECT s.post_id FROM post_fts f JOIN post_search s "
                "ON s.rid = f.rowid WHERE post_fts MATCH ?)", [fts5_query(groups)])
    condition, params = pg_condition(groups)
    return f"p.post_id IN (SELECT s.post_id FROM post_search s WHERE {condition})", params
