"""YAML routing rules: conditions on a classified post → ``incident|webcare|monitor|drop``.

Rules are evaluated in order and the first match wins; when none matches, ``default``
applies. Every decision names the rule and carries the reasons that made it match. Pure:
called once per classified post by the runner or the Kafka route worker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas import Classification, Decision, Post
from schemas.results import URGENCY_LEVELS

ActionName = Literal["incident", "webcare", "monitor", "drop"]


class Condition(BaseModel):
    """All given keys must hold (AND); lists mean "any of"."""

    model_config = ConfigDict(extra="forbid")

    noise: bool | None = None
    noise_reason: list[str] | None = None
    topic: list[str] | None = None
    sentiment: list[Literal["negative", "neutral", "positive"]] | None = None
    urgency: list[Literal["critical", "high", "medium", "low"]] | None = None
    min_urgency: Literal["critical", "high", "medium", "low"] | None = None
    actionable: bool | None = None
    min_priority: int | None = Field(default=None, ge=0, le=100)
    min_complaint: float | None = Field(default=None, ge=0.0, le=1.0,
                                        description="calibrated complaint probability (en)")
    platform: list[str] | None = None
    lang: list[str] | None = None
    brand: list[str] | None = None
    min_followers: int | None = Field(default=None, ge=0)
    verified: bool | None = None
    keywords: list[str] | None = Field(default=None, description="any of these words/phrases")

    @field_validator("keywords")
    @classmethod
    def _non_empty_keywords(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not all(word.strip() for word in value):
            raise ValueError("keywords must be non-empty strings")
        return value


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    when: Condition = Field(default_factory=Condition)
    action: ActionName


class RouteConfig(BaseModel):
    """``route:`` in the config file."""

    model_config = ConfigDict(extra="forbid")

    rules: list[Rule] = Field(default_factory=list)
    default: ActionName = "monitor"

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, rules: list[Rule]) -> list[Rule]:
        names = [rule.name for rule in rules]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"rule names must be unique, repeated: {', '.join(duplicates)}")
        return rules


class _CompiledRule:
    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        words = rule.when.keywords or []
        alternatives = "|".join(re.escape(word.lower()) for word in words)
        self.keywords = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if words else None

    def reasons(self, post: Post, c: Classification) -> list[str] | None:
        """The reasons this rule matches, or ``None`` when a condition fails (the conditions
        after the first failing one are not evaluated)."""
        reasons = []
        for ok, reason in self._checks(post, c):
            if not ok:
                return None
            reasons.append(reason)
        return reasons or ["matches everything"]

    def _checks(self, post: Post, c: Classification) -> Iterator[tuple[bool, str]]:
        """``(condition holds, reason)`` for each condition the rule sets, in order."""
        w = self.rule.when
        if w.noise is not None:
            yield c.noise == w.noise, f"noise={c.noise}"
        if w.noise_reason is not None:
            yield c.noise_reason in w.noise_reason, f"noise_reason={c.noise_reason}"
        for key, value in (("topic", c.topic), ("sentiment", c.sentiment.label),
                           ("urgency", c.urgency), ("platform", post.platform),
                           ("lang", c.lang), ("brand", c.brand)):
            allowed = getattr(w, key)
            if allowed is not None:
                yield value in allowed, f"{key}={value}"
        if w.min_urgency is not None:
            ok = URGENCY_LEVELS.index(c.urgency) >= URGENCY_LEVELS.index(w.min_urgency)
            yield ok, f"urgency {c.urgency} ≥ {w.min_urgency}"
        if w.actionable is not None:
            yield c.actionable == w.actionable, f"actionable={c.actionable}"
        if w.min_priority is not None:
            yield c.priority >= w.min_priority, f"priority {c.priority} ≥ {w.min_priority}"
        if w.min_complaint is not None:
            p = c.complaint if c.complaint is not None else 0.0
            yield p >= w.min_complaint, f"complaint {p:.2f} ≥ {w.min_complaint}"
        if w.min_followers is not None:
            followers = post.author.followers
            yield followers >= w.min_followers, f"followers {followers} ≥ {w.min_followers}"
        if w.verified is not None:
            yield post.author.verified == w.verified, f"verified={post.author.verified}"
        if self.keywords is not None:
            found = self.keywords.search(post.text.lower())
            yield found is not None, f"keyword '{found.group(0)}'" if found else ""


class Router:
    """The route stage: ``(post, classification) -> Decision``."""

    name = "route"

    def __init__(self, config: RouteConfig) -> None:
        self.config = config
        self._rules = [_CompiledRule(rule) for rule in config.rules]

    def __call__(self, post: Post, classification: Classification) -> Decision:
        for compiled in self._rules:
            reasons = compiled.reasons(post, classification)
            if reasons is not None:
                return self._decide(post, classification, compiled.rule.action,
                                    compiled.rule.name, reasons)
        return self._decide(post, classification, self.config.default, "default",
                            ["no rule matched"])

    @staticmethod
    def _decide(post: Post, c: Classification, action: str, rule: str,
                reasons: list[str]) -> Decision:
        key = f"single:{post.id}" if action == "incident" else None
        return Decision(post=post, classification=c, action=action, rule=rule,
                        reasons=[f"rule {rule} → {action}", *reasons], incident_key=key)
