"""Templates of the ``rest`` ticket sink: a sandboxed Jinja2 environment and what it renders from.

:func:`compile_template` is called at config load for every path, query value, header value and
body; :func:`context` per request by :class:`sinks.tickets.templated.RestTicketSink`;
:func:`sample_contexts` at config load, when every template is rendered once per urgency and
event kind against a sample incident whose text holds quotes, backslashes, newlines and
non-ASCII, so a typo (``StrictUndefined``), a missing ``params`` entry or a body that is not
valid JSON without ``| tojson`` fails at start with its key. A template that still fails at
delivery raises :class:`RenderError`, a dead letter: retrying the same incident cannot help.

Filters besides Jinja's own: ``tojson`` (``json.dumps``, unicode kept, always valid JSON) and
``short(n)`` (cut to n characters with an ellipsis).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from jinja2 import StrictUndefined, TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment

from schemas import Incident
from schemas.plumbing import http
from sinks.tickets.base import LEVEL, Entry, describe, short, tag, update_note


def to_json(value: Any) -> str:
    """The ``tojson`` filter: an undefined name fails with its own message, not json's."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return json.dumps(value, ensure_ascii=False)


ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
ENV.filters["tojson"] = to_json
ENV.filters["short"] = lambda value, limit: short(str(value), int(limit))

SAMPLE_TEXT = 'Sample "quoted" \\ text\nwith a second line, ünïcödé and a tab\t'


class RenderError(http.Rejected):
    """A template failed for this entry (or rendered invalid JSON): the entry is a dead letter."""

    def __init__(self, detail: str) -> None:
        super().__init__(None, "", detail)  # type: ignore[arg-type]  # no HTTP status: not sent


def compile_template(source: str, what: str):
    """A compiled template; ValueError naming ``what`` and the line on a syntax error."""
    try:
        return ENV.from_string(source)
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        raise ValueError(f"{what}: template syntax error"
                         f"{f' on line {line}' if line else ''}: {error}") from error


def render(template, ctx: dict[str, Any], what: str) -> str:
    """Render one template; raises :class:`RenderError` naming ``what``."""
    try:
        return template.render(ctx)
    except Exception as error:  # UndefinedError, SecurityError, TypeError in a filter, ...
        raise RenderError(f"{what}: template failed: {type(error).__name__}: {error}") from error


def render_json(template, ctx: dict[str, Any], what: str) -> bytes:
    """Render a body template and check it is JSON; the exact rendered bytes are sent."""
    text = render(template, ctx, what)
    try:
        json.loads(text)
    except ValueError as error:
        raise RenderError(f"{what}: rendered body is not valid JSON ({error}); "
                          f"put `| tojson` after every value: {text[:200]}") from error
    return text.encode("utf-8")


def context(entry: Entry, ticket_id: str | None, variables: dict[str, Any],
            params: dict[str, Any]) -> dict[str, Any]:
    """What a template can use: ``incident``, ``event``, ``ticket_id``, ``vars``, ``params``."""
    i = entry.incident
    incident = {
        "key": i.key, "tag": tag(i.key), "kind": i.kind, "brand": i.brand, "topic": i.topic,
        "status": i.status, "urgency": i.urgency, "level": LEVEL.get(i.urgency, 3),
        "title": i.title, "description": describe(i), "post_count": i.post_count,
        "first_seen": i.first_seen.isoformat(), "last_seen": i.last_seen.isoformat(),
        "platforms": list(i.platforms), "languages": list(i.languages),
        "reasons": list(i.reasons), "sample_post_ids": list(i.sample_post_ids),
        "sentiment": dict(i.sentiment)}
    event = {"id": entry.event_id, "kind": entry.kind, "at": entry.event_at.isoformat(),
             "note": update_note(entry)}
    return {"incident": incident, "event": event, "ticket_id": ticket_id,
            "vars": variables, "params": params}


def sample_entry(kind: str, urgency: str) -> Entry:
    """An entry with awkward text in every free-text field, for the config-load dry run."""
    start = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    incident = Incident(key=f"burst:{SAMPLE_TEXT}", kind="burst", brand=SAMPLE_TEXT,
                        topic="outage", status="resolved" if kind == "resolved" else "open",
                        urgency=urgency, title=SAMPLE_TEXT, first_seen=start,
                        last_seen=start + timedelta(minutes=5), post_count=3,
                        sample_post_ids=["p-1"], platforms=["x"], languages=["en"],
                        reasons=[SAMPLE_TEXT], sentiment={"negative": 0.5})
    return Entry(0, "sample", "sample-event", kind, incident, start)  # type: ignore[arg-type]


def sample_contexts(kinds: tuple[str, ...], ticket_id: str | None, variables: dict[str, Any],
                    params: dict[str, Any]):
    """One context per (event kind, urgency) with the given ticket id and variables."""
    for kind in kinds:
        for urgency in LEVEL:
            yield context(sample_entry(kind, urgency), ticket_id, variables, params)
