"""Raw records into Posts, and failures into dead letters: the one parse every runner shares.

Called by the in-process runner (:mod:`webcare.job.runner`) and the Kafka classify worker
(:mod:`bus.stages`) on every raw record, and by any stage that turns an exception into a
:class:`schemas.DeadLetter` (stage, true reason, original payload). Never raises for bad input.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from pydantic import ValidationError

from schemas.errors import WebcareError
from schemas.post import Post
from schemas.protocols import RawRecord, malformed_reason
from schemas.results import DeadLetter

MAX_REASON_CHARS = 500


class MalformedInput(WebcareError, ValueError):
    """A source could not turn its input into a Post (the reason is the source's)."""


def parse_post(record: RawRecord) -> Post | DeadLetter:
    """Validate one raw line as a Post; a bad line becomes a dead letter naming the problem.

    Lone UTF-16 surrogates (emitted by encoders that cut an emoji in half) are not JSON to
    pydantic's strict parser; such lines are re-read leniently and the text cleaned. Input
    the source already found unusable (:func:`schemas.protocols.malformed_payload`) becomes
    a dead letter at stage ``ingest`` with the source's reason.
    """
    refused = malformed_reason(record.payload)
    if refused is not None:
        return dead_letter(record, "ingest", MalformedInput(refused))
    try:
        return Post.model_validate_json(record.payload)
    except ValidationError as error:
        if error.errors()[0]["type"] == "json_invalid" and "\\u" in record.payload:
            try:
                return Post.model_validate(_scrub(json.loads(record.payload)))
            except (ValueError, ValidationError):
                pass
        return dead_letter(record, "parse", error, _validation_reason(error))


def _scrub(value: object) -> object:
    """Replace lone surrogates in every string of a decoded JSON value with '?'."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_scrub(key): _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def dead_letter(record: RawRecord, stage: str, error: Exception, reason: str | None = None,
                post_id: str | None = None) -> DeadLetter:
    return DeadLetter(
        stage=stage, error_type=type(error).__name__,
        reason=(reason or str(error))[:MAX_REASON_CHARS], payload=record.payload,
        source=record.source, line=record.position, post_id=post_id,
        occurred_at=datetime.now(timezone.utc),
    )


def _validation_reason(error: ValidationError) -> str:
    parts = []
    for problem in error.errors()[:5]:
        key = ".".join(str(part) for part in problem["loc"])
        parts.append(f"{key}: {problem['msg']}" if key else problem["msg"])
    return "; ".join(parts)
