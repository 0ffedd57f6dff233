"""The project's own labelled corpus (webcare/lab/training/data/itsm_posts): every slice
loads, its labels are the taxonomy's, its brands are configured by name, aliases and handles
only, and a malformed line fails with its file and line."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classify.config import DEFAULT_LABELS, ClassifyConfig
from schemas.results import URGENCY_LEVELS
from webcare.lab import corpus

NOISE_REASONS = {None, "spam", "off_topic", "duplicate", "bot", "own_post", "empty"}


def test_every_slice_loads_with_taxonomy_labels():
    rows, brands = corpus.read_rows(), corpus.read_brands()
    assert len(corpus.slices()) >= 5 and len(rows) >= 2000
    names = {brand["name"] for brand in brands}
    for row in rows:
        labels = row["labels"]
        assert labels["topic"] in DEFAULT_LABELS and labels["urgency"] in URGENCY_LEVELS
        assert labels["sentiment"] in {"negative", "neutral", "positive"}
        assert labels["noise_reason"] in NOISE_REASONS
        assert (labels["noise_reason"] is not None) == labels["noise"]
        assert not labels["noise"] or labels["urgency"] == "low"
        assert row["brand"] is None or row["brand"] in names, row["id"]
    assert len({row["id"] for row in rows}) == len(rows)
    assert {row["lang"] for row in rows} >= {"en", "nl", "fi"}


def test_brands_are_configured_by_name_aliases_and_handles_only():
    brand = {"name": "Pike", "aliases": ["Pike"], "own_accounts": ["@PikeBank"],
             "support_handles": ["@PikeHelp"], "required_terms": ["bank"],
             "excluded_terms": ["fish"]}
    config = corpus.configured(ClassifyConfig(), [brand])
    assert [b.name for b in config.brands] == ["Pike"]
    assert config.brands[0].required_terms == [] and config.brands[0].excluded_terms == []


def _write(tmp_path, line: str) -> None:
    (tmp_path / "z.jsonl").write_text(line + "\n", "utf-8")
    (tmp_path / "z_brands.yaml").write_text("brands: []\n", "utf-8")


def test_a_malformed_line_names_its_file_and_line(tmp_path):
    _write(tmp_path, '{"id": "z-1"')
    with pytest.raises(corpus.CorpusError, match=r"z\.jsonl:1"):
        corpus.read_rows(tmp_path)


@given(st.dictionaries(st.sampled_from(["id", "text", "created_at", "lang", "platform",
                                        "labels"]),
                       st.one_of(st.none(), st.integers(), st.text(max_size=5),
                                 st.dictionaries(st.text(max_size=5), st.booleans()))))
def test_any_row_either_loads_or_fails_with_a_corpus_error(row):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as directory:
        _write(Path(directory), json.dumps(row))
        try:
            loaded = corpus.read_rows(Path(directory))
        except corpus.CorpusError:
            return
        assert loaded[0]["id"] == row["id"]
