"""Canned replies per brand and language, and the brand's signature.

A brand's templates (``teams.brands.<brand>.canned.<lang>``) come on top of the app's
(``app.canned.<lang>``, English when the language has none); the signature is appended to a
rendered canned reply. Variables as in :func:`render`: ``{author}``, ``{brand}``, ``{topic}``,
``{agent}``, ``{incident}``; unknown ones stay as written."""

from __future__ import annotations

import re

from webcare.desk.config import TeamsConfig


def render(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def templates(teams: TeamsConfig, base: dict[str, dict[str, str]], brand: str | None,
              lang: str) -> dict[str, str]:
    """Name → template for an item of ``brand`` in ``lang``."""
    out = dict(base.get(lang) or base.get("en", {}))
    own = teams.brands.get(brand or "")
    if own is not None:
        out.update(own.canned.get(lang) or own.canned.get("en", {}))
    return out


def draft(teams: TeamsConfig, base: dict[str, dict[str, str]], brand: str | None, lang: str,
          name: str, values: dict[str, str]) -> str | None:
    """The rendered canned reply ``name`` with the brand's signature (None: no such name)."""
    found = templates(teams, base, brand, lang)
    if name not in found:
        return None
    text = render(found[name], values)
    own = teams.brands.get(brand or "")
    if own is not None and own.signature:
        text = f"{text.rstrip()} {render(own.signature, values)}"
    return text
