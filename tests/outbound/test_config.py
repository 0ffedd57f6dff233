"""The ``outbound:`` config (bad values fail at load with the key) and the template texts
(sandboxed rendering, cutting to a platform's length) — including property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.outbound.conftest import incident
from webcare.job.config import ConfigError, load_config
from webcare.outbound import templates
from webcare.outbound.config import OutboundConfig


def _load(tmp_path, text: str):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return load_config(path)


def test_defaults_ship_en_nl_fi_and_publish_only_critical_automatically():
    config = OutboundConfig()
    assert sorted(config.templates) == ["en", "fi", "nl"] and config.auto_publish == ["critical"]
    assert config.channels == [] and config.replies.meta_window_hours == 24


@pytest.mark.parametrize("yaml,key", [
    ("outbound: {channels: [{type: x}, {type: x}]}", "must be unique"),
    ("outbound: {channels: [{type: linkedin}]}", "outbound.channels.0"),
    ("outbound: {channels: [{type: engage_community}]}", "group_id"),
    ("outbound: {channels: [{type: x, token: abc}]}", "outbound.channels.0.x.token"),
    ("outbound: {default_language: de}", "no templates"),
    ("outbound: {status_link: '{{ key'}", "not a valid template"),
    ("outbound: {auto_publish: [urgent]}", "outbound.auto_publish.0"),
    ("outbound: {templates: {en: {opened: '{% if %}'}}}", "outbound.templates.en.opened"),
])
def test_a_bad_outbound_config_fails_at_load_naming_the_key(tmp_path, yaml, key):
    with pytest.raises(ConfigError, match="invalid config") as failed:
        _load(tmp_path, yaml)
    assert key in str(failed.value)


def test_a_configured_language_replaces_only_its_own_texts(tmp_path):
    texts = {kind: f"{kind} {{{{ brand }}}}" for kind in templates.KINDS}
    config = _load(tmp_path, "outbound: {templates: {en: %s, de: %s}}" % (texts, texts))
    assert sorted(config.outbound.templates) == ["de", "en", "fi", "nl"]
    assert config.outbound.templates["en"].opened == "opened {{ brand }}"
    assert config.outbound.templates["nl"].opened.startswith("{{ brand }}: we weten")


def test_templates_render_in_a_sandbox_and_name_unknown_placeholders():
    values = templates.values(incident(), "https://s.example/1")
    assert templates.render("{{ brand }} / {{ count }} / {{ since }}", values) == \
        "Lumen Telecom / 3 / 12:00 UTC"
    with pytest.raises(ValueError, match="'author' is undefined"):
        templates.render("{{ author }}", values)
    with pytest.raises(ValueError, match="attribute .__class__. of .str. object is unsafe"):
        templates.render("{{ brand.__class__.__mro__ }}", values)


@given(st.text(min_size=0, max_size=600), st.integers(min_value=20, max_value=500))
def test_shorten_never_exceeds_the_limit(text, limit):
    assert len(templates.shorten(text, limit)) <= limit


@given(st.text(st.characters(blacklist_categories=["Z", "C"]), min_size=1, max_size=400),
       st.integers(min_value=60, max_value=300))
def test_shorten_keeps_the_trailing_link(words, limit):
    link = "https://status.example/i/42"
    cut = templates.shorten(f"{words} {link}", limit)
    assert len(cut) <= limit and cut.endswith(link)
