"""Weighted spam/ad and bot patterns (en/nl/fi) used by :mod:`classify.noise`.

Pure functions over a post's text and handle; called once per post by the noise filter.
The weights add up to evidence; the filter compares the sum with its configured threshold.
The filter tests the trigger substrings of both rule sets in one pass (:func:`triggers_in`)
and hands the result to :func:`spam_evidence` and :func:`bot_evidence`.
"""

from __future__ import annotations

import re


class _Rules:
    """Weighted patterns over the lowercased text; a rule's regex runs only when one of its
    ``|``-separated trigger substrings occurs (a substring test is ~50x cheaper than a search)."""

    def __init__(self, *rules: tuple[int, str, str, str]) -> None:
        self.rules = [(w, frozenset(t.split("|")), re.compile(rx, re.M), label) for w, t, rx, label in rules]
        self.triggers = frozenset(t for _, triggers, _, _ in self.rules for t in triggers)

    def evidence(self, low: str, present: frozenset[str] | set[str] | None = None) -> list[tuple[int, str]]:
        """(weight, label) of each rule that fires; ``present``: the triggers that occur in
        ``low`` (at least all of this rule set's), when the caller has tested them already."""
        if present is None:
            present = {t for t in self.triggers if t in low}
        return [(w, label) for w, triggers, rx, label in self.rules
                if not triggers.isdisjoint(present) and rx.search(low)]


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
    (2, "report|melding|ilmoitu", r"\d[\d,.]*\s*(?:user[- ]?)?(?:reports?|meldingen|ilmoitusta)\b.{0,30}(?:in the last|in (?:de |het )?(?:afgelopen|laatste)|viimeisen|in \d+ (?:min|minuten|minutes|minuutissa|uur))", "automated alert"),
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
_TRIGGERS = tuple(sorted(SPAM_RULES.triggers | BOT_RULES.triggers))
RT_RE = re.compile(r"^\s*RT\s+@([\w.\-]+(?:@[\w.\-]+)?)\s*:?\s*", re.I)


def triggers_in(low: str) -> set[str]:
    """The trigger substrings of the spam and bot rules that occur in ``low`` (one pass)."""
    return {t for t in _TRIGGERS if t in low}


def spam_evidence(text: str, low: str | None = None,
                  present: set[str] | None = None) -> tuple[int, list[str]]:
    """Weighted spam/ad evidence in ``text`` (0 = none) and the labels of the rules that fired
    (``low``: ``text.lower()``, ``present``: ``triggers_in(low)``, when the caller has them)."""
    hits = SPAM_RULES.evidence(text.lower() if low is None else low, present)
    return sum(w for w, _ in hits), [label for _, label in hits]


def bot_evidence(handle: str, text: str, low: str | None = None,
                 present: set[str] | None = None) -> tuple[int, list[str]]:
    """Weighted evidence that an automated account wrote ``text`` (handle and format)."""
    hits = BOT_RULES.evidence(text.lower() if low is None else low, present)
    name = handle.lower()
    if _BOT_HANDLE.search(name):
        hits.append((2, f"bot handle {handle}"))
    elif _FEED_HANDLE.search(name):
        hits.append((1, f"feed-like handle {handle}"))
    return sum(w for w, _ in hits), [label for _, label in hits]
