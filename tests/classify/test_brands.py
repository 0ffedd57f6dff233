"""classify.brands: alias matching (inflection, compounds, hashtags), addressing, config errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from classify.brands import BrandMatcher, TermSet
from classify.config import BrandConfig, normalise_handle
from classify.types import BrandMatch
from tests.conftest import make_post

BRANDS = [
    BrandConfig(name="Kettle", aliases=["Kettle", "Kettle Mail"], own_accounts=["@KettleHQ"],
                support_handles=["@KettleSupport"], required_terms=["mail", "login"],
                excluded_terms=["boil*", "tea"]),
    BrandConfig(name="Kabelwijk", aliases=["Kabelwijk"], support_handles=["@KabelwijkHelpt"]),
    BrandConfig(name="Tuuli Mobile", aliases=["Tuuli", "Tuuli Mobile"], support_handles=["@TuuliTuki"]),
    BrandConfig(name="Quokka Bank", aliases=["Quokka"], support_handles=["@QuokkaHelp"]),
    BrandConfig(name="Aldermere IT", aliases=["Aldermere", "Aldermere IT"]),
]


@pytest.fixture(scope="module")
def matcher() -> BrandMatcher:
    return BrandMatcher(BRANDS)


@pytest.mark.parametrize(("text", "brand", "addressed"), [
    ("Mijn Kabelwijk-account is weg", "Kabelwijk", False),
    ("is it just me? #KettleDown", "Kettle", False),
    ("KETTLE MAIL is down", "Kettle", False),
    ("KettleMail keeps logging me out", "Kettle", False),
    ("Tuulin verkko ei toimi", "Tuuli Mobile", False),           # Finnish genitive
    ("Tuulilla on taas vika", "Tuuli Mobile", False),            # adessive
    ("Quokassa ei toimi kortti", "Quokka Bank", False),          # consonant gradation kk -> k
    ("@kettlesupport mail is slow", "Kettle", True),
    ("@TuuliTuki@mastodon.social data ei kulje", "Tuuli Mobile", True),
    ("kettlebells at the gym", None, False),                     # long suffix: another word
    ("wasketttle nothing here", None, False),
    ("the download at kettle.example/mail failed", None, False),  # URLs are not searched
])
def test_match(matcher: BrandMatcher, text: str, brand: str | None, addressed: bool) -> None:
    result = matcher.match(make_post(text=text))
    assert (result.brand, result.addressed) == (brand, addressed)


def test_addressing_beats_mentions(matcher: BrandMatcher) -> None:
    result = matcher.match(make_post(text="Kettle Kettle Kettle but @KabelwijkHelpt help"))
    assert result.brand == "Kabelwijk" and result.addressed
    assert "@kabelwijkhelpt" in result.matched_terms


def test_acronym_alias_is_case_sensitive(matcher: BrandMatcher) -> None:
    assert matcher.match(make_post(text="Aldermere IT portal down")).matched_terms[0] == "Aldermere IT"
    assert matcher.match(make_post(text="Aldermere it was lovely")).matched_terms == ("Aldermere",)


def test_context_terms(matcher: BrandMatcher) -> None:
    assert matcher.context("Kettle", "my kettle boiled over, tea time") == ([], ["boiled", "tea"])
    assert matcher.context("Kettle", "Kettle mail login broken")[0] == ["mail", "login"]
    assert matcher.needs_context("Kettle") and not matcher.needs_context("Kabelwijk")
    assert matcher.is_own_account("@kettlehq") == "Kettle"
    assert matcher.is_own_account("@someone") is None


def test_termset_prefix_and_symbols() -> None:
    terms = TermSet(["sovellu*", "☕", "log in"])
    assert terms.find("Sovelluksessa vika ☕, can't log-in") == ["Sovelluksessa", "☕", "log-in"]
    assert not TermSet([])


def test_normalise_handle() -> None:
    assert normalise_handle("@KettleSupport") == "kettlesupport"
    assert normalise_handle("kettlesupport@mastodon.social") == "kettlesupport"


@pytest.mark.parametrize("bad", [
    {"name": ""}, {"name": "X", "aliases": [" "]}, {"name": "X", "own_accounts": ["@"]},
    {"name": "X", "required_terms": ["*"]}, {"name": "X", "colour": "red"},
])
def test_config_validation(bad: dict) -> None:
    with pytest.raises(ValidationError):
        BrandConfig(**bad)


def test_no_brands_matches_nothing() -> None:
    assert BrandMatcher([]).match(make_post(text="Kettle down")) == BrandMatch(None, False)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(min_size=1, max_size=40))
def test_any_text_and_handle(text: str, handle: str) -> None:
    result = BrandMatcher(BRANDS).match(make_post(text=text, author={"handle": handle}))
    assert result.brand is None or result.brand in {b.name for b in BRANDS}
    assert isinstance(result.matched_terms, tuple)
