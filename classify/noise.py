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

from classify.brands import BrandMatcher, TermSet
from classify.config import CONTEXT_LANGS, CONTEXT_TERMS, BrandConfig, NoiseConfig
from classify.dedup import DuplicateWindow
from classify.language import PostText, has_letters
from classify.noise_rules import bot_evidence, spam_evidence, triggers_in
from classify.types import BrandMatch, LanguageResult, NoiseResult

CLEAN = NoiseResult(False, None, "")
# the verdict of a post that is not noise, by how the relevance check kept it
KEPT = {how: NoiseResult(False, None, "", how)
        for how in ("addressed", "alias", "context", "reply", "unchecked")}
class NoiseFilter:
    """Called once per post, in event-time order, after language and brand detection.

    ``check`` never raises on a valid :class:`schemas.Post`; a failure would mean a bug here.
    """

    def __init__(self, config: NoiseConfig | None = None, brands: list[BrandConfig] | None = None) -> None:
        self.config = config or NoiseConfig()
        self.brands = BrandMatcher(brands or [])
        self.has_brands = bool(brands)
        self.context_terms = TermSet(self.config.context_terms)
        # the shipped context terms are en/nl/fi: an off-topic verdict on another language says so
        self.default_context = self.config.context_terms == CONTEXT_TERMS
        self.window = DuplicateWindow(
            self.config.max_posts, self.config.window_minutes,
            self.config.near_duplicate_similarity, self.config.min_duplicate_tokens,
        )

    def check(self, post, brand: BrandMatch, lang: LanguageResult,  # noqa: ANN001
              text: PostText | None = None) -> NoiseResult:
        """Noise verdict for ``post``; remembers the post for later duplicate checks.

        ``text`` is ``PostText(post.text)`` when the caller has it already."""
        if text is None or text.text != post.text:
            text = PostText(post.text)
        result = self._classify(post, brand, text, lang.lang)
        self.window.remember(post, text.clean)
        return result

    def _classify(self, post, brand: BrandMatch, text: PostText,  # noqa: ANN001
                  lang: str) -> NoiseResult:
        owner = self.brands.is_own_account(post.author.handle)
        if owner:
            return NoiseResult(True, "own_post", f"posted by {owner}'s own account {post.author.handle}")
        if not has_letters(text.clean):
            return NoiseResult(True, "empty", "no words besides mentions, links, emoji or punctuation")
        present = triggers_in(text.low)
        score, why = spam_evidence(post.text, text.low, present)
        if score >= self.config.spam_threshold:
            return NoiseResult(True, "spam", "; ".join(why))
        score, why = bot_evidence(post.author.handle, post.text, text.low, present)
        if score >= self.config.bot_threshold:
            return NoiseResult(True, "bot", "; ".join(why))
        duplicate = self.window.find(post, self.config.quotes_are_duplicates, text.clean)
        if duplicate:
            return NoiseResult(True, "duplicate", duplicate)
        off, kept_by = self._off_topic(post, brand, text.unmarked)
        if off:
            if lang not in CONTEXT_LANGS and self.default_context:
                off += f" (the context terms are {'/'.join(CONTEXT_LANGS)}, none for {lang})"
            return NoiseResult(True, "off_topic", off)
        return KEPT[kept_by]

    def _off_topic(self, post, brand: BrandMatch,  # noqa: ANN001
                   unmarked: str) -> tuple[str | None, str]:
        """(why the post is not about a configured brand, or ``None`` when it is (or no
        brands); how it was kept: addressed, alias, context, reply or unchecked)."""
        if not self.has_brands:
            return None, "unchecked"
        if brand.addressed:
            return None, "addressed"
        if brand.brand is None:
            if post.reply_to_id and self.config.keep_unbranded_replies:
                return None, "reply"
            if self.context_terms and self.context_terms.find(unmarked):
                return None, "context"  # e.g. a comment on the brand's own page: service talk
            return "mentions no configured brand and no service context", "none"
        required, excluded = self.brands.context(brand.brand, post.text, unmarked)
        if not required and self.context_terms:
            required = self.context_terms.find(unmarked)
        if excluded and not required:
            return (f"{brand.brand}: alias in another sense (excluded: "
                    f"{', '.join(excluded[:3])})"), "alias"
        if self.brands.needs_context(brand.brand) and not required:
            if not self.brands.strong_alias(brand.brand, brand.matched_terms):
                return (f"{brand.brand}: ambiguous alias {brand.matched_terms[0]!r} without "
                        "brand context"), "alias"
        return None, "alias"
