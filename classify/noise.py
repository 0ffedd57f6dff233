"""Noise filter: decides which posts are not worth a webcare agent's attention, and why.

Checks run in this order; the first that fires gives the reason:

1. ``own_post``  - the author is one of a brand's ``own_accounts`` (never customer signal).
2. ``empty``     - nothing left after removing @mentions, URLs, emoji and punctuation.
3. ``spam``      - ads, money/crypto/giveaway offers, "link in bio", "DM us", account-recovery
   scams (weighted en/nl/fi patterns; before ``duplicate`` so reposted spam is called spam).
4. ``bot``       - bot-like handle and/or automated formats (status/monitoring feeds, job and
   news feeds, "N reports in the last hour" alerts), see ``BOT_RULES``.
5. ``duplicate`` - a repost (``reposted_id``, ``RT @user:``), a quote of a remembered post, or
   a near-copy of a remembered post (see :class:`DuplicateWindow`).
6. ``off_topic`` - only when brands are configured: no brand mentioned or addressed, or an
   ambiguous alias used in another sense (excluded terms, or required terms absent).

Every post is remembered by the duplicate window, whatever its verdict, so a retweet of
spam is still recognised. State is bounded by ``NoiseConfig.max_posts`` and ``window_minutes``.
"""

from __future__ import annotations

import re
import zlib
from collections import OrderedDict, deque
from dataclasses import dataclass
from itertools import islice

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz

from classify.brands import BrandConfig, BrandMatcher, TermSet
from classify.language import drop_markup, has_letters, strip_markup
from classify.types import BrandMatch, LanguageResult, NoiseResult


class _Rules:
    """Weighted patterns over the lowercased text; a rule's regex runs only when one of its
    ``|``-separated trigger substrings occurs (a substring test is ~50x cheaper than a search)."""

    def __init__(self, *rules: tuple[int, str, str, str]) -> None:
        self.rules = [(w, tuple(t.split("|")), re.compile(rx, re.M), label) for w, t, rx, label in rules]

    def evidence(self, low: str) -> list[tuple[int, str]]:
        """(weight, label) of each rule that fires."""
        return [(w, label) for w, triggers, rx, label in self.rules
                if any(t in low for t in triggers) and rx.search(low)]


_MONEY = r"(?:[$€£]\s?\d[\d.,]*k?|\d[\d.,]*\s?(?:[$€£]|euro?s?\b))"
SPAM_RULES = _Rules(
    (2, "bio", r"\blink (?:in|in my|in mijn|in de) bio\b|\blinkki biossa", "'link in bio'"),
    (1, "link|gegevens", r"\b(?:click|klik op) (?:the|de|deze) link|\blue lisää linkistä|\bvul je gegevens in", "click-the-link"),
    (2, "earn|make|verdien|tienaa|ansaitse", rf"\b(?:earn|make|verdien|tienaa|ansaitse)\b.{{0,20}}{_MONEY}", "money offer"),
    (2, "$|€|£|euro", rf"{_MONEY}\s?(?:/|per |a |in (?:de|een) )?(?:day|week|dag|uur|viikossa|päivässä)", "money per day/week"),
    (1, "experience|ervaring|kokemus", r"\bno experience needed|\bgeen ervaring nodig|\bei kokemusta tarvita", "no experience needed"),
    (1, "crypto|airdrop|presale|coin|nft|token|$", r"\b(?:crypto|airdrop|presale|memecoin|nft|token launch\w*)\b|\$[a-z]{3,6}\b", "crypto"),
    (1, "0x|guarantee|gegarandeerd|taattu", r"\b\d+x\b|\bguaranteed\b|\bgegarandeerd\b|\btaattu\b", "guaranteed returns"),
    (2, "free|gratis|ilmai|giveaway|winactie|arvonta", r"\b(?:free|gratis|ilmainen)\s+(?:iphone|ipad|samsung|gift ?card|cadeaubon)|\bgiveaway\b|\bwinactie\b|\barvonta\b", "giveaway"),
    (1, "dm|pm|message|inbox|bericht", r"\b(?:dm|pm|message|inbox) (?:us|me|him|her)\b|\bstuur (?:een|me een|ons een) (?:dm|pb|bericht)\b|\blaita (?:dm|yv)\b", "'DM us'"),
    (1, "whats|t.me|telegram", r"\bwhats ?app\s*\+?\d|\bt\.me/|\btelegram\b", "off-platform contact"),
    (1, "%|only|vandaag|tänään", r"\d\s?% (?:off|korting|alennus)|\btoday only\b|\balleen vandaag\b|\bvain tänään\b", "discount"),
    (1, "order|bestel|tilaa|shipping|verzending|promo", r"\border now\b|\bbestel nu\b|\btilaa nyt\b|\bfree (?:worldwide )?shipping\b|\bgratis verzending\b|\bpromo ?code\b", "shop ad"),
    (2, "replica|follow|f4f|seo|google", r"\breplica\b|\bfollow (?:for|4) follow\b|\bf4f\b|\bfollow ?back\b|\bseo services\b|\brank #?1 on google\b", "ad/follow-bait"),
    (2, "hacker|credit|cash|vippi", r"\b(?:need|hire) a hacker\b|\bhacker for hire\b|\bno credit check\b|\binstant cash\b|\bcash loans?\b|\bpikavippi", "scam service"),
    (1, "back|terug|legit|discreet", r"\b(?:got|get|recover(?:ed)?) (?:mine|it|your account) back\b|\bvoor je terug\b|\blegit\b|\bdiscreet\b", "recovery scam"),
    (1, "#", r"#(?:ad|sponsored|crypto|airdrop|loans|fastcash|deals?|winactie|giveaway|followback|recovery|vpn|seo)\b", "promo hashtag"),
)
BOT_RULES = _Rules(
    (2, "report|melding|ilmoitu", r"\d[\d,.]*\s*(?:user[- ]?)?(?:reports?|meldingen|ilmoitusta)\b.{0,30}(?:in the last|in (?:de )?(?:afgelopen|laatste)|viimeisen|in \d+ (?:min|minuten|minutes|minuutissa|uur))", "automated alert"),
    (2, "%", r"\b(?:problems?|reports?|issues?|meldingen) (?:up|gestegen) \d+\s?%", "automated alert"),
    (1, "reported|gemeld|raportoitu", r"\b(?:most reported|meest gemeld|eniten raportoitu)\b", "alert breakdown"),
    (1, "p5|p7|p9|baseline|uptime", r"\bp(?:50|75|90|95|99)\b|\bbaseline\b|\buptime\b", "monitoring metric"),
    (2, "job|vacature|työpaikka", r"^\s*(?:new job|job alert|vacature|avoin työpaikka)\s*:", "job feed"),
    (1, "apply|solliciteer|hae nyt", r"\bapply(?: now| here)?:|\bsolliciteer\b|\bhae nyt\b", "job feed"),
    (1, "[", r"^\s*\[[^\]]{2,30}\]", "feed prefix"),
    (1, ":", r"\b(?:status|incident|source|read more|lees meer|lue lisää|bron|lähde)\s*:", "feed fields"),
    (2, "vers|v", r"\b(?:versie|version|versio|v)\s?\d+\.\d+(?:\.\d+)?\b.{0,40}\b(?:beschikbaar|available|saatavilla|released)", "release feed"),
    (1, "#", r"#(?:monitoring|outage|storing|hiring|jobs?|vacature|news|uptime|status)\b", "feed hashtag"),
)
_BOT_HANDLE = re.compile(r"(?:^|[^a-z])bots?(?:[^a-z]|$)")
_FEED_HANDLE = re.compile(r"[a-z]{3}bot(?:[^a-z]|$)|feed|watch|radar|monitor|alert|status|news|update|uptime|storing|rss")
RT_RE = re.compile(r"^\s*RT\s+@([\w.\-]+(?:@[\w.\-]+)?)\s*:?\s*", re.I)
_PUNCT = str.maketrans({c: " " for c in ".,!?;:'’-\"()"})


def spam_evidence(text: str) -> tuple[int, list[str]]:
    """Weighted spam/ad evidence in ``text`` (0 = none) and the labels of the rules that fired."""
    hits = SPAM_RULES.evidence(text.lower())
    return sum(w for w, _ in hits), [label for _, label in hits]


def bot_evidence(handle: str, text: str) -> tuple[int, list[str]]:
    """Weighted evidence that an automated account wrote ``text`` (handle and format)."""
    hits = BOT_RULES.evidence(text.lower())
    name = handle.lower()
    if _BOT_HANDLE.search(name):
        hits.append((2, f"bot handle {handle}"))
    elif _FEED_HANDLE.search(name):
        hits.append((1, f"feed-like handle {handle}"))
    return sum(w for w, _ in hits), [label for _, label in hits]


_SALTS = (0x5BD1E995, 0x27D4EB2F, 0x165667B1, 0x9E3779B1)
_BUCKET_SCAN = 16  # newest entries compared per bucket: bounds the work per post


@dataclass(frozen=True, slots=True)
class _Seen:
    id: str
    at: float  # created_at, epoch seconds
    text: str  # normalised
    keys: tuple[int, ...]


def _normalise(text: str) -> str:
    """Lowercased words of ``text`` without RT prefix, mentions, URLs, emoji, digits, punctuation."""
    return " ".join(strip_markup(RT_RE.sub("", text)).lower().translate(_PUNCT).split())


def _keys(norm: str, min_tokens: int, author: str) -> tuple[int, ...]:
    """Exact-text key plus four min-hashes of the word bigrams; short texts: author + text key."""
    words = norm.split()
    if len(words) < min_tokens:
        return (zlib.crc32(f"{author.lower()}\0{norm}".encode()),)
    exact = zlib.crc32(norm.encode())
    hashes = [zlib.crc32(f"{a} {b}".encode()) for a, b in zip(words, words[1:])]
    return (exact, *(min(map(salt.__xor__, hashes)) + (i + 1 << 32) for i, salt in enumerate(_SALTS)))


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

    def _signature(self, post) -> tuple[str, tuple[int, ...]]:  # noqa: ANN001
        """Normalised text and bucket keys of ``post``; cached for the find/remember pair."""
        if self._last[0] != post.id or self._last[1] != post.text:
            norm = _normalise(post.text)
            keys = _keys(norm, self.min_tokens, post.author.handle) if norm else ()
            self._last = (post.id, post.text, norm, keys)
        return self._last[2], self._last[3]

    def find(self, post, quotes: bool = True) -> str | None:  # noqa: ANN001
        """Why ``post`` repeats a remembered one (the detail text), or ``None``."""
        now = post.created_at.timestamp()
        if post.reposted_id:
            return self._ago("repost of", self.entries.get(post.reposted_id), now, post.reposted_id)
        retweet = RT_RE.match(post.text)
        hit = self._nearest(post, *self._signature(post), now)
        if retweet:
            seen = self.entries.get(hit[1]) if hit else None
            return self._ago(f"retweet of @{retweet.group(1)}:", seen, now, "original")
        if quotes and post.quoted_id and post.quoted_id in self.entries:
            return self._ago("quote of", self.entries[post.quoted_id], now, post.quoted_id)
        if hit:
            seen = self.entries[hit[1]]
            return f"near-duplicate ({hit[0] / 100:.2f}) of {seen.id}, {(now - seen.at) / 60:.0f} min earlier"
        return None

    def remember(self, post) -> None:  # noqa: ANN001
        """Store ``post`` (ignored when its id is already stored), then enforce both caps."""
        if post.id in self.entries:
            return
        at = post.created_at.timestamp()
        seen = _Seen(post.id, at, *self._signature(post))
        self.entries[post.id] = seen
        for key in seen.keys:
            self.buckets.setdefault(key, deque()).append(post.id)
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
        """Best (similarity, id) among bucket candidates within the window, if above threshold."""
        best: tuple[float, str] | None = None
        for key in keys:
            for cand_id in islice(reversed(self.buckets.get(key, ())), _BUCKET_SCAN):
                cand = self.entries[cand_id]
                if cand_id == post.id or abs(now - cand.at) > self.window_s:
                    continue
                if cand.text == norm:  # exact copy (first key is the exact-text key): done
                    return 100.0, cand_id
                score = fuzz.ratio(norm, cand.text, score_cutoff=self.similarity)
                if score and (best is None or score > best[0]):
                    best = (score, cand_id)
        return best

    @staticmethod
    def _ago(what: str, seen: _Seen | None, now: float, ref: str) -> str:
        if seen is None:
            return f"{what} {ref} (not seen in the window)"
        return f"{what} {seen.id} seen {(now - seen.at) / 60:.0f} min ago"


CLEAN = NoiseResult(False, None, "")
CONTEXT_TERMS = [  # generic IT-service words (en / nl / fi) that put any brand mention in context
    "app", "apps", "account*", "login", "log in", "logged out", "log me out", "sign in", "password*",
    "2fa", "mfa", "outage", "down", "offline", "error*", "bug*", "crash*", "glitch*", "slow",
    "laggy", "update*", "support", "customer*", "phishing", "scam*", "hack*", "data", "breach",
    "bill*", "invoice*", "refund*", "charge*", "subscription*", "website", "service desk",
    "helpdesk", "help desk", "inlog*", "ingelogd", "wachtwoord*", "storing*", "werkt niet",
    "factu*", "abonnement*", "klantenservice", "kirjautu*", "salasana*", "tunnu*", "lasku*",
    "tili*", "sovellu*", "palvelu*", "asiakaspalvelu*", "vika*", "häiriö*", "katko*", "kaatu*",
    "jumi*", "tökki*", "toimi*", "päivity*", "huijau*", "tietomurto*", "feature*", "mode",
    "setting*", "option*", "problem*", "issue*", "probleem*", "ongelma*", "ominaisuu*", "page*",
    "portal*", "site", "message*", "bericht*", "viesti*", "notification*", "melding*", "sms",
    "code*", "passkey*", "security", "beveiliging*", "instelling*", "asetu*", "lisätä", "rollout",
    "version*", "versie*", "pagina*", "sivu*", "verkkosivu*",
]


class NoiseConfig(BaseModel):
    """``classify.noise`` in the config file.

    ``max_posts`` and ``window_minutes`` bound the duplicate memory (count and event time);
    ``near_duplicate_similarity`` is the rapidfuzz ratio (0-100) above which two normalised
    texts of at least ``min_duplicate_tokens`` words are copies; ``spam_threshold`` and
    ``bot_threshold`` are the evidence scores (``SPAM_RULES``/``BOT_RULES`` below) that make a
    post spam or bot; ``keep_unbranded_replies`` keeps replies that name no brand (the thread
    is about one, we cannot see which); ``context_terms`` are generic service words that
    count as brand context for every brand (added to each brand's ``required_terms``).
    """

    model_config = ConfigDict(extra="forbid")

    max_posts: int = Field(default=5000, ge=1, le=1_000_000)
    window_minutes: float = Field(default=24 * 60, gt=0)
    near_duplicate_similarity: float = Field(default=90.0, ge=50.0, le=100.0)
    min_duplicate_tokens: int = Field(default=6, ge=1)
    quotes_are_duplicates: bool = True
    spam_threshold: int = Field(default=2, ge=1)
    bot_threshold: int = Field(default=2, ge=1)
    keep_unbranded_replies: bool = True
    context_terms: list[str] = Field(default_factory=lambda: list(CONTEXT_TERMS))


class NoiseFilter:
    """Called once per post, in event-time order, after language and brand detection.

    ``check`` never raises on a valid :class:`schemas.Post`; a failure would mean a bug here.
    """

    def __init__(self, config: NoiseConfig | None = None, brands: list[BrandConfig] | None = None) -> None:
        self.config = config or NoiseConfig()
        self.brands = BrandMatcher(brands or [])
        self.has_brands = bool(brands)
        self.context_terms = TermSet(self.config.context_terms)
        self.window = DuplicateWindow(
            self.config.max_posts, self.config.window_minutes,
            self.config.near_duplicate_similarity, self.config.min_duplicate_tokens,
        )

    def check(self, post, brand: BrandMatch, lang: LanguageResult) -> NoiseResult:  # noqa: ANN001
        """Noise verdict for ``post``; remembers the post for later duplicate checks."""
        result = self._classify(post, brand, lang)
        self.window.remember(post)
        return result

    def _classify(self, post, brand: BrandMatch, lang: LanguageResult) -> NoiseResult:  # noqa: ANN001
        owner = self.brands.is_own_account(post.author.handle)
        if owner:
            return NoiseResult(True, "own_post", f"posted by {owner}'s own account {post.author.handle}")
        if not has_letters(strip_markup(post.text)):
            return NoiseResult(True, "empty", "no words besides mentions, links, emoji or punctuation")
        score, why = spam_evidence(post.text)
        if score >= self.config.spam_threshold:
            return NoiseResult(True, "spam", "; ".join(why))
        score, why = bot_evidence(post.author.handle, post.text)
        if score >= self.config.bot_threshold:
            return NoiseResult(True, "bot", "; ".join(why))
        duplicate = self.window.find(post, quotes=self.config.quotes_are_duplicates)
        if duplicate:
            return NoiseResult(True, "duplicate", duplicate)
        off = self._off_topic(post, brand)
        if off:
            return NoiseResult(True, "off_topic", off)
        return CLEAN

    def _off_topic(self, post, brand: BrandMatch) -> str | None:  # noqa: ANN001
        """Why the post is not about a configured brand, or ``None`` when it is (or no brands)."""
        if not self.has_brands or brand.addressed:
            return None
        if brand.brand is None:
            if post.reply_to_id and self.config.keep_unbranded_replies:
                return None
            if self.context_terms and self.context_terms.find(drop_markup(post.text)):
                return None  # e.g. a comment on the brand's own page: no name, but service talk
            return "mentions no configured brand and no service context"
        required, excluded = self.brands.context(brand.brand, post.text)
        if not required and self.context_terms:
            required = self.context_terms.find(drop_markup(post.text))
        if excluded and not required:
            return f"{brand.brand}: alias in another sense (excluded: {', '.join(excluded[:3])})"
        if self.brands.needs_context(brand.brand) and not required:
            if not self.brands.strong_alias(brand.brand, brand.matched_terms):
                return f"{brand.brand}: ambiguous alias {brand.matched_terms[0]!r} without brand context"
        return None
