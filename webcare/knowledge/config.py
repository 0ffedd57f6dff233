"""``knowledge:`` section of the config: which answered questions become FAQ candidates.

Read by ``webcare knowledge export`` and the app's ``/knowledge`` page (issue 8).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from webcare.knowledge.grouping import GroupingConfig


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
