"""One configured HTTP call of the ``rest`` ticket sink, and how a ticket id is read back.

Built at config load (templates compiled, JSONPaths parsed, regexes compiled: a bad one fails
then with its key). Per request the sink calls :meth:`Call.prepare` (render method, path, query,
headers and body) and, on the 2xx answer, :meth:`Call.variables` (``extract``: name → JSONPath,
for the next calls of the same step list) and :meth:`IdRule.find` (the ticket id, from the JSON
body by JSONPath or from a header such as ``Location`` by regex). A missing variable is a
:class:`schemas.plumbing.http.Rejected` carrying the response body (dead letter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, unquote, urlencode

from jsonpath_ng.ext import parse as parse_jsonpath
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from schemas.plumbing import http
from sinks.tickets.rest_templates import compile_template, render, render_json

PATH_SAFE = "/:@!$&'()*+,;=-._~%"  # keep what a path may hold; spaces and the rest are quoted


def compile_jsonpath(expression: str, what: str):
    try:
        return parse_jsonpath(expression)
    except Exception as error:  # JSONPathError, and plain Exceptions from the ply-based lexer
        raise ValueError(f"{what}: bad JSONPath {expression!r}: {error}") from error


def first_scalar(matches: list) -> str | None:
    """The first match that is a non-empty string or number (never a bool, object or list)."""
    for match in matches:
        value = match.value
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value):
            return str(value)
    return None


class IdRule(BaseModel):
    """Where the ticket id is: ``{jsonpath: $.result.sys_id}`` or ``{header: Location,
    regex: '/([^/]+)$'}`` (group 1, or the whole match; the header is URL-decoded first)."""

    model_config = ConfigDict(extra="forbid")

    jsonpath: str | None = None
    header: str | None = None
    regex: str | None = None
    _path: Any = PrivateAttr(default=None)
    _regex: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _compile(self) -> IdRule:
        if (self.jsonpath is None) == (self.header is None):
            raise ValueError("id: set exactly one of `jsonpath` or `header`")
        if self.jsonpath is not None:
            self._path = compile_jsonpath(self.jsonpath, "id.jsonpath")
        if self.regex is not None:
            try:
                self._regex = re.compile(self.regex)
            except re.error as error:
                raise ValueError(f"id.regex: bad regular expression: {error}") from error
        return self

    def find(self, response: http.Response) -> str | None:
        """The id in this response, or None if it has none."""
        if self._path is not None:
            value = first_scalar(self._path.find(response.json()))
        else:
            raw = response.headers.get(str(self.header).lower())
            value = unquote(raw) if raw else None
        if value is not None and self._regex is not None:
            match = self._regex.search(value)
            value = (match.group(1) if match.re.groups else match.group(0)) if match else None
        return value or None

    def require(self, response: http.Response) -> str:
        """The id, or a dead letter naming where it was looked for, with the body."""
        value = self.find(response)
        if value is None:
            where = self.jsonpath or f"header {self.header}" + (f" ~ {self.regex}" if self.regex
                                                                 else "")
            raise http.Rejected(response.status, response.body, f"no ticket id at {where}")
        return value


@dataclass(frozen=True)
class Prepared:
    method: str
    target: str  # path and query, to append to the tool's base URL
    headers: dict[str, str]
    data: bytes | None


class Call(BaseModel):
    """``{method: POST, path: /api/x/{{ ticket_id }}, query: {...}, headers: {...},
    body: '{"title": {{ incident.title | tojson }}}', extract: {name: JSONPath}, id: {...}}``."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    path: str = Field(description="Jinja template; URL-quoted after rendering (spaces → %20)")
    query: dict[str, str] = Field(default_factory=dict, description="values are templates")
    headers: dict[str, str] = Field(default_factory=dict, description="values are templates")
    body: str | None = Field(default=None, description="Jinja template that renders JSON")
    extract: dict[str, str] = Field(default_factory=dict,
                                    description="variable → JSONPath, for the next calls")
    id: IdRule | None = None
    _templates: dict[str, Any] = PrivateAttr(default_factory=dict)
    _extract: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _compile(self) -> Call:
        sources = {"path": self.path, **{f"query.{k}": v for k, v in self.query.items()},
                   **{f"headers.{k}": v for k, v in self.headers.items()}}
        if self.body is not None:
            sources["body"] = self.body
        self._templates = {what: compile_template(src, what) for what, src in sources.items()}
        self._extract = {name: compile_jsonpath(path, f"extract.{name}")
                         for name, path in self.extract.items()}
        return self

    def prepare(self, ctx: dict[str, Any]) -> Prepared:
        """Render this call for one entry; raises RenderError (dead letter) on a bad render."""
        target = quote(render(self._templates["path"], ctx, "path"), safe=PATH_SAFE)
        if self.query:
            values = {k: render(self._templates[f"query.{k}"], ctx, f"query.{k}")
                      for k in self.query}
            target += ("&" if "?" in target else "?") + urlencode(values, quote_via=quote)
        headers = {k: render(self._templates[f"headers.{k}"], ctx, f"headers.{k}")
                   for k in self.headers}
        data = render_json(self._templates["body"], ctx, "body") if self.body is not None \
            else None
        return Prepared(self.method, target, headers, data)

    def variables(self, response: http.Response) -> dict[str, str]:
        """The ``extract`` values of a 2xx answer; a missing one is a dead letter."""
        found: dict[str, str] = {}
        for name, path in self._extract.items():
            value = first_scalar(path.find(response.json()))
            if value is None:
                raise http.Rejected(response.status, response.body,
                                    f"extract.{name}: nothing at {self.extract[name]}")
            found[name] = value
        return found
