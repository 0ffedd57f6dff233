"""The ``classify:`` section of the config file (and the top-level ``brands:``): every
classify stage's config model, in one light module.

Only pydantic and the standard library: ``webcare.job.config`` validates these at every config
load, and loading a config must not load spaCy, scipy or the models. Each stage module
(:mod:`classify.topic`, :mod:`classify.sentiment`, ...) imports its model from here and is
built from it by :class:`classify.pipeline.Classifier`. The handle and language-code
normalisers live here because the validators need them; the stages use them too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGUAGE_ALIASES = {  # old or macro-language codes -> the code the detector uses
    "nb": "no", "nn": "no", "iw": "he", "in": "id", "ji": "yi"}


def normalise_handle(handle: str) -> str:
    """``@KettleSupport`` / ``kettlesupport@mastodon.social`` -> ``kettlesupport``."""
    return handle.strip().lstrip("@").split("@")[0].rstrip(".").lower()


def normalise_code(code: str | None) -> str | None:
    """``en-GB`` / ``EN`` / ``nb`` -> ``en`` / ``en`` / ``no``; ``None`` for empty or odd hints."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    if not base.isalpha() or not 2 <= len(base) <= 3:
        return None
    return LANGUAGE_ALIASES.get(base, base)


class BrandConfig(BaseModel):
    """One brand under watch (``brands:`` at the top of the config file)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    what: str = ""  # free description for humans; not used by the matcher
    aliases: list[str] = Field(default_factory=list)
    own_accounts: list[str] = Field(default_factory=list)
    support_handles: list[str] = Field(default_factory=list)
    required_terms: list[str] = Field(default_factory=list)
    excluded_terms: list[str] = Field(default_factory=list)

    @field_validator("aliases", "required_terms", "excluded_terms")
    @classmethod
    def _non_blank(cls, value: list[str]) -> list[str]:
        if any(not term.strip().rstrip("*") for term in value):
            raise ValueError("terms must not be blank")
        return [term.strip() for term in value]

    @field_validator("own_accounts", "support_handles")
    @classmethod
    def _handles(cls, value: list[str]) -> list[str]:
        if any(not normalise_handle(h) for h in value):
            raise ValueError("handles must not be blank")
        return value


class LanguageConfig(BaseModel):
    """``classify.language`` in the config file.

    ``hint_policy``: ``never`` ignores the platform's language tag; ``fallback`` (default) uses it
    only when the detector is unsure (below ``min_confidence``) or the text is too short
    (fewer than ``min_chars`` characters once stripped); ``prefer`` uses it whenever it names a configured
    language. Hints outside ``languages`` are always ignored.
    """

    model_config = ConfigDict(extra="forbid")

    languages: list[str] = Field(
        default_factory=lambda: ["en", "nl", "fi", "de", "fr", "sv", "es", "da", "no", "et"],
        min_length=1,
    )
    min_confidence: float = Field(default=0.4, ge=0.0, le=1.0)
    min_chars: int = Field(default=4, ge=1)
    hint_policy: Literal["never", "fallback", "prefer"] = "fallback"

    @field_validator("languages")
    @classmethod
    def _codes(cls, value: list[str]) -> list[str]:
        codes = [normalise_code(code) for code in value]
        bad = [raw for raw, code in zip(value, codes) if code is None]
        if bad:
            raise ValueError(f"not ISO 639 language codes: {bad}")
        return list(dict.fromkeys(c for c in codes if c))


CONTEXT_LANGS = ("en", "nl", "fi")  # the languages of CONTEXT_TERMS
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
    ``bot_threshold`` are the evidence scores (``SPAM_RULES``/``BOT_RULES`` in
    :mod:`classify.noise_rules`) that make a post spam or bot; ``keep_unbranded_replies`` keeps
    replies that name no brand (the thread is about one, we cannot see which);
    ``context_terms`` are generic service words that count as brand context for every brand
    (added to each brand's ``required_terms``).
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


DEFAULT_LABELS = [
    "outage", "access", "performance", "connectivity", "billing",
    "security", "how_to", "feedback", "other",
]


class TopicConfig(BaseModel):
    """``classify.topic`` in the config file. Unknown keys are rejected at load time."""

    model_config = ConfigDict(extra="forbid")

    labels: list[str] = Field(default_factory=lambda: list(DEFAULT_LABELS))
    rules: Path | None = Field(default=None, description="topic rule YAML; None = shipped rules")
    model: Path | None = Field(default=None, description="textcat from `webcare train`")
    model_weight: float = Field(default=2.0, ge=0.0, description="rule points per unit of p")
    fallback: str = "other"
    min_score: float | None = Field(default=None, ge=0.0, description="None = rule file value")

    @field_validator("labels")
    @classmethod
    def _labels_non_empty(cls, value: list[str]) -> list[str]:
        if not value or len(set(value)) != len(value):
            raise ValueError("labels must be a non-empty list without duplicates")
        return value


class CascadeConfig(BaseModel):
    """``classify.sentiment.cascade`` in the config file."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    model_dir: Path | None = None  # None: the model shipped in classify/models/
    confidence: float = Field(default=0.8, ge=0.0, le=1.01, description=(
        "fast top probability at or above which the fast model decides; 1.01 = the accurate "
        "models always"))
    langs: list[str] = Field(default_factory=lambda: ["en"],
                             description="languages MiniLM decides (it is English-trained)")
    multilingual_langs: list[str] = Field(default_factory=lambda: ["nl"], description=(
        "languages the multilingual-e5 head decides (it is trained on Dutch tweets)"))
    webcare_langs: list[str] = Field(default_factory=lambda: ["en", "nl", "fi"], description=(
        "languages whose posts (see webcare_posts) the webcare-domain e5 expert decides "
        "(trained on posts to service providers in en/nl/fi: better than MiniLM and the "
        "Dutch head on those, worse on general tweets)"))
    webcare_posts: Literal["brand", "all"] = Field(default="brand", description=(
        "brand: the posts that mention a watched brand (the rest go to MiniLM / the Dutch "
        "head); all: every post of webcare_langs (list those languages nowhere else)"))
    fast_weight: float = Field(default=0.3, ge=0.0, le=1.0, description=(
        "weight of the fast model's log-probabilities in MiniLM's decision (a product of "
        "experts; 0 = MiniLM alone). 0.3 was chosen on the VADER ground-truth set"))
    threads: int = Field(default=1, ge=1, le=64,
                         description="threads of onnxruntime (MiniLM) and of the e5 engine")
    batch_size: int = Field(default=32, ge=1, le=1024)

    @model_validator(mode="after")
    def _one_model_per_post(self) -> CascadeConfig:
        routes = {"langs": self.langs, "multilingual_langs": self.multilingual_langs}
        if self.webcare_posts == "all":  # brand scope: the others decide the other posts
            routes["webcare_langs"] = self.webcare_langs
        seen: dict[str, str] = {}
        for key, langs in routes.items():
            for lang in langs:
                if lang in seen:
                    raise ValueError(f"language {lang!r} is in both {seen[lang]} and {key}; "
                                     "each post has one accurate model")
                seen[lang] = key
        if not seen and not self.webcare_langs:
            raise ValueError("langs, multilingual_langs and webcare_langs are all empty: "
                             "nothing to cascade")
        return self


class SentimentConfig(BaseModel):
    """``classify.sentiment`` in the config file."""

    model_config = ConfigDict(extra="forbid")

    model_dir: Path | None = None  # None: the models shipped in classify/models/
    # extra logit per hand-lexicon word (the models already weigh the lexicon; 0 = as trained)
    lexicon_boost: float = Field(default=0.0, ge=0.0, le=5.0)
    max_chars: int = Field(default=1000, ge=10)  # longer posts are cut before scoring
    cascade: CascadeConfig = Field(default_factory=CascadeConfig)  # MiniLM when unsure


class ComplaintConfig(BaseModel):
    """``classify.urgency.complaint`` in the config file."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    model_dir: Path | None = None  # None: the models shipped in classify/models/
    threshold: float | None = Field(default=None, gt=0.0, lt=1.0,
                                    description="None: the F1-optimal threshold from training")


class UrgencyConfig(BaseModel):
    """``classify.urgency`` in the config file. Unknown keys are rejected at load time."""

    model_config = ConfigDict(extra="forbid")

    cues: Path | None = Field(default=None, description="cue YAML; None = shipped cues")
    base: dict[str, int] = Field(default_factory=lambda: {
        "security": 2, "outage": 2, "access": 2, "billing": 1, "connectivity": 1,
        "performance": 1, "how_to": 1, "feedback": 0, "other": 0,
    }, description="starting level per topic: 0 low, 1 medium, 2 high, 3 critical")
    reach_followers: int = Field(default=100_000, ge=0, description="bumps a problem one level")
    reach_verified_followers: int = Field(default=50_000, ge=0)
    repeat_window_hours: float = Field(default=72.0, gt=0)
    repeat_min_posts: int = Field(default=2, ge=1, description="earlier complaints to escalate")
    repeat_max_authors: int = Field(default=10_000, ge=1, description="LRU size (memory bound)")
    level_priority: list[int] = Field(default=[10, 40, 62, 82], min_length=4, max_length=4)
    reach_priority: float = Field(default=2.0, ge=0, description="priority per decade followers")
    negative_priority: float = Field(default=6.0, ge=0)
    complaint: ComplaintConfig = Field(default_factory=ComplaintConfig)


class JudgementConfig(BaseModel):
    """``classify.judgement``: the learned topic and urgency (:mod:`classify.judgement`).
    On in the shipped configuration (``default_config.yaml``); off when a config file leaves
    the key out, so an existing deployment keeps its rules until it opts in."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    model_dir: Path | None = Field(default=None, description="None: the shipped model")


class ClassifyConfig(BaseModel):
    """``classify:`` in the config file; ``brands`` comes from the top level of the file."""

    model_config = ConfigDict(extra="forbid")

    brands: list[BrandConfig] = Field(default_factory=list)
    language: LanguageConfig = Field(default_factory=LanguageConfig)
    noise: NoiseConfig = Field(default_factory=NoiseConfig)
    topic: TopicConfig = Field(default_factory=TopicConfig)
    sentiment: SentimentConfig = Field(default_factory=SentimentConfig)
    urgency: UrgencyConfig = Field(default_factory=UrgencyConfig)
    judgement: JudgementConfig = Field(default_factory=JudgementConfig)
