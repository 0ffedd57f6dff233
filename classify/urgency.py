"""Urgency, priority and actionability of one classified post.

:class:`UrgencyScorer` is built once by :class:`classify.pipeline.Classifier` and called once per
post, in event-time order, after language, brand, noise, topic and sentiment. It reads cue
vocabulary (blocking, widespread, compromise, impact, ...) from ``classify/rules/urgency.yaml``,
starts from a per-topic base level and moves it up or down by those cues, the author's reach
and repeat complaints. Repeat complaints are remembered per author in a fixed-size LRU, so
memory is bounded however long the stream runs. The cues are en/nl/fi (the file's ``langs``) and
the complaint model English: the reasons of a post in another language say which of them it
had to do without (``UrgencyResult.no_model``).
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from datetime import timedelta
from pathlib import Path

import yaml

from classify.complaint import ComplaintScorer
from classify.config import UrgencyConfig
from classify.patterns import PatternIndex, words
from classify.types import (
    BrandMatch,
    LanguageResult,
    NoiseResult,
    SentimentResult,
    TopicResult,
    UrgencyResult,
)
from schemas import Post
from schemas.results import URGENCY_LEVELS

DEFAULT_CUES = Path(__file__).parent / "rules" / "urgency.yaml"
POSITIVE_REPORT = 0.5  # VADER compound above which an uncued problem report reads as praise
PROBLEM_TOPICS = ("outage", "access", "performance", "connectivity", "billing", "security")
CUE_LANGS = ("en", "nl", "fi")  # the languages of a cue file without a ``langs:`` key


class _Cues:
    """Cue patterns per category; ``found`` lists the categories present in a text.

    ``langs`` are the languages the cue file is written for (its ``langs:`` key; default
    en/nl/fi, the shipped file's): posts in other languages are still matched against the
    same cues, and the reasons say so."""

    def __init__(self, path: Path) -> None:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
            raw = data["cues"]
            langs = data.get("langs", CUE_LANGS)
            self.langs = tuple(str(lang).strip().lower()
                               for lang in ([langs] if isinstance(langs, str) else langs))
            self.index = PatternIndex()
            for name, items in raw.items():
                for item in items:
                    self.index.add(str(item), name)
        except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"cannot load urgency cues {path}: {exc}") from exc

    def found(self, text: str, lowers: tuple[str, ...] | None = None) -> dict[str, str]:
        """Category → first matching words, for every category with a match."""
        if lowers is None:
            lowers = words(text)
        out: dict[str, str] = {}
        for start, end, name, _ in self.index.find(lowers):
            out.setdefault(name, " ".join(lowers[start:end]))
        return out


class _RepeatMemory:
    """Recent complaint times per author, at most ``max_authors`` authors (LRU eviction)."""

    def __init__(self, max_authors: int, window: timedelta, keep: int) -> None:
        self.max_authors = max_authors
        self.window = window
        self.keep = keep
        self.seen: OrderedDict[str, deque] = OrderedDict()

    def record(self, author: str, when) -> int:
        """Remember a complaint; returns how many earlier ones fall inside the window."""
        times = self.seen.pop(author, None) or deque(maxlen=self.keep)
        earlier = sum(1 for t in times if timedelta(0) <= when - t <= self.window)
        times.append(when)
        self.seen[author] = times
        if len(self.seen) > self.max_authors:
            self.seen.popitem(last=False)
        return earlier

    def __len__(self) -> int:
        return len(self.seen)


class UrgencyScorer:
    """Scores urgency, priority, the complaint probability and actionability. Construction
    fails (``ValueError``) on a missing or invalid cue file and
    (:class:`classify.complaint.ComplaintModelError`) on a missing or corrupt complaint model;
    ``assess`` never raises on valid stage results. ``complaint_head``: also load the complaint
    heads over the cascade's MiniLM and e5 embeddings (when the sentiment cascade is on)."""

    def __init__(self, config: UrgencyConfig | None = None,
                 complaint_head: bool = False) -> None:
        self.config = config or UrgencyConfig()
        self.cues = _Cues(self.config.cues or DEFAULT_CUES)
        window = timedelta(hours=self.config.repeat_window_hours)
        keep = max(self.config.repeat_min_posts, 1) + 1
        self.repeats = _RepeatMemory(self.config.repeat_max_authors, window, keep)
        self.complaint = (ComplaintScorer(self.config.complaint, complaint_head)
                          if self.config.complaint.enabled else None)

    def assess(self, post: Post, lang: LanguageResult, brand: BrandMatch, noise: NoiseResult,
               topic: TopicResult, sentiment: SentimentResult,
               lowers: tuple[str, ...] | None = None, judged=None) -> UrgencyResult:  # noqa: ANN001
        """Urgency of one post; called once per post in event-time order (repeat memory).
        ``lowers`` is ``classify.patterns.words(post.text)`` when the caller has it already;
        ``judged``: the learned urgency verdict (:class:`classify.judgement.Verdict`), which
        then sets the level in place of the topic base and cues (reach and repeats still
        raise it)."""
        if noise.noise:
            return UrgencyResult("low", 0, False, (f"noise ({noise.reason}): not actionable",))
        cues = self.cues.found(post.text, lowers)
        level, reasons = self._level(topic.topic, cues, sentiment)
        if judged is not None:
            level = URGENCY_LEVELS.index(judged.label)
            reasons = [f"urgency {judged.label} {judged.probability:.2f} (learned)"]
        no_model: tuple[str, ...] = ()
        if lang.lang not in self.cues.langs:
            no_model = ("urgency",)
            reasons.append(f"urgency: no cues for {lang.lang}, the "
                           f"{'/'.join(self.cues.langs)} ones used")
        complaint, complains = self._complaint(post.text, lang.lang, cues, topic.topic,
                                               sentiment)
        actionable = complains or _actionable(topic.topic, cues, sentiment, brand,
                                              "@" in post.text)
        if actionable and level >= 1 and self._reach(post):
            level = min(3, level + 1)
            reasons.append(f"reach: {post.author.followers} followers"
                           + (", verified" if post.author.verified else ""))
        if actionable:
            earlier = self.repeats.record(post.author.handle.lower(), post.created_at)
            if earlier >= self.config.repeat_min_posts and level < 2:
                level += 1
                reasons.append(f"repeat: {earlier} earlier posts by this author in the window")
        source = None
        if complaint is not None:
            reasons.append(f"complaint {complaint:.2f}" + (" (complains)" if complains else ""))
            source = self.complaint.source(sentiment)
        elif self.complaint is not None:  # on, but no model for the language
            no_model += ("complaint",)
            reasons.append(f"complaint: no model for {lang.lang}, the urgency rules decide "
                           "alone")
        reasons.append("actionable: needs a webcare reply" if actionable
                       else "not actionable: no problem, question or complaint")
        priority = self._priority(level, post, sentiment, actionable)
        return UrgencyResult(URGENCY_LEVELS[level], priority, actionable, tuple(reasons),
                             complaint, source, no_model)

    def _complaint(self, text: str, lang: str, cues: dict[str, str], topic: str,
                   sentiment: SentimentResult) -> tuple[float | None, bool]:
        """(probability, decision) of the complaint model; the head of the encoder whose
        embedding the sentiment result carries (MiniLM or e5) refines the probability of the
        posts the sentiment cascade re-scored."""
        if self.complaint is None:
            return None, False
        p = self.complaint.probability(text, lang, cues, topic, sentiment.probabilities)
        encoder = sentiment.embedding_model if sentiment.embedding is not None else None
        if p is None or encoder not in self.complaint.heads:
            return p, self.complaint.is_complaint(p)
        p = self.complaint.refine(p, sentiment.embedding, encoder)
        return p, self.complaint.is_complaint(p, encoder)

    def _reach(self, post: Post) -> bool:
        followers = post.author.followers
        return followers >= self.config.reach_followers or (
            post.author.verified and followers >= self.config.reach_verified_followers)

    def _level(self, topic: str, cues: dict[str, str],
               sentiment: SentimentResult) -> tuple[int, list[str]]:
        """Topic base level adjusted by cues; returns the level and why."""
        base = self.config.base.get(topic, 0)
        level, why = _adjust(topic, base, cues, sentiment)
        reasons = [f"{URGENCY_LEVELS[level]}: topic {topic}" + (f", {why}" if why else "")]
        return level, reasons

    def _priority(self, level: int, post: Post, sentiment: SentimentResult,
                  actionable: bool) -> int:
        """0..100: urgency level, then reach, negativity and actionability as modifiers."""
        score = float(self.config.level_priority[level])
        score += self.config.reach_priority * math.log10(1 + post.author.followers)
        score += 3.0 if post.author.verified else 0.0
        score += self.config.negative_priority * max(0.0, -sentiment.compound)
        score += 5.0 if actionable else -8.0
        return max(0, min(100, round(score)))


def _adjust(topic: str, base: int, cues: dict[str, str],
            sentiment: SentimentResult) -> tuple[int, str]:
    """General labelling policy: breaches and wide outages are critical, blocking problems
    high, annoyances medium, resolved reports, tips and praise low."""
    def said(*names: str) -> str:
        return ", ".join(f"{n} '{cues[n]}'" for n in names if n in cues)

    if topic not in PROBLEM_TOPICS:
        return base, ""
    if "resolved" in cues and "blocking" not in cues:
        return 0, said("resolved")
    if topic == "security":
        if "compromise" in cues or "widespread" in cues:
            return 3, said("compromise", "widespread")
        return (1, said("suggestion")) if "suggestion" in cues else (base, "")
    if "widespread" in cues and ("blocking" in cues or topic == "outage"):
        return 3, said("widespread", "blocking")
    if topic in ("outage", "access"):
        if "blocking" not in cues and "minor" in cues:
            return 1, said("minor")
        if topic == "access" and "blocking" not in cues and "tip" in cues:
            return 0, said("tip")
        if topic == "access" and "blocking" not in cues and "recurring" in cues:
            return 1, said("recurring")
        return base, said("blocking", "impact")
    if topic == "billing" and ("consequence" in cues or "impact" in cues):
        return 2, said("consequence", "impact")
    if topic == "connectivity" and "blocking" in cues and "minor" not in cues:
        return 2, said("blocking")
    if topic == "performance" and "impact" in cues:
        return 2, said("impact")
    if sentiment.compound >= POSITIVE_REPORT and not ("complaint" in cues or "blocking" in cues):
        return 0, f"positive report (sentiment {sentiment.compound:+.2f})"
    return base, ""


def _actionable(topic: str, cues: dict[str, str], sentiment: SentimentResult,
                brand: BrandMatch, text_addresses: bool) -> bool:
    """A webcare agent should answer: a complaint or blocking problem, an unresolved problem
    report, or a how-to question about one of the configured brands (a neutral question with
    no brand evidence is not a complaint and is left to monitoring)."""
    if brand.brand is None and not brand.addressed and not text_addresses:
        return False  # nobody to answer: no configured brand and no @-mention
    if "resolved" in cues and sentiment.compound >= POSITIVE_REPORT:
        return False
    if "complaint" in cues or "blocking" in cues:
        return True
    if topic in PROBLEM_TOPICS:
        if "resolved" in cues or "tip" in cues:
            return False
        return sentiment.compound < POSITIVE_REPORT
    if topic == "how_to":
        return brand.brand is not None or brand.addressed
    return False
