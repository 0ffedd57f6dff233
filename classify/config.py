"""Configuration of the classify/ stages: one section of the YAML config file."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from classify.brands import BrandConfig
from classify.language import LanguageConfig
from classify.noise import NoiseConfig
from classify.sentiment import SentimentConfig
from classify.topic import TopicConfig
from classify.urgency import UrgencyConfig


class ClassifyConfig(BaseModel):
    """``classify:`` in the config file; ``brands`` comes from the top level of the file."""

    model_config = ConfigDict(extra="forbid")

    brands: list[BrandConfig] = Field(default_factory=list)
    language: LanguageConfig = Field(default_factory=LanguageConfig)
    noise: NoiseConfig = Field(default_factory=NoiseConfig)
    topic: TopicConfig = Field(default_factory=TopicConfig)
    sentiment: SentimentConfig = Field(default_factory=SentimentConfig)
    urgency: UrgencyConfig = Field(default_factory=UrgencyConfig)
