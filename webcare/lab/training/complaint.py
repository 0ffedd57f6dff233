"""Trains the complaint models (``classify/models/complaint_en.npz``, ``complaint_minilm.npz``,
``complaint_e5.npz``).

Run offline by ``webcare train --task complaint`` (after the sentiment models, whose
probabilities are inputs), never by the pipeline. Data: labelled complaint tweets (the ACL 2019
complaints set under ``shared/data/complaints``; plus any ``--data`` CSV/JSONL rows with a
``text`` and ``is_complaint`` / ``labels.complaint``). Both models are logistic regressions
without class weights, so their probabilities stay calibrated; C and the decision threshold
are chosen on 5-fold out-of-fold predictions, whose F1, Brier score and calibration error go
into the artifact and the model card. The heads stack the out-of-fold fast logit with the
MiniLM or the e5 embedding. Failure (missing data) raises.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, f1_score
from sklearn.model_selection import StratifiedKFold

from classify.char_ngrams import CharTfidf
from classify.complaint import EMBEDDING_HEADS, complaint_features
from webcare.lab.training.transformer_calibration import expected_calibration_error

C_GRID = (0.1, 0.3, 1.0, 3.0)
# character n-grams (char_wb 2-3, tf-idf) next to the dict features, scaled so a unit-length
# row weighs like a few word keys: mean 5-fold CV F1 over four shuffles 0.798 -> 0.811
# (2-4-grams at scale 1: 0.801, 2: 0.806, 4: 0.810, 8: 0.808; at scale 4, 2-5-grams 0.811,
# 3-5 0.807, 3-4 0.808, 3-3 0.809): 2-3 is as good as any and the cheapest to compute
CHARS = {"low": 2, "high": 3, "min_df": 2, "scale": 4.0}
# per encoder: e5's unit-length embeddings vary little, so its head wants larger C (5-fold CV F1
# on the complaints set over three shuffles, C 1: 0.814-0.819, C 3: 0.821-0.822; shipped: C 10,
# 0.825; the MiniLM head 0.818)
HEAD_C_GRIDS = {"minilm": (0.03, 0.1, 0.3, 1.0), "e5": (0.3, 1.0, 3.0, 10.0)}
THRESHOLDS = np.round(np.arange(0.2, 0.71, 0.02), 2)
FOLDS = 5


def read_complaints(paths: list[Path]) -> tuple[list[str], list[int]]:
    """Texts and 0/1 labels from complaint CSVs (``text``, ``is_complaint``) and JSONL rows
    (``text`` + ``labels.complaint``); raises ``ValueError`` naming a bad row."""
    texts, labels = [], []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            rows = (csv.DictReader(handle) if path.suffix == ".csv"
                    else (json.loads(line) for line in handle if line.strip()))
            for n, row in enumerate(rows, 1):
                value = row.get("is_complaint", (row.get("labels") or {}).get("complaint"))
                if str(value) not in ("0", "1", "True", "False", "true", "false"):
                    raise ValueError(f"{path}: row {n}: no 0/1 complaint label")
                texts.append(str(row["text"]))
                labels.append(int(str(value) in ("1", "True", "true")))
    return texts, labels


def featurize(texts: list[str], classifier) -> list[dict[str, float]]:  # noqa: ANN001
    """The model's input features through the project's own topic, cue and sentiment stages
    (``classifier``: a :class:`classify.pipeline.Classifier` without the complaint model)."""
    from webcare.lab.training.posts import text_post

    results = classifier.classify_many([text_post(i, t) for i, t in enumerate(texts)])
    return [complaint_features(t, classifier.urgency.cues.found(t), r.topic,
                               r.sentiment.probabilities) for t, r in zip(texts, results)]


def _best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    scores = [(f1_score(y, p >= t), float(t)) for t in THRESHOLDS]
    score, threshold = max(scores)
    return threshold, float(score)


def _oof(make_x, y: np.ndarray, c: float, seed: int) -> np.ndarray:
    """Out-of-fold probabilities; ``make_x(train_idx, test_idx)`` builds both matrices."""
    out = np.zeros(len(y))
    for tr, te in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(y, y):
        x_tr, x_te = make_x(tr, te)
        model = LogisticRegression(C=c, max_iter=5000, random_state=seed).fit(x_tr, y[tr])
        out[te] = model.predict_proba(x_te)[:, 1]
    return out


def _choose(make_x, y: np.ndarray, grid, seed: int) -> dict:
    """C, threshold and the out-of-fold figures of the best C."""
    best = None
    for c in grid:
        p = _oof(make_x, y, c, seed)
        threshold, score = _best_threshold(y, p)
        if best is None or score > best["cv_f1"]:
            best = {"C": c, "threshold": threshold, "cv_f1": round(score, 4),
                    "cv_f1_at_0.5": round(float(f1_score(y, p >= 0.5)), 4),
                    "cv_brier": round(float(brier_score_loss(y, p)), 4),
                    "cv_ece": round(expected_calibration_error(
                        np.stack([1 - p, p], axis=1), y), 4), "oof": p}
    return best


def _save(path: Path, meta: dict, **arrays: np.ndarray) -> None:
    encoded = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez_compressed(path, meta=encoded, **arrays)


class FastDesign:
    """The fast model's design matrix: the dict features, then the scaled character n-gram
    tf-idf columns; both vocabularies are fitted on the rows given to the constructor."""

    def __init__(self, texts: list[str], features: list[dict]) -> None:
        self.dicts = DictVectorizer().fit(features)
        self.chars = CharTfidf.fit(texts, CHARS["low"], CHARS["high"], CHARS["min_df"])

    def matrix(self, texts: list[str], features: list[dict]) -> sparse.csr_matrix:
        return sparse.hstack([self.dicts.transform(features),
                              self.chars.matrix(texts, CHARS["scale"])], format="csr")


def train_fast(texts: list[str], features: list[dict], y: np.ndarray, out_dir: Path,
               sources: str, seed: int = 0) -> dict:
    """Fit, cross-validate and write ``complaint_en.npz``; returns the figures + OOF probs."""
    def make_x(tr, te):
        design = FastDesign([texts[i] for i in tr], [features[i] for i in tr])
        return (design.matrix([texts[i] for i in tr], [features[i] for i in tr]),
                design.matrix([texts[i] for i in te], [features[i] for i in te]))

    chosen = _choose(make_x, y, C_GRID, seed)
    design = FastDesign(texts, features)
    model = LogisticRegression(C=chosen["C"], max_iter=5000, random_state=seed).fit(
        design.matrix(texts, features), y)
    n_dict = len(design.dicts.feature_names_)
    coef = model.coef_[0]
    keep = np.abs(coef[:n_dict]) >= 1e-3
    names = np.asarray(design.dicts.get_feature_names_out())[keep]
    meta = {"name": "complaint-en-linear", "trained": date.today().isoformat(), "rows": len(y),
            "data": sources, "chars": CHARS,
            **{k: v for k, v in chosen.items() if k != "oof"}}
    _save(out_dir / "complaint_en.npz", meta,
          vocab=np.frombuffer("\n".join(names).encode(), dtype=np.uint8),
          weights=coef[:n_dict][keep].astype(np.float32),
          bias=np.array([model.intercept_[0]], dtype=np.float32),
          char_weights=(CHARS["scale"] * coef[n_dict:]).astype(np.float32),
          **design.chars.arrays())
    return {**meta, "oof": chosen["oof"]}


def train_head(embedded: np.ndarray, y: np.ndarray, fast_oof: np.ndarray, out_dir: Path,
               encoder: str, seed: int = 0) -> dict:
    """Fit the complaint head of ``encoder`` (a key of :data:`EMBEDDING_HEADS`) on the
    out-of-fold fast probabilities and the posts' 384-d embeddings ``embedded`` of that
    encoder; writes its file (``complaint_minilm.npz``, ``complaint_e5.npz``)."""
    p = np.clip(fast_oof, 1e-6, 1 - 1e-6)
    x = np.hstack([np.log(p / (1 - p))[:, None], embedded])
    chosen = _choose(lambda tr, te: (x[tr], x[te]), y, HEAD_C_GRIDS[encoder], seed)
    model = LogisticRegression(C=chosen["C"], max_iter=5000, random_state=seed).fit(x, y)
    meta = {"name": f"complaint-en-{encoder}-head", "trained": date.today().isoformat(),
            "rows": len(y), **{k: v for k, v in chosen.items() if k != "oof"}}
    _save(out_dir / EMBEDDING_HEADS[encoder], meta, coef=model.coef_[0].astype(np.float32),
          bias=np.array([model.intercept_[0]], dtype=np.float32))
    return meta


def write_card(path: Path, fast: dict, heads: dict[str, dict]) -> None:
    """``complaint_MODEL_CARD.md``: data and terms, date, cross-validated figures;
    ``heads``: the figures of the trained heads by encoder."""
    def figures(meta: dict) -> str:
        return (f"5-fold CV F1 {meta['cv_f1']:.3f} at threshold {meta['threshold']} "
                f"(F1 at 0.5: {meta['cv_f1_at_0.5']:.3f}), Brier {meta['cv_brier']:.3f}, "
                f"calibration error {meta['cv_ece']:.3f}, C {meta['C']}")
    described = {"minilm": ("MiniLM head, for the posts MiniLM re-scored in the cascade",
                            "the 384-d MiniLM embedding"),
                 "e5": ("e5 head, for the posts the e5 heads re-scored in the cascade",
                        "the 384-d multilingual-e5-small `query:` embedding")}
    head_lines = [f"* `{EMBEDDING_HEADS[encoder]}` ({role}): {figures(heads[encoder])}: "
                  f"logistic regression over the out-of-fold fast logit and {inputs}."
                  for encoder, (role, inputs) in described.items() if encoder in heads]
    if "minilm" not in heads:
        head_lines.insert(0, "* no MiniLM head (transformer model missing).")
    head_line = "\n".join(head_lines)
    path.write_text(f"""# Complaint models (classify/models/complaint_*.npz)

Trained {fast['trained']} by `webcare train --task complaint` on {fast['rows']} labelled
tweets ({fast['data']}).

* `complaint_en.npz` (fast, default): logistic regression over the sentiment model's word
  features, the urgency cue categories, the topic and the sentiment probabilities (and
  their log-odds against neutral), plus character {fast['chars']['low']}-{fast['chars']['high']}-grams inside word
  boundaries (tf-idf, unit length, scaled by {fast['chars']['scale']});
  {figures(fast)}.
{head_line}

No class weights, so the probabilities are calibrated (Brier score and top-label calibration
error above are out-of-fold); the threshold maximises out-of-fold F1 and can be overridden
with `classify.urgency.complaint.threshold`. English only: other languages get no complaint
probability and the urgency rules alone decide `actionable`.

## Data and licences

| data | used for | licence / terms |
|---|---|---|
| complaints dev (danielpreotiuc/complaints-social-media @ 54e3402, half of the ACL 2019 set, 1,730 tweets) | both models | research data, no licence file in the source repository (research use) |
| sentiment models (see sentiment_MODEL_CARD.md) | input features | as listed there |

The in-sample F1 on the complaints dev set is not a quality figure (the models train on it);
the cross-validated one is. The held-out half of the ACL 2019 set was never seen.
""", encoding="utf-8")
