"""``knowledge:`` section of the config: which answered questions become FAQ candidates.

Read by ``webcare knowledge export`` and the app's ``/knowledge`` page (issue 8).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class GroupingConfig(BaseModel):
    """``knowledge.grouping``: how alike two questions must be to count as one FAQ."""

    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(default=0.15, gt=0.0, lt=1.0,
                             description="cosine similarity that joins two questions/groups")
    linkage: Literal["average", "single"] = Field(
        default="average", description="average: agglomerative; single: connected components")
    per_language: bool = Field(default=True, description="group each language on its own")
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    char_weight: float = Field(default=0.6, ge=0.0, le=1.0,
                               description="share of character n-grams in the similarity")


class KnowledgeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grouping: GroupingConfig = Field(default_factory=GroupingConfig)
    min_count: int = Field(default=2, ge=1, le=10_000,
                           description="questions a candidate needs to be listed/exported")
    max_questions: int = Field(default=2000, ge=1, le=20_000,
                               description="the most recent answered questions grouped")
    question_topics: list[str] = Field(
        default_factory=lambda: ["how_to"],
        description="topics that count as questions without a question mark/interrogative")
    reply_modes: list[str] = Field(
        default_factory=lambda: ["sent", "dry-run"],
        description="webcare reply modes that count as answers")
