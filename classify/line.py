"""The output line of ``webcare classify``: one JSON object per classified post.

Built from a :class:`schemas.Classification` (so it also describes stored decisions), field
by field in ``docs/cli.md``. Probabilities are rounded to 4 places. A stage listed in
``no_model`` had no model or rules for the post's language: its probability and confidence
fields are null here (its label is still given, from what ran instead; the reasons say what).
Rule-based stages give no probability: ``topic_conf`` is the phrase rules' evidence score,
urgency has none, and ``sources`` says which gave each answer.
"""

from __future__ import annotations

from schemas import Classification

DIGITS = 4
SOURCES = ("topic", "sentiment", "urgency", "complaint")  # always in ``sources`` (null: none)


def _rounded(probabilities: dict[str, float] | None) -> dict[str, float] | None:
    return {k: round(v, DIGITS) for k, v in probabilities.items()} if probabilities else None


def classification_line(c: Classification) -> dict:
    """The ``webcare classify`` line of one classification (JSON-ready)."""
    missing = set(c.no_model)
    relevance = c.relevance.model_dump() if c.relevance is not None else None
    return {
        "id": c.post_id, "lang": c.lang, "lang_conf": round(c.lang_confidence, DIGITS),
        "topic": c.topic,
        "topic_conf": None if "topic" in missing else round(c.topic_confidence, DIGITS),
        "topic_probs": None if "topic" in missing else _rounded(c.topic_probs),
        "sentiment": {"label": c.sentiment.label, "compound": round(c.sentiment.compound, 4),
                      "probs": None if "sentiment" in missing
                      else _rounded(c.sentiment.probabilities)},
        "urgency": c.urgency, "noise": c.noise, "noise_reason": c.noise_reason,
        "priority": c.priority,
        "complaint": None if c.complaint is None else round(c.complaint, DIGITS),
        "actionable": c.actionable,
        "relevance": relevance,
        "sources": {**dict.fromkeys(SOURCES), **c.sources}, "no_model": c.no_model,
        "reasons": c.reasons,
    }
