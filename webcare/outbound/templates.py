"""Status-post and reply texts: per-language Jinja2 templates, rendered in a sandbox.

Called when a draft is made (:mod:`webcare.outbound.drafting`) and when a personal reply is
planned (:mod:`webcare.outbound.replies`). Templates come from the config (``outbound.templates``;
en/nl/fi ship as defaults) and are compiled when the config is loaded, so a broken template stops
the program at start with its key. The sandbox refuses attribute tricks; the values are plain
strings and numbers: ``brand``, ``topic``, ``status``, ``since``, ``link``, ``count`` and, in
replies, ``author``. Output is plain text (no HTML escaping: the platforms take text).
"""

from __future__ import annotations

from datetime import datetime

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from schemas import Incident

KINDS = ("opened", "updated", "resolved", "reply", "reply_resolved")
_ENV = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined,
                                     keep_trailing_newline=False)

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "opened": "{{ brand }}: we are aware of a disruption ({{ topic }}) since {{ since }} "
                  "and are working on it. Updates: {{ link }}",
        "updated": "{{ brand }} update: we are still working on the disruption ({{ topic }}, "
                   "{{ count }} reports). Updates: {{ link }}",
        "resolved": "{{ brand }}: the disruption ({{ topic }}) since {{ since }} is resolved. "
                    "Thank you for your patience. {{ link }}",
        "reply": "Hi {{ author }}, we know about the disruption ({{ topic }}) and are working "
                 "on it. Updates: {{ link }}",
        "reply_resolved": "Hi {{ author }}, the disruption ({{ topic }}) is resolved. Thanks "
                          "for letting us know! {{ link }}",
    },
    "nl": {
        "opened": "{{ brand }}: we weten van een storing ({{ topic }}) sinds {{ since }} en "
                  "werken aan een oplossing. Updates: {{ link }}",
        "updated": "{{ brand }} update: we werken nog aan de storing ({{ topic }}, {{ count }} "
                   "meldingen). Updates: {{ link }}",
        "resolved": "{{ brand }}: de storing ({{ topic }}) sinds {{ since }} is opgelost. "
                    "Bedankt voor je geduld. {{ link }}",
        "reply": "Hoi {{ author }}, we weten van de storing ({{ topic }}) en werken eraan. "
                 "Updates: {{ link }}",
        "reply_resolved": "Hoi {{ author }}, de storing ({{ topic }}) is opgelost. Bedankt "
                          "voor je melding! {{ link }}",
    },
    "fi": {
        "opened": "{{ brand }}: tiedämme häiriön ({{ topic }}) klo {{ since }} alkaen ja "
                  "korjaamme sitä. Tiedotteet: {{ link }}",
        "updated": "{{ brand }}: häiriön ({{ topic }}) korjaus jatkuu ({{ count }} ilmoitusta). "
                   "Tiedotteet: {{ link }}",
        "resolved": "{{ brand }}: häiriö ({{ topic }}) klo {{ since }} alkaen on korjattu. "
                    "Kiitos kärsivällisyydestä. {{ link }}",
        "reply": "Hei {{ author }}, tiedämme häiriön ({{ topic }}) ja korjaamme sitä. "
                 "Tiedotteet: {{ link }}",
        "reply_resolved": "Hei {{ author }}, häiriö ({{ topic }}) on korjattu. Kiitos "
                          "ilmoituksesta! {{ link }}",
    },
}


def check(source: str) -> str:
    """Compile once (config load); raises ValueError with Jinja's reason."""
    try:
        _ENV.from_string(source)
    except TemplateError as error:
        raise ValueError(f"not a valid template: {error}") from error
    return source


def render(source: str, values: dict[str, object]) -> str:
    """The text of one template; an unknown placeholder raises ValueError naming it."""
    try:
        return " ".join(_ENV.from_string(source).render(**values).split())
    except TemplateError as error:
        raise ValueError(f"template failed: {error}") from error


def values(incident: Incident, link: str) -> dict[str, object]:
    """The placeholders of an incident's texts."""
    return {"brand": incident.brand or "", "topic": incident.topic.replace("_", " "),
            "status": incident.status, "since": _since(incident.first_seen),
            "link": link, "count": incident.post_count}


def status_link(source: str, incident: Incident) -> str:
    """``outbound.status_link`` rendered with ``key`` (the incident key) and ``brand``."""
    return render(source, {"key": incident.key, "brand": incident.brand or ""}) if source else ""


def shorten(text: str, limit: int | None) -> str:
    """Cut to a platform's length, keeping the trailing link when there is one."""
    if limit is None or len(text) <= limit:
        return text
    head, _, tail = text.rpartition(" ")
    if tail.startswith("http") and len(tail) < limit - 2:
        return head[: limit - len(tail) - 2].rstrip() + "… " + tail
    return text[: limit - 1] + "…"


def _since(moment: datetime) -> str:
    return moment.strftime("%H:%M UTC")
