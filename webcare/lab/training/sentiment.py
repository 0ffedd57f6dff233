"""Trains the shipped sentiment models (``classify/models/sentiment_{en,nl,fi}.npz``).

Run offline by ``webcare train --task sentiment`` or a developer (``python -m
webcare.lab.training.sentiment SHARED_DATA OUT_DIR``), never by the pipeline. Gathers the data
(general sets per language; the invented ITSM posts plus the real labelled in-domain sets for
the domain stage), runs both stages of :mod:`webcare.lab.training.sentiment_stages` (the
domain stage once per invented sample of a bag, the folded models averaged), writes the
artifacts (a key list and a float16 ``(n, 2)`` weight array per language) and the model card.
Failure (missing data file, bad labels) raises; nothing is written for a failed language.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from classify.sentiment import LANGS, N_DENSE
from classify.transformer import with_neutral
from webcare.lab.training import make_itsm_sentiment as itsm
from webcare.lab.training import sentiment_data as sd
from webcare.lab.training.sentiment_features import Linear, fold_table, mean_linear
from webcare.lab.training.sentiment_stages import DOMAIN, fit_domain, fit_general

# an ITSM dev row weighs 10 invented rows: real posts teach what templates cannot (weights 6
# and 10 raised the ITSM CV figure from 0.784 to 0.802 / 0.808, TweetEval -0.007 / -0.011);
# the agents' relabels are real webcare posts too
LABELLED_DOMAIN = {"itsm_dev": 10.0, "dutch_polarity_dev": 3.0, "relabels": 10.0}
PRUNE = 0.01  # merged features whose largest absolute weight is below this are dropped


def to_arrays(model: Linear, lang: str, meta: dict) -> dict[str, np.ndarray]:
    keys = sorted(k for k, w in model.weights.items() if np.abs(w).max() >= PRUNE)
    lexicon = fold_table(lang, False)[1]
    meta = {"name": f"{lang}-itsm-stacked", "lang": lang, "lexicon": lexicon, **meta}
    return {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8),
        "vocab": np.frombuffer("\n".join(keys).encode(), dtype=np.uint8),
        "weights": np.array([model.weights[k] for k in keys], dtype=np.float16).reshape(-1, 2),
        "w_dense": model.dense.astype(np.float32).reshape(N_DENSE, 2),
        "bias": model.bias.astype(np.float32),
    }


def stored_cv_logits(model_dir: Path, name: str, rows: int) -> np.ndarray | None:
    """The calibrated out-of-fold (negative, positive) logits of the labelled set ``name``
    (``itsm_dev``, ``dutch_polarity_dev``) that training stored in ``sentiment_en.npz``; None
    when it stored none of a set of ``rows`` rows. An unreadable artifact raises ``OSError``,
    ``KeyError`` or ``ValueError``."""
    with np.load(Path(model_dir) / "sentiment_en.npz", allow_pickle=False) as z:
        meta = json.loads(bytes(z["meta"]).decode())
    logits = meta.get("domain", {}).get("cv_logits", {}).get(name)
    if logits is None or len(logits) != rows:
        return None
    return np.asarray(logits, dtype=np.float64)


def required_cv_logits(models_dir: Path, name: str, rows: int) -> np.ndarray:
    """:func:`stored_cv_logits` for a head that cannot train without them: raises
    ``ValueError`` saying what to do when the artifact is unreadable or lacks them."""
    try:
        logits = stored_cv_logits(models_dir, name, rows)
    except (OSError, KeyError, ValueError) as error:
        raise ValueError(f"no fast sentiment model to read in {models_dir}: {error!r}") from error
    if logits is None:
        raise ValueError(f"{models_dir}/sentiment_en.npz holds no out-of-fold logits of the "
                         f"{rows} {name} rows: retrain the sentiment models first")
    return logits


def save_model(arrays: dict[str, np.ndarray], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def fit_models(general_sets: dict[str, tuple[list[str], list[int]]], bags: list[tuple], *,
               seed: int = 0, general_params: dict | None = None,
               domain_params: dict | None = None,
               trained_on: dict[str, str] | None = None) -> tuple[dict, dict]:
    """Both stages; returns ``{lang: arrays}`` for :func:`save_model` and training info.
    ``bags``: one ``(rows, weights, subsets)`` per invented sample (see
    :func:`labelled_domain`; every bag holds the same real labelled rows); the domain stage
    is fitted on each and the folded models are averaged."""
    general, ginfo = {}, {}
    for lang in LANGS:
        texts, labels = general_sets[lang]
        general[lang], ginfo[lang] = fit_general(texts, labels, lang, seed=seed,
                                                 params=(general_params or {}).get(lang))
    anchor = ([], [], [])
    for lang in LANGS:
        texts, labels = general_sets[lang]
        for i in ginfo[lang].pop("held_out"):
            anchor[0].append(texts[i])
            anchor[1].append(labels[i])
            anchor[2].append(lang)
    fits = [fit_domain(*rows, general, seed=seed, params=domain_params, anchor=anchor,
                       weights=weights, subsets=subsets) for rows, weights, subsets in bags]
    models = {lang: mean_linear([fitted[lang] for fitted, _ in fits]) for lang in LANGS}
    dinfo = bag_info([info for _, info in fits], bags)
    arrays = {}
    for lang in LANGS:
        skip = {"general_weight"} | ({"cv_logits"} if lang != "en" else set())
        meta = {"trained": date.today().isoformat(), "seed": seed, "general": ginfo[lang],
                "domain": {k: v for k, v in dinfo.items() if k not in skip},
                "trained_on": (trained_on or {}).get(lang, "")}
        arrays[lang] = to_arrays(models[lang], lang, meta)
    return arrays, {"general": ginfo, "domain": dinfo}


def bag_info(infos: list[dict], bags: list[tuple]) -> dict:
    """Training info of the averaged domain models: per-bag settings as lists, and the
    cross-validated figures of the real labelled sets from the bags' averaged out-of-fold
    logits (each bag's logits for a row come from a model that never saw it)."""
    (_, labels, _, _), _, subsets = bags[0]
    logits = {name: np.mean([info["subset_logits"][name] for info in infos], axis=0)
              for name in subsets}
    by_subset = {}
    for name, z in logits.items():
        full = with_neutral(z)
        gold = [labels[i] for i in subsets[name]]
        by_subset[name] = round(float(f1_score(gold, full.argmax(1), average="macro")), 4)
    info = {k: v for k, v in infos[0].items() if k != "subset_logits"}
    for key in ("C", "cv_macro_f1_by_C", "cv_macro_f1_subsets", "temperature",
                "temperature_templates_only", "general_weight"):
        info[key] = [i[key] for i in infos] if len(infos) > 1 else infos[0][key]
    info["bags"] = len(infos)
    if len(infos) > 1:
        info["cv_macro_f1_subsets_by_bag"] = info.pop("cv_macro_f1_subsets")
    info["cv_macro_f1_subsets"] = by_subset
    info["cv_logits"] = {name: z.round(4).tolist() for name, z in logits.items()
                         if name in ("itsm_dev", "dutch_polarity_dev")}
    return info


def labelled_domain(data: Path, invented: tuple[list, list, list, list],
                    relabels: tuple[list, list, list] = ([], [], [])):
    """The domain stage's rows: the invented posts plus the real labelled in-domain sets of
    :data:`LABELLED_DOMAIN` (the agents' ``relabels`` as (texts, labels, langs) when there
    are any; each row its own CV group); returns (rows, weights, subsets)."""
    texts, labels, langs, groups = (list(part) for part in invented)
    weights = [1.0] * len(texts)
    dutch_texts, dutch_labels = sd.dutch_polarity(data)
    sets = {"itsm_dev": sd.itsm_dev(data),
            "dutch_polarity_dev": (dutch_texts, dutch_labels, ["nl"] * len(dutch_texts))}
    if relabels[0]:
        sets["relabels"] = relabels
    subsets = {}
    for name, (set_texts, set_labels, set_langs) in sets.items():
        start = len(texts)
        texts += set_texts
        labels += set_labels
        langs += [lang if lang in LANGS else "en" for lang in set_langs]
        groups += [f"{name}/{i}" for i in range(len(set_texts))]
        weights += [LABELLED_DOMAIN[name]] * len(set_texts)
        subsets[name] = list(range(start, len(texts)))
    return (texts, labels, langs, groups), weights, subsets


def train_sentiment(shared_data_dir: Path, out_dir: Path, seed: int = 0,
                    itsm_path: Path = itsm.OUT, relabel_paths: list[Path] = ()) -> dict:
    """Train en/nl/fi, write ``sentiment_<lang>.npz`` and ``sentiment_MODEL_CARD.md`` into
    ``out_dir`` and return the dev-set metrics (see :mod:`webcare.lab.training.sentiment_eval`).
    The invented ITSM training file is regenerated first if it is missing. ``relabel_paths``:
    labelled JSONL (``webcare relabels export``) whose sentiment labels join the domain stage
    like the ITSM dev rows (their cross-validated macro-F1 is in the metrics)."""
    from webcare.lab.training.sentiment_eval import evaluate, write_card

    relabels = sd.relabelled_sentiment(list(relabel_paths))  # bad input fails before training
    data = sd.data_dir(shared_data_dir)
    out_dir = Path(out_dir)
    if not Path(itsm_path).is_file():
        itsm.write(Path(itsm_path), seed=0)
    general_sets = {"en": sd.tweeteval_train(data), "nl": sd.xed_polarity(data, "nl"),
                    "fi": sd.xed_polarity(data, "fi")}
    general_desc = {"en": "TweetEval sentiment train (reconstructed) + SemEval-2017 4A extra",
                    "nl": "XED nl projections (polarity-mapped)",
                    "fi": "XED fi annotated (polarity-mapped) + neu_fi"}
    agents = (f", {len(relabels[0])} agents' relabels "
              f"({', '.join(Path(p).name for p in relabel_paths)})" if relabels[0] else "")
    trained_on = {lang: f"general: {d}; domain: project ITSM invented posts "
                        f"({Path(itsm_path).name}), ITSM dev, Dutch polarity dev{agents}"
                  for lang, d in general_desc.items()}
    skip = itsm.EXPERT_ONLY  # kinds told apart by tone: for the e5 expert, not the n-gram model
    invented = [itsm.load(Path(itsm_path), skip)] + [
        itsm.columns(itsm.generate(seed=bag), skip) for bag in range(1, DOMAIN["bags"])]
    bags = [labelled_domain(data, sample, relabels) for sample in invented]
    arrays, info = fit_models(general_sets, bags, seed=seed, trained_on=trained_on)
    for lang, a in arrays.items():
        save_model(a, out_dir / f"sentiment_{lang}.npz")
    metrics = evaluate(data, out_dir)
    metrics["train_rows"] = {lang: len(general_sets[lang][1]) for lang in LANGS}
    metrics["itsm_rows"] = info["domain"]["rows"]
    metrics["general_held_out_macro_f1"] = {lang: info["general"][lang]["held_out_macro_f1"]
                                            for lang in LANGS}
    metrics["domain"] = {k: info["domain"][k] for k in (
        "bags", "C", "cv_macro_f1_by_C", "cv_macro_f1_subsets", "cv_macro_f1_subsets_by_bag",
        "temperature", "temperature_templates_only") if k in info["domain"]}
    metrics["domain"]["labelled_weights"] = LABELLED_DOMAIN
    metrics["domain"]["anchor_weight"] = DOMAIN["anchor_weight"]
    metrics["sizes"] = {lang: (out_dir / f"sentiment_{lang}.npz").stat().st_size for lang in LANGS}
    write_card(out_dir / "sentiment_MODEL_CARD.md", metrics, seed)
    return metrics


if __name__ == "__main__":
    print(json.dumps(train_sentiment(Path(sys.argv[1]), Path(sys.argv[2])), indent=2,
                     default=str))
