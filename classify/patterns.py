"""Word lists and token patterns shared by the topic rules and the urgency cues.

``words`` splits a post once (cached, so topic and urgency share it; the classifier passes
:func:`split_words` of each post to both instead); :class:`PatternIndex`
matches multi-word patterns with prefix (``kaatu*``), wildcard (``*``) and number (``<n>``)
tokens. Both are pure and built once per classifier.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"\w[\w'\-]*|[^\w\s]")


def split_words(text: str, low: str | None = None) -> tuple[str, ...]:
    """Lower-cased words and punctuation of ``text`` for the prefix/cue layers (~5 µs/tweet);
    ``low`` is ``text.lower()`` when the caller has it already."""
    return tuple(_WORD.findall((text.lower() if low is None else low).replace("\u2019", "'")))


@lru_cache(maxsize=256)  # topic and urgency both need the words of the same post
def words(text: str) -> tuple[str, ...]:
    """:func:`split_words`, cached for callers that classify one post at a time."""
    return split_words(text)


class PatternIndex:
    """Token patterns with prefix (``kaatu*``), wildcard (``*``) or number (``<n>``) tokens,
    indexed by their first token. Used by the topic prefix layer and the urgency cues."""

    def __init__(self) -> None:
        self.exact: dict[str, list[tuple[tuple[str, ...], str, float]]] = {}
        self.prefix: dict[str, list[tuple[tuple[str, ...], str, float]]] = {}
        self.pairs: dict[tuple[str, str], list[tuple[tuple[str, ...], str, float]]] = {}

    def add(self, phrase: str, label: str, weight: float = 1.0) -> None:
        tokens: list[str] = []
        for word in phrase.lower().split():
            special = word in ("*", "<n>") or (word.endswith("*") and len(word) >= 4)
            tokens += [word] if special else list(words(word))
        if not tokens:
            return
        first, entry = tokens[0], (tuple(tokens), label, weight)
        if first.endswith("*") and first != "*":
            self.prefix.setdefault(first[:3], []).append(entry)
        elif len(tokens) > 1 and not _special(tokens[1]):
            self.pairs.setdefault((first, tokens[1]), []).append(entry)
            self.exact.setdefault(first, [])
        else:
            self.exact.setdefault(first, []).append(entry)

    def find(self, lowers: tuple[str, ...]) -> list[tuple[int, int, str, float]]:
        """(start, end, label, weight) of every pattern occurrence in the word list, by start
        position, then in the order the patterns were added (exact, pair, prefix)."""
        out = []
        exact, prefix, pairs, n = self.exact, self.prefix, self.pairs, len(lowers)
        # Set intersections (C speed) first: most words start no pattern at all.
        firsts = exact.keys() & set(lowers)
        heads = prefix.keys() & {w[:3] for w in lowers}
        numbers = "<n>" in exact and any(map(str.isdigit, lowers))
        if not (firsts or heads or numbers):
            return out
        # the positions where a pattern may start (the others start none)
        if "<n>" in firsts:
            starts = range(n)
        elif not (heads or numbers):
            starts = [i for i, low in enumerate(lowers) if low in firsts]
        else:
            starts = [i for i, low in enumerate(lowers) if low in firsts or low[:3] in heads
                      or (numbers and low.isdigit())]
        for i in starts:
            low = lowers[i]
            cands: list | None = None
            for key in (low, "<n>"):
                if key in firsts or (key == "<n>" and numbers and low.isdigit()):
                    nxt = pairs.get((key, lowers[i + 1]), []) if i + 1 < n else []
                    cands = (cands or []) + exact[key] + nxt
            if heads and low[:3] in heads:
                cands = (cands or []) + prefix[low[:3]]
            for tokens, label, weight in cands or ():
                end = i + len(tokens)
                if end <= n and (tokens == lowers[i:end] or all(map(_tok_ok, tokens, lowers[i:end]))):
                    out.append((i, end, label, weight))
        return out


def _special(token: str) -> bool:
    return token in ("*", "<n>") or token.endswith("*")


def _tok_ok(pattern: str, token: str) -> bool:
    if pattern == token or pattern == "*":
        return True
    if pattern[-1] == "*":
        return token.startswith(pattern[:-1])
    return pattern == "<n>" and token.isdigit()
