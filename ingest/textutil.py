"""Small pure helpers the normalisers share: HTML to text and timestamp parsing.

Used by Mastodon (status ``content`` is HTML), Facebook and RSS/Atom summaries. Pure and
total: they never raise on odd input except ``parse_time``, whose ValueError marks the
platform payload as malformed (the record becomes a dead letter).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

_BLOCK = {"p", "br", "div", "li", "blockquote", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK and self.parts:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str | None) -> str:
    """Visible text of an HTML fragment; blocks and ``<br>`` become newlines."""
    if not markup:
        return ""
    if "<" not in markup:
        return html.unescape(markup).strip()
    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text)).strip()


def parse_time(value: str | float | datetime) -> datetime:
    """ISO-8601 (``Z`` allowed), epoch seconds or a datetime, as aware UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, (int, float)):
        moment = datetime.fromtimestamp(value, UTC)
    else:
        text = value.strip().replace("Z", "+00:00")
        if re.fullmatch(r".*[+-]\d{4}", text):
            text = text[:-2] + ":" + text[-2:]  # +0000 (Facebook) -> +00:00
        moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
