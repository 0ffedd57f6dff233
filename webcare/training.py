"""``webcare train``: retrain the classifier models from labelled data.

* sentiment — the shipped per-language models (``classify/models``) from ``../shared/data``
  (see ``classify/models/sentiment_MODEL_CARD.md``);
* topic — the optional textcat from labelled JSONL (``--data``; default the ITSM dev set),
  written to ``var/models/topic`` with a cross-validated comparison against the rules alone;
  switch it on with ``classify.topic.model: <dir>`` when it helps.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from webcare.evaluate import default_shared_dir

SHIPPED_MODELS = Path(__file__).resolve().parents[1] / "classify" / "models"
TOPIC_MODEL_DIR = Path("var/models/topic")


def train(shared: Path | None, task: str, out_dir: Path | None, data: list[Path]) -> str:
    """Run the requested training tasks; returns a report (raises ValueError on bad data)."""
    shared = shared or default_shared_dir()
    lines = []
    if task in ("sentiment", "all"):
        from classify.training.sentiment import train_sentiment

        target = out_dir or SHIPPED_MODELS
        metrics = train_sentiment(shared, target)
        lines += [f"sentiment models written to {target}", json.dumps(metrics, indent=2)]
    if task in ("topic", "all"):
        lines += _train_topic(shared, out_dir, data)
    return "\n".join(lines)


def _train_topic(shared: Path, out_dir: Path | None, data: list[Path]) -> list[str]:
    from classify.training.topic import cross_validate, train_topic

    paths = data or [shared / "itsm" / "dev.jsonl"]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise ValueError(f"labelled data not found: {', '.join(missing)}")
    target = (out_dir / "topic") if out_dir else TOPIC_MODEL_DIR
    with tempfile.TemporaryDirectory() as work:
        scores = cross_validate(paths, Path(work))
    meta = train_topic(paths, target)
    return [f"topic textcat written to {target} ({meta['rows']} rows)",
            f"5-fold cross-validation: rules macro-F1 {scores['rules_macro_f1']:.3f}, "
            f"rules + textcat {scores['rules_plus_model_macro_f1']:.3f}",
            f"enable it with `classify: {{topic: {{model: {target}}}}}` in the config"]
