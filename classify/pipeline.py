"""Composes the classify/ stages into one pure ``Post -> Classification`` stage.

Called by the in-process runner and (later) by the Kafka classify worker, once per post, in
event-time order. The noise filter and urgency scorer keep bounded windows of earlier posts
(near-duplicates, repeat complaints), so the same sequence of posts always gives the same
classifications, live or replayed.
"""

from __future__ import annotations

from collections.abc import Iterable

from classify.brands import BrandMatcher
from classify.config import ClassifyConfig
from classify.language import LanguageDetector
from classify.noise import NoiseFilter
from classify.sentiment import SentimentScorer
from classify.topic import TopicClassifier
from classify.urgency import UrgencyScorer
from schemas import Classification, Post, SentimentScore


class Classifier:
    """The classify stage. Construction loads models and rules (failure: bad config/model)."""

    name = "classify"

    def __init__(self, config: ClassifyConfig) -> None:
        self.config = config
        self.language = LanguageDetector(config.language)
        self.brands = BrandMatcher(config.brands)
        self.noise = NoiseFilter(config.noise, config.brands)
        self.topic = TopicClassifier(config.topic)
        self.sentiment = SentimentScorer(config.sentiment)
        self.urgency = UrgencyScorer(config.urgency)

    def __call__(self, post: Post) -> Classification:
        lang = self.language.detect(post.text, post.lang)
        brand = self.brands.match(post)
        noise = self.noise.check(post, brand, lang)
        topic = self.topic.classify(post.text, lang.lang)
        sentiment = self.sentiment.score(post.text, lang.lang)
        urgency = self.urgency.assess(post, lang, brand, noise, topic, sentiment)
        reasons = [lang.reason]
        if brand.brand:
            reasons.append(f"brand {brand.brand}" + (" (addressed)" if brand.addressed else ""))
        if noise.noise:
            reasons.append(f"noise: {noise.reason}: {noise.detail}")
        reasons += [topic.reason, sentiment.reason, *urgency.reasons]
        return Classification(
            post_id=post.id,
            lang=lang.lang,
            lang_confidence=lang.confidence,
            brand=brand.brand,
            noise=noise.noise,
            noise_reason=noise.reason,
            topic=topic.topic,
            topic_confidence=topic.confidence,
            sentiment=SentimentScore(
                label=sentiment.label,
                compound=sentiment.compound,
                probabilities=sentiment.probabilities,
                model=sentiment.model,
            ),
            urgency=urgency.urgency,
            actionable=urgency.actionable,
            priority=urgency.priority,
            reasons=reasons,
        )

    def classify_many(self, posts: Iterable[Post]) -> list[Classification]:
        """Classify posts in order (the order matters for the windowed noise/repeat state)."""
        return [self(post) for post in posts]
