"""Pydantic models shared by every stage of the pipeline (ingest → classify → route → sinks)."""

from schemas.post import SCHEMA_VERSION, Author, Engagement, Post
from schemas.results import (
    Classification,
    DeadLetter,
    Decision,
    Incident,
    QueueItem,
    Relevance,
    SentimentScore,
)

__all__ = [
    "SCHEMA_VERSION",
    "Author",
    "Engagement",
    "Post",
    "Classification",
    "SentimentScore",
    "Relevance",
    "Decision",
    "QueueItem",
    "Incident",
    "DeadLetter",
]
