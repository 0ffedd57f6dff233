"""Kafka message formats: JSON values carrying ``schema_version``, keys, DLQ headers.

* ``<prefix>.posts.raw``: the ingested Post JSON exactly as received (parsing is the classify
  worker's job, so a bad line becomes a dead letter with its offset).
* ``<prefix>.posts.classified``: :class:`ClassifiedPost` (post + classification).
* ``<prefix>.decisions``: :class:`schemas.Decision`.
* ``<prefix>.dlq``: :class:`schemas.DeadLetter`, headers say stage, error type, reason,
  attempt and where the message came from (topic, partition, offset).

Keys of raw and classified posts are the conversation id, else the author handle, else the post
id, so related posts stay ordered in one partition through classify and route. Decisions are
keyed by brand (:func:`decision_key`): the sink stage correlates incidents per brand, so all
of a brand's decisions go to the one sink replica owning that partition.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict

from schemas import SCHEMA_VERSION, Classification, DeadLetter, Post
from schemas.errors import WebcareError

Headers = list[tuple[str, bytes]]


class ClassifiedPost(BaseModel):
    """What the classify worker produces and the route worker consumes."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    post: Post
    classification: Classification


class UnsupportedVersion(WebcareError, ValueError):
    """A message written by a newer release (its schema_version is above ours)."""


def key_for(post: Post) -> bytes:
    """Partition key of a parsed post."""
    return (post.conversation_id or post.author.handle or post.id).encode("utf-8")


def decision_key(decision) -> bytes:
    """Partition key of a decision: its brand (``-`` for none), so one sink replica sees every
    decision of a brand and its incident correlator opens one incident per outage."""
    return (decision.classification.brand or "-").encode("utf-8")


def raw_key(payload: str) -> bytes | None:
    """Partition key of a raw line, read leniently (a bad line gets no key: any partition)."""
    try:
        data: Any = orjson.loads(payload)
        author = data.get("author") or {}
        value = data.get("conversation_id") or author.get("handle") or data.get("id")
    except (orjson.JSONDecodeError, AttributeError, TypeError):
        return None
    return str(value).encode("utf-8") if value else None


def check_version(value: bytes) -> None:
    """Reject a message from a newer release before validating it (poison → DLQ)."""
    try:
        version = orjson.loads(value).get("schema_version", SCHEMA_VERSION)
    except (orjson.JSONDecodeError, AttributeError):
        return  # the model's own validation names the problem
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise UnsupportedVersion(f"schema_version {version} > supported {SCHEMA_VERSION}")


def dlq_headers(letter: DeadLetter, attempt: int, topic: str, partition: int,
                offset: int) -> Headers:
    """The DLQ headers an operator (or a replay tool) filters on without parsing values."""
    pairs = {"stage": letter.stage, "error_type": letter.error_type,
             "reason": letter.reason[:1000], "attempt": str(attempt), "source_topic": topic,
             "source_partition": str(partition), "source_offset": str(offset),
             "schema_version": str(letter.schema_version)}
    return [(name, value.encode("utf-8", "replace")) for name, value in pairs.items()]


def header_map(headers: Headers | None) -> dict[str, str]:
    """Headers of a consumed record as text (for tests and DLQ tooling)."""
    return {name: value.decode("utf-8", "replace") for name, value in headers or []}
