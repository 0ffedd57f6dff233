"""Which configured brand a post is about, and whether it addresses the brand's handles.

Alias matching is case-insensitive and word-bounded on the left; on the right an alias may be
followed by a short lowercase inflection (``Tuulin``, ``Kettles``: at most
:data:`MAX_INFLECTION` letters), a CamelCase continuation (``#KettleDown``) or a hyphenated
compound (``Kabelwijk-account``). Spaces inside an alias also match ``-``/``_``/nothing
(``Kettle Mail`` = ``KettleMail``). All-capital alias words such as ``IT`` match case-sensitively
so ``Aldermere it was`` is not ``Aldermere IT``. @mentions and URLs are not searched for aliases;
@mentions of a brand's handles set ``addressed`` instead.

Context terms (``required_terms``, ``excluded_terms``) are matched the same way as aliases: a
term ending in ``*`` is a prefix (``sovellu*``), other terms allow the short inflection; terms
without letters or digits (emoji) match as substrings. :mod:`classify.noise` uses them to
decide whether a mention is off-topic (see :meth:`BrandMatcher.context`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

from classify.language import drop_markup
from classify.types import BrandMatch

MAX_INFLECTION = 4
_LOWER = "a-zßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿ"
_SUFFIX = rf"(?-i:[{_LOWER}]{{0,{MAX_INFLECTION}}}(?![{_LOWER}]))"
_HANDLE_RE = re.compile(r"(?<![\w@])@([\w.\-]+)(?:@[\w.\-]+)?")


def normalise_handle(handle: str) -> str:
    """``@KettleSupport`` / ``kettlesupport@mastodon.social`` -> ``kettlesupport``."""
    return handle.strip().lstrip("@").split("@")[0].rstrip(".").lower()


def _term_pattern(term: str) -> str:
    """Regex source for one alias or context term (see the module docstring)."""
    prefix = term.endswith("*")
    words = term.rstrip("*").split()
    parts = [f"(?-i:{re.escape(w)})" if w.isupper() and len(w) <= 3 else re.escape(w) for w in words]
    return r"[\s_\-]*".join(parts) + (r"\w*" if prefix else _SUFFIX)


def compile_terms(terms: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for a list of terms, longest first; ``None`` when empty."""
    words = sorted({t.strip() for t in terms if t.strip().rstrip("*")}, key=len, reverse=True)
    if not words:
        return None
    sources = [(r"(?<![^\W_])" if re.match(r"\w", w) else "") + _term_pattern(w) for w in words]
    return re.compile("|".join(f"(?:{s})" for s in sources), re.IGNORECASE)


class BrandConfig(BaseModel):
    """One brand under watch (``brands:`` at the top of the config file)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    what: str = ""  # free description for humans; not used by the matcher
    aliases: list[str] = Field(default_factory=list)
    own_accounts: list[str] = Field(default_factory=list)
    support_handles: list[str] = Field(default_factory=list)
    required_terms: list[str] = Field(default_factory=list)
    excluded_terms: list[str] = Field(default_factory=list)

    @field_validator("aliases", "required_terms", "excluded_terms")
    @classmethod
    def _non_blank(cls, value: list[str]) -> list[str]:
        if any(not term.strip().rstrip("*") for term in value):
            raise ValueError("terms must not be blank")
        return [term.strip() for term in value]

    @field_validator("own_accounts", "support_handles")
    @classmethod
    def _handles(cls, value: list[str]) -> list[str]:
        if any(not normalise_handle(h) for h in value):
            raise ValueError("handles must not be blank")
        return value


@dataclass(frozen=True, slots=True)
class _Brand:
    config: BrandConfig
    handles: frozenset[str]  # support handles and own accounts, normalised
    own: frozenset[str]
    aliases: re.Pattern[str] | None
    required: re.Pattern[str] | None
    excluded: re.Pattern[str] | None


def _compile(config: BrandConfig) -> _Brand:
    own = frozenset(map(normalise_handle, config.own_accounts))
    handles = own | frozenset(map(normalise_handle, config.support_handles))
    return _Brand(config, handles, own, compile_terms(config.aliases or [config.name]),
                  compile_terms(config.required_terms), compile_terms(config.excluded_terms))


class BrandMatcher:
    """Called once per post by the classifier; ``match`` never raises on any post."""

    def __init__(self, brands: list[BrandConfig]) -> None:
        self._brands = [_compile(b) for b in brands]
        self._by_name = {b.config.name: b for b in self._brands}

    def match(self, post) -> BrandMatch:  # noqa: ANN001 - schemas.Post (or anything with .text)
        """The brand the post addresses, else the brand whose aliases it mentions most."""
        mentions = {normalise_handle(m) for m in _HANDLE_RE.findall(post.text)}
        body = drop_markup(post.text)
        best: tuple[int, BrandMatch] | None = None
        for brand in self._brands:
            hit = sorted(mentions & brand.handles)
            terms = tuple(dict.fromkeys(m.group(0) for m in brand.aliases.finditer(body))) if brand.aliases else ()
            if not hit and not terms:
                continue
            score = (100 if hit else 0) + len(terms)
            found = BrandMatch(brand.config.name, bool(hit), tuple(f"@{h}" for h in hit) + terms)
            if best is None or score > best[0]:
                best = (score, found)
        return best[1] if best else BrandMatch(None, False)

    def is_own_account(self, handle: str) -> str | None:
        """Name of the brand that owns ``handle`` (a post author), else ``None``."""
        key = normalise_handle(handle)
        return next((b.config.name for b in self._brands if key in b.own), None)

    def context(self, brand: str, text: str) -> tuple[list[str], list[str]]:
        """(required terms found, excluded terms found) of ``brand`` in ``text``."""
        entry = self._by_name.get(brand)
        if entry is None:
            return [], []
        body = drop_markup(text)
        found = [m.group(0) for m in entry.required.finditer(body)] if entry.required else []
        bad = [m.group(0) for m in entry.excluded.finditer(body)] if entry.excluded else []
        return found, bad

    def needs_context(self, brand: str) -> bool:
        """True when the brand has ``required_terms`` (its aliases are ambiguous words)."""
        entry = self._by_name.get(brand)
        return bool(entry and entry.config.required_terms)

    def strong_alias(self, brand: str, terms: tuple[str, ...]) -> bool:
        """True when a matched alias is multi-word (``Quokka Bank``): unambiguous on its own."""
        return any(not t.startswith("@") and re.search(r"[\s_\-]|[a-z][A-Z]", t.strip()) for t in terms)
