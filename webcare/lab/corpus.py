"""The project's own labelled ITSM corpus of brands nobody tuned for (issue 20).

Invented posts written for this project by several writers, one slice per file in
``webcare/lab/training/data/itsm_posts/``: ``<slice>.jsonl`` (the ``webcare classify`` input
format plus ``brand`` and ``labels``, see docs/labelling.md) and ``<slice>_brands.yaml`` (the
slice's brands as a team configures them: names, aliases and handles, no term lists). No
slice was written reading any evaluation set, and no rule was written reading the corpus, so
the rules' figures on it are held-out figures. Read by ``webcare eval`` and the heads'
training; a slice whose files are missing or malformed fails with the file and the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from schemas.errors import WebcareError

CORPUS_DIR = Path(__file__).parent / "training" / "data" / "itsm_posts"
TASKS = ("topic", "urgency", "noise", "relevant", "sentiment")


class CorpusError(WebcareError, ValueError):
    """A corpus file is missing, unreadable or not in the documented format."""


def slices(directory: Path = CORPUS_DIR) -> list[str]:
    """The slice names (``a``, ``b``, ...) that have both files, sorted."""
    return sorted(p.stem for p in directory.glob("*.jsonl")
                  if (directory / f"{p.stem}_brands.yaml").exists())


def read_rows(directory: Path = CORPUS_DIR) -> list[dict]:
    """Every labelled post of every slice, in event-time order (then id); each row also
    carries ``slice``."""
    rows = []
    for name in slices(directory):
        path = directory / f"{name}.jsonl"
        for number, line in enumerate(path.open(encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                _check(row)
            except (ValueError, KeyError, TypeError) as error:
                raise CorpusError(f"{path}:{number}: {error}") from error
            rows.append({**row, "slice": name})
    rows.sort(key=lambda row: (row["created_at"], row["id"]))
    return rows


def read_brands(directory: Path = CORPUS_DIR) -> list[dict]:
    """The brands of every slice (``brands:`` entries of the ``*_brands.yaml`` files)."""
    brands = []
    for name in slices(directory):
        path = directory / f"{name}_brands.yaml"
        loaded = yaml.safe_load(path.read_text("utf-8")) or {}
        if not isinstance(loaded.get("brands"), list):
            raise CorpusError(f"{path}: no 'brands:' list")
        brands.extend(loaded["brands"])
    return brands


def configured(base, brands: list[dict]):  # noqa: ANN001,ANN201 - ClassifyConfig
    """``base`` (a ``ClassifyConfig``) watching ``brands`` instead of its own, by name,
    aliases and handles only (whatever term lists a brand entry carries are dropped)."""
    from classify.config import BrandConfig

    watched = [BrandConfig(name=b["name"], aliases=b.get("aliases", []),
                           own_accounts=b.get("own_accounts", []),
                           support_handles=b.get("support_handles", [])) for b in brands]
    return base.model_copy(update={"brands": watched})


def gold(rows: list[dict]) -> dict[str, list[str]]:
    """Task -> gold label per row, as strings (``noise``/``relevant``: ``"True"``/``"False"``)."""
    return {task: [str(row["labels"][task]) for row in rows] for task in TASKS}


def _check(row: dict) -> None:
    labels = row["labels"]
    for key in ("id", "text", "created_at", "lang", "platform"):
        if not isinstance(row[key], str):
            raise TypeError(f"{key} must be text")
    for key in ("topic", "urgency", "sentiment"):
        if not isinstance(labels[key], str):
            raise TypeError(f"labels.{key} must be text")
    for key in ("noise", "relevant"):
        if not isinstance(labels[key], bool):
            raise TypeError(f"labels.{key} must be true or false")
