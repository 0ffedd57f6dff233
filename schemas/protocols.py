"""The two I/O roles of the pipeline, which concrete sources and sinks satisfy, and the raw
record that flows between them. Concrete modules depend on these, not on each other.

* :class:`Source` yields raw records (each with the position to checkpoint after it).
* :class:`Sink` buffers with ``add`` and makes durable with ``flush``; only a successful
  flush lets the runner (or a Kafka worker) commit the source position.

The pure steps in between (classify/, route/) have no protocol here: their shapes differ
(the classifier runs batches, the router takes a post and its classification, the incident
correlator a decision), so each is typed where it is consumed (:mod:`webcare.job.runner`,
:mod:`bus.stages`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar, runtime_checkable

Item = TypeVar("Item", contravariant=True)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One unparsed input record and where it came from (for dead letters and checkpoints)."""

    payload: str
    source: str
    position: int


MALFORMED_KEY = "malformed_frame"


def malformed_payload(raw: str, error: str, source: str) -> str:
    """The payload of a record for input a source could not turn into a Post (a bad frame,
    an unusable push delivery): the original text, the true reason and the source. Written by
    sources; :func:`malformed_reason` reads it back when the record is parsed."""
    return json.dumps({MALFORMED_KEY: raw, "error": error, "source": source})


def malformed_reason(payload: str) -> str | None:
    """The source's reason when ``payload`` is a :func:`malformed_payload`, else None."""
    if not payload.startswith('{"' + MALFORMED_KEY + '"'):
        return None
    try:
        envelope = json.loads(payload)
    except ValueError:
        return None
    return str(envelope.get("error") or "malformed input") if isinstance(envelope, dict) else None


@runtime_checkable
class Source(Protocol):
    """Yields raw records; ``checkpoint`` is called after a record's results are flushed."""

    name: str

    def records(self) -> Iterator[RawRecord]: ...

    def checkpoint(self, position: int) -> None: ...


@runtime_checkable
class Sink(Protocol[Item]):
    """Buffers items with ``add``; ``flush`` writes them durably or raises (nothing committed)."""

    name: str

    def add(self, item: Item) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...
