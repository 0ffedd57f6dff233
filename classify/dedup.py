"""The noise filter's bounded memory of recent posts: reposts, quotes and near-copies.

Called by :class:`classify.noise.NoiseFilter` once per post (``find`` then ``remember``).
Memory is capped in posts and in event-time minutes. Both calls take the post's
``strip_markup`` text when the caller has it (the signature is computed once for the pair).
"""

from __future__ import annotations

import zlib
from collections import OrderedDict, deque
from itertools import chain, islice, repeat
from operator import add
from typing import NamedTuple

from rapidfuzz import fuzz
from rapidfuzz.process import extractOne

from classify.language import strip_markup
from classify.noise_rules import RT_RE

_PUNCT = str.maketrans({c: " " for c in ".,!?;:'’-\"()"})

_SALTS = (0x5BD1E995, 0x27D4EB2F, 0x165667B1, 0x9E3779B1)
_XORS = tuple(salt.__xor__ for salt in _SALTS)
_OFFSETS = tuple(i + 1 << 32 for i in range(len(_SALTS)))  # one key space per min-hash
_BUCKET_SCAN = 16  # newest entries compared per bucket: bounds the work per post


class _Seen(NamedTuple):
    id: str
    at: float  # created_at, epoch seconds
    text: str  # normalised
    keys: tuple[int, ...]


def _normalise(text: str, clean: str | None = None) -> str:
    """Lowercased words of ``text`` without RT prefix, mentions, URLs, emoji, digits, punctuation
    (``clean``: ``strip_markup(text)``, used when there is no RT prefix)."""
    if clean is None or RT_RE.match(text):  # RT_RE only matches at the start
        clean = strip_markup(RT_RE.sub("", text))
    return " ".join(clean.lower().translate(_PUNCT).split())


def _keys(norm: str, min_tokens: int, author: str) -> tuple[int, ...]:
    """Exact-text key plus four min-hashes of the word bigrams' CRC-32 (the bigram ``"a b"``
    in UTF-8); short texts (under ``min_tokens`` words, or one word: no bigram to hash):
    author + text key."""
    raw = norm.encode()
    words = raw.split(b" ")  # ``norm`` is words joined by single spaces
    if len(words) < max(min_tokens, 2):
        return (zlib.crc32(f"{author.lower()}\0{norm}".encode()),)
    hashes = list(map(zlib.crc32, map(b" ".join, zip(words, words[1:]))))
    # min over hashes ^ salt, per salt, plus its offset (all loops in C)
    return (zlib.crc32(raw), *map(add, map(min, map(map, _XORS, repeat(hashes))), _OFFSETS))


class DuplicateWindow:
    """The noise filter's bounded memory of recent posts (near-duplicates, reposts, quotes).

    Holds at most ``max_posts`` posts and none older than ``window_minutes`` before the newest
    ``created_at`` seen (event time, so replays behave like live runs). Lookups go through
    min-hash buckets (each key keeps at most ``max_posts`` ids), so a post costs O(1).
    """

    def __init__(self, max_posts: int, window_minutes: float, similarity: float, min_tokens: int) -> None:
        self.max_posts, self.window_s = max_posts, window_minutes * 60.0
        self.similarity, self.min_tokens = similarity, min_tokens
        self.entries: OrderedDict[str, _Seen] = OrderedDict()
        self.buckets: dict[int, deque[str]] = {}
        self.watermark = float("-inf")
        self._last: tuple = ("", "", "", ())

    def __len__(self) -> int:
        return len(self.entries)

    def _signature(self, post, clean: str | None = None) -> tuple[str, tuple[int, ...]]:  # noqa: ANN001
        """Normalised text and bucket keys of ``post``; cached for the find/remember pair."""
        if self._last[0] != post.id or self._last[1] != post.text:
            norm = _normalise(post.text, clean)
            keys = _keys(norm, self.min_tokens, post.author.handle) if norm else ()
            self._last = (post.id, post.text, norm, keys)
        return self._last[2], self._last[3]

    def find(self, post, quotes: bool = True, clean: str | None = None) -> str | None:  # noqa: ANN001
        """Why ``post`` repeats a remembered one (the detail text), or ``None``."""
        now = post.created_at.timestamp()
        if post.reposted_id:
            return self._ago("repost of", self.entries.get(post.reposted_id), now, post.reposted_id)
        retweet = RT_RE.match(post.text)
        hit = self._nearest(post, *self._signature(post, clean), now)
        if retweet:
            seen = self.entries.get(hit[1]) if hit else None
            return self._ago(f"retweet of @{retweet.group(1)}:", seen, now, "original")
        if quotes and post.quoted_id and post.quoted_id in self.entries:
            return self._ago("quote of", self.entries[post.quoted_id], now, post.quoted_id)
        if hit:
            seen = self.entries[hit[1]]
            return f"near-duplicate ({hit[0] / 100:.2f}) of {seen.id}, {(now - seen.at) / 60:.0f} min earlier"
        return None

    def remember(self, post, clean: str | None = None) -> None:  # noqa: ANN001
        """Store ``post`` (ignored when its id is already stored), then enforce both caps."""
        if post.id in self.entries:
            return
        at = post.created_at.timestamp()
        seen = _Seen(post.id, at, *self._signature(post, clean))
        self.entries[post.id] = seen
        buckets = self.buckets
        for key in seen.keys:
            ids = buckets.get(key)
            if ids is None:
                buckets[key] = ids = deque()
            ids.append(post.id)
        self.watermark = max(self.watermark, at)
        self._evict()

    def _evict(self) -> None:
        """Drop the oldest entries beyond ``max_posts`` or older than the event-time window."""
        horizon = self.watermark - self.window_s
        while self.entries:
            oldest = next(iter(self.entries.values()))
            if len(self.entries) <= self.max_posts and oldest.at >= horizon:
                break
            del self.entries[oldest.id]
            for key in oldest.keys:
                ids = self.buckets.get(key)
                if ids and ids[0] == oldest.id:
                    ids.popleft()
                    if not ids:
                        del self.buckets[key]

    def _nearest(self, post, norm: str, keys: tuple[int, ...], now: float) -> tuple[float, str] | None:  # noqa: ANN001,E501
        """Best (similarity, id) among bucket candidates within the window, if above threshold.

        Candidates: the newest ``_BUCKET_SCAN`` ids of each key's bucket, in key order, each id
        once (where it first appears), without the post itself and without posts outside the
        window. The first candidate with the highest ``fuzz.ratio`` at or above the threshold
        wins (an exact copy scores 100 and ends the search); ``process.extractOne`` scores
        them all in one call (first best wins, it stops at a perfect score).
        """
        buckets, entries, window = self.buckets, self.entries, self.window_s
        ids = dict.fromkeys(chain.from_iterable(
            islice(reversed(buckets[key]), _BUCKET_SCAN) for key in keys if key in buckets))
        ids.pop(post.id, None)
        if not ids:
            return None
        cands = [seen for seen in map(entries.__getitem__, ids) if abs(now - seen.at) <= window]
        hit = extractOne(norm, [seen.text for seen in cands], scorer=fuzz.ratio, processor=None,
                         score_cutoff=self.similarity)
        return None if hit is None else (hit[1], cands[hit[2]].id)

    @staticmethod
    def _ago(what: str, seen: _Seen | None, now: float, ref: str) -> str:
        if seen is None:
            return f"{what} {ref} (not seen in the window)"
        return f"{what} {seen.id} seen {(now - seen.at) / 60:.0f} min ago"
