"""Composes the classify/ stages into one pure ``Post -> Classification`` stage.

Called by the in-process runner and the Kafka classify worker with batches of posts in
event-time order (:meth:`Classifier.classify_batch`). The noise filter and urgency scorer
keep bounded windows of earlier posts (near-duplicates, repeat complaints), so the same
sequence of posts always gives the same classifications, live or replayed.
"""

from __future__ import annotations

from collections.abc import Sequence

from classify.brands import BrandMatcher
from classify.config import ClassifyConfig
from classify.judgement import Judge
from classify.language import LanguageDetector, PostText
from classify.noise import NoiseFilter
from classify.sentiment import SentimentScorer
from classify.topic import TopicClassifier
from classify.types import (
    BrandMatch,
    LanguageResult,
    NoiseResult,
    SentimentResult,
    TopicResult,
    UrgencyResult,
)
from classify.urgency import UrgencyScorer
from schemas import Classification, Post, Relevance, SentimentScore
from schemas.errors import WebcareError


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
        self.urgency = UrgencyScorer(config.urgency,
                                     complaint_head=config.sentiment.cascade.enabled)
        self.judge = (Judge(config.judgement, config.brands) if config.judgement.enabled
                      else None)

    def __call__(self, post: Post) -> Classification:
        """Classify one post; raises :class:`StageFailure` when a stage fails on it."""
        (result,) = self.classify_batch([post])
        if isinstance(result, StageFailure):
            raise result
        return result

    def classify_many(self, posts: Sequence[Post]) -> list[Classification]:
        """Classify posts in order; raises the first :class:`StageFailure`."""
        return [_raise_failure(result) for result in self.classify_batch(posts)]

    def classify_batch(self, posts: Sequence[Post]) -> list[Classification | StageFailure]:
        """Classify posts in order, one stage at a time over the whole batch.

        Stage-at-a-time keeps each model's data hot in the CPU cache; the order of posts
        within each stage is the input order, so the windowed state (noise, repeat
        complaints) sees the same sequence as post-at-a-time. A stage that raises on a post
        fails only that post (returned as a :class:`StageFailure`), the others go on. The
        text views several stages need (:class:`PostText`: lowercase, markup-stripped text,
        word list) are computed once per post first, and count as part of ``language``.
        """
        batch = _Batch(posts)
        texts: list[PostText] = batch.results["text"]
        batch.run("language", lambda i, p: PostText(p.text), "text")
        batch.run("language", lambda i, p: self.language.detect(p.text, p.lang, texts[i].clean))
        langs, brands = batch.results["language"], batch.results["brands"]
        batch.run("brands", lambda i, p: self.brands.match(p, texts[i].unmarked))
        batch.run("noise", lambda i, p: self.noise.check(p, brands[i], langs[i], texts[i]))
        judged: list = [None] * len(posts)  # the learned verdicts, when enabled
        batch.run("topic", lambda i, p: self._topic(p, langs[i].lang, texts[i].words, judged, i))
        batch.run_together("sentiment", lambda alive: self.sentiment.score_batch(
            [posts[i].text for i in alive], [langs[i].lang for i in alive],
            [texts[i].low for i in alive], [brands[i].brand is not None for i in alive]),
            lambda i, p: self.sentiment.score_batch([p.text], [langs[i].lang], [None],
                                                    [brands[i].brand is not None])[0])
        batch.run("urgency", lambda i, p: self.urgency.assess(
            p, *(batch.get(stage, i) for stage in ("language", "brands", "noise", "topic",
                                                    "sentiment")), lowers=texts[i].words,
            judged=judged[i]["urgency"] if judged[i] else None))
        return [batch.failures.get(i) or assemble(post, *batch.row(i))
                for i, post in enumerate(posts)]


    def _topic(self, post: Post, lang: str, words, judged: list, i: int) -> TopicResult:  # noqa: ANN001
        """The rules' topic, or the learned one (its verdicts kept in ``judged[i]``) for the
        languages both were made for (the rules' ``no_model`` says when they are not)."""
        rules = self.topic.classify(post.text, lang, words)
        if self.judge is None or rules.no_model:
            return rules
        judged[i] = self.judge(post.text)
        return self.judge.topic(rules, judged[i]["topic"])


class StageFailure(WebcareError):
    """A classify/ stage raised on one post: the stage's name and the original error."""

    def __init__(self, stage: str, error: Exception) -> None:
        super().__init__(f"{stage}: {type(error).__name__}: {error}")
        self.stage = stage
        self.error = error


class _Batch:
    """Per-stage results of a batch, and the posts that failed (skipped by later stages)."""

    STAGES = ("language", "brands", "noise", "topic", "sentiment", "urgency")

    def __init__(self, posts: Sequence[Post]) -> None:
        self.posts = posts
        self.results: dict[str, list] = {stage: [None] * len(posts)
                                         for stage in ("text", *self.STAGES)}
        self.failures: dict[int, StageFailure] = {}

    def run(self, stage: str, step, into: str | None = None) -> None:  # noqa: ANN001
        """``step(index, post)`` for each post still alive; results go to ``into`` (default
        ``stage``), an error fails the post as ``stage``."""
        out = self.results[into or stage]
        for i, post in enumerate(self.posts):
            if i in self.failures:
                continue
            try:
                out[i] = step(i, post)
            except Exception as error:  # noqa: BLE001 - one bad post must not stop the batch
                self.failures[i] = StageFailure(stage, error)

    def run_together(self, stage: str, step_many, step_one) -> None:  # noqa: ANN001
        """``step_many(alive indices)`` once for the whole batch (a model that batches, such
        as the sentiment cascade); when it raises, ``step_one`` per post, so only the posts
        it fails on fail."""
        alive = [i for i in range(len(self.posts)) if i not in self.failures]
        try:
            values = step_many(alive)
        except Exception:  # noqa: BLE001 - find the bad post(s) one at a time
            self.run(stage, step_one)
            return
        out = self.results[stage]
        for i, value in zip(alive, values, strict=True):
            out[i] = value

    def get(self, stage: str, i: int):  # noqa: ANN201
        return self.results[stage][i]

    def row(self, i: int) -> tuple:
        return tuple(self.results[stage][i] for stage in self.STAGES)


def _raise_failure(result: Classification | StageFailure) -> Classification:
    if isinstance(result, StageFailure):
        raise result
    return result


def assemble(post: Post, lang: LanguageResult, brand: BrandMatch, noise: NoiseResult,
             topic: TopicResult, sentiment: SentimentResult,
             urgency: UrgencyResult) -> Classification:
    """Fold the stage results into the shared :class:`schemas.Classification`, with the
    relevance, the sources and the stages that had no model for the language (a stage in
    ``no_model`` keeps its label but shows no probabilities: the sentiment's are left out).

    Validated (pydantic-core checks these two models faster than ``model_construct`` copies
    them in Python: ~6 µs together).
    """
    reasons = [lang.reason]
    if brand.brand:
        reasons.append(f"brand {brand.brand}" + (" (addressed)" if brand.addressed else ""))
    if noise.noise:
        reasons.append(f"noise: {noise.reason}: {noise.detail}")
    reasons += [topic.reason, sentiment.reason, *urgency.reasons]
    sources = {"topic": topic.source, "sentiment": sentiment.model,
               "urgency": "learned" if topic.source == "learned" else "rules"}  # judged together
    if urgency.complaint_source:
        sources["complaint"] = urgency.complaint_source
    return Classification(
        post_id=post.id, lang=lang.lang, lang_confidence=lang.confidence, brand=brand.brand,
        noise=noise.noise, noise_reason=noise.reason, topic=topic.topic,
        topic_confidence=topic.confidence,
        sentiment=SentimentScore(label=sentiment.label, compound=sentiment.compound,
                                 # another language's model: no probabilities to show
                                 probabilities={} if sentiment.no_model
                                 else sentiment.probabilities, model=sentiment.model),
        urgency=urgency.urgency, actionable=urgency.actionable, priority=urgency.priority,
        complaint=urgency.complaint, reasons=reasons, relevance=relevance(brand, noise),
        topic_probs=topic.probabilities, sources=sources,
        no_model=[*topic.no_model, *sentiment.no_model, *urgency.no_model],
    )


def relevance(brand: BrandMatch, noise: NoiseResult) -> Relevance:
    """Is the post about a configured brand as a service (the brands and noise stages'
    rules: no probability)."""
    if noise.noise:
        match = ("own_account" if noise.reason == "own_post" else "addressed" if brand.addressed
                 else "alias" if brand.brand else "none")
        return Relevance(about=False, brand=brand.brand, match=match,
                         terms=list(brand.matched_terms),
                         noise=f"{noise.reason}: {noise.detail}")
    kept_by = noise.kept_by or ("addressed" if brand.addressed else "alias" if brand.brand
                                else "none")
    return Relevance(about=None if kept_by == "unchecked" else True, brand=brand.brand,
                     match=kept_by, terms=list(brand.matched_terms))
