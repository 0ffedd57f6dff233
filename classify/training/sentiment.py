"""Trains the shipped sentiment models (``classify/models/sentiment_{en,nl,fi}.npz``).

Run offline by a developer (``python -m classify.training.sentiment SHARED_DATA OUT_DIR``),
never by the pipeline. Two stages, both multinomial logistic regressions over the features of
:func:`classify.sentiment.feature_keys` and :func:`classify.scopes.scope_keys` plus the
dense surface features, hand-lexicon hit counts, (en) VADER word valences, published-lexicon
polarities and the strength of lexicon words in a negation's scope (two columns per scope, so
"not good" learns from every negated lexicon word, not only from the rows that say "good"):

1. a *general* model per language (TweetEval train for en, XED for nl/fi), temperature-
   calibrated on a 10 % held-out split;
2. one multilingual *ITSM domain* model trained on the project's invented webcare posts
   (:mod:`classify.training.make_itsm_sentiment`), whose inputs include the general model's
   calibrated logits (per language) next to its own word features, plus the general rows
   held out in stage 1 (total weight ``anchor_weight`` x the domain rows); regularisation
   chosen by cross-validation grouped by template, temperature fitted on the out-of-fold
   logits of held-out templates and held-out general rows.

Every part is linear, so each language's stack folds into one weight per feature (general
weights mapped through the domain model's coefficients on the general logits, plus the domain
weights, plus lexicon/valence weights), divided by the temperature: the artifact is a plain
key list and a float16 ``(n, 2)`` array of (negative - neutral, positive - neutral) weights.
Failure (missing data file, bad labels) raises; nothing is written for a failed language.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from classify.sentiment import (
    LANGS,
    N_DENSE,
    PREFIX,
    dense_features,
    feature_keys,
    tokenize,
)
from classify.scopes import SCOPES, scope_keys
from classify.training import make_itsm_sentiment as itsm
from classify.training import sentiment_data as sd
from classify.training.sentiment_lexicon import build_lexicon

GENERAL = {  # per language: regularisation, minimum document frequency, VADER valences
    "en": {"C": 0.3, "min_df": 2, "use_vader": True},
    "nl": {"C": 0.5, "min_df": 2, "use_vader": False},
    "fi": {"C": 0.5, "min_df": 2, "use_vader": False},
}
DOMAIN = {"C_grid": (0.03, 0.1, 0.3, 1.0), "min_df": 2, "folds": 5, "anchor_weight": 0.5,
          "stack_scale": 1.0}
# real labelled in-domain sets that join the domain stage (weight per row; the invented rows
# weigh 1): their out-of-fold scores are the figures reported for them
LABELLED_DOMAIN = {"itsm_dev": 3.0, "dutch_polarity_dev": 3.0, "relabels": 3.0}
PRUNE = 0.01  # merged features whose largest absolute weight is below this are dropped
N_LEXICON = 6  # hand lexicon +/-, VADER +/-, published word-polarity lexicon +/-
N_FOLD = N_LEXICON + 2 * len(SCOPES)  # + per scope (negation): scoped lexicon +/-
POLARITY_LEXICONS = {"nl": Path(__file__).parents[1] / "lexicons" / "nl_adjectives.tsv"}
MIN_POLARITY = 0.1  # published-lexicon words weaker than this count as neutral


# ------------------------------------------------------------------ features
def fold_table(lang: str, use_vader: bool) -> tuple[dict[str, np.ndarray], dict]:
    """Feature key -> (lexicon+, lexicon-, VADER+, VADER-) contributions, and the raw lexicon.

    Lexicon words are unigram keys, two-word phrases bigram keys, stems of >= PREFIX characters
    prefix keys (shorter stems count as words)."""
    lexicon = build_lexicon(lang)
    table: dict[str, np.ndarray] = {}

    def add(key: str, column: int, value: float) -> None:
        table.setdefault(key, np.zeros(N_FOLD))[column] += value

    flat: dict[str, int] = {}
    for term, value in lexicon["words"].items():
        toks = tokenize(term)
        if 1 <= len(toks) <= 2:
            key = " ".join(toks)
            flat[key] = value
            add(key, 0 if value > 0 else 1, 1.0)
    for stem, value in lexicon["stems"].items():
        key = "~" + stem[:PREFIX] if len(stem) >= PREFIX else stem
        add(key, 0 if value > 0 else 1, 1.0)
        if len(stem) >= PREFIX:
            add(stem[:PREFIX], 0 if value > 0 else 1, 1.0)
    if use_vader:
        for word, v in SentimentIntensityAnalyzer().lexicon.items():
            toks = tokenize(word)
            if len(toks) == 1:
                add(toks[0], 2 if v > 0 else 3, v / 4)
    for word, polarity in polarity_lexicon(lang).items():
        add(word, 4 if polarity > 0 else 5, abs(polarity))
    plain = list(table.items())
    for j, scope in enumerate(SCOPES):  # a scoped lexicon word: its strength, own columns
        for key, f in plain:
            column = np.zeros(N_FOLD)
            column[N_LEXICON + 2 * j:N_LEXICON + 2 * j + 2] = (np.abs(f[0:N_LEXICON:2]).sum(),
                                                               np.abs(f[1:N_LEXICON:2]).sum())
            table[scope.marker + key] = column
    return table, flat


def polarity_lexicon(lang: str) -> dict[str, float]:
    """Single-token words of the language's published polarity lexicon (see
    ``classify/lexicons/README.md``) with |polarity| >= MIN_POLARITY; empty when none."""
    path = POLARITY_LEXICONS.get(lang)
    if path is None:
        return {}
    words = {}
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("#"):
            continue
        form, polarity, _subjectivity = line.split("\t")
        toks = tokenize(form)
        if len(toks) == 1 and abs(float(polarity)) >= MIN_POLARITY:
            words[toks[0]] = float(polarity)
    return words


def sentiment_keys(text: str, lang: str) -> list[str]:
    """Every feature key the runtime model looks up for ``text`` (see classify.sentiment)."""
    toks = tokenize(text)
    return feature_keys(toks) + scope_keys(toks, lang, PREFIX)


def featurize(texts: list[str], table: dict, lang: str) -> tuple[list[list[str]], np.ndarray]:
    """Feature keys of each text and its dense block (surface features + folded counts)."""
    docs, dense = [], np.zeros((len(texts), N_DENSE + N_FOLD))
    for i, text in enumerate(texts):
        keys = sentiment_keys(text, lang)
        docs.append(keys)
        dense[i, :N_DENSE] = dense_features(text)
        for k in keys:
            f = table.get(k)
            if f is not None:
                dense[i, N_DENSE:] += f
    return docs, dense


def _vocab(docs, min_df: int) -> dict[str, int]:
    counts = Counter(f for doc in docs for f in set(doc))
    return {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= min_df))}


def _counts(docs, index: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for r, doc in enumerate(docs):
        idx = [index[f] for f in doc if f in index]
        rows += [r] * len(idx)
        cols += idx
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs), len(index)))


def _temperature(logits: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The temperature (0.3..3, step 0.05) minimising the (weighted) log loss."""
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    best, best_nll = 1.0, float("inf")
    for t in np.arange(0.3, 3.01, 0.05):
        z = logits / t
        z = z - z.max(1, keepdims=True)
        nll = -((z[np.arange(len(y)), y] - np.log(np.exp(z).sum(1))) * w).sum() / w.sum()
        if nll < best_nll:
            best, best_nll = float(t), nll
    return round(best, 2)


def _rel(m: np.ndarray) -> np.ndarray:
    """(..., 3) class weights -> (..., 2) weights relative to neutral."""
    return np.stack([m[..., 0] - m[..., 1], m[..., 2] - m[..., 1]], axis=-1)


class Linear:
    """A folded linear model: key -> (neg, pos) weight relative to neutral, dense, bias."""

    def __init__(self, weights: dict[str, np.ndarray], dense: np.ndarray, bias: np.ndarray,
                 lang: str):
        self.weights, self.dense, self.bias, self.lang = weights, dense, bias, lang

    def logits(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 2))
        zero = np.zeros(2)
        for i, text in enumerate(texts):
            z = self.bias + np.asarray(dense_features(text)) @ self.dense
            for k in sentiment_keys(text, self.lang):
                z = z + self.weights.get(k, zero)
            out[i] = z
        return out


def _lr(c: float, seed: int) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=seed)


def fit_general(texts: list[str], labels: list[int], lang: str, *, seed: int = 0,
                params: dict | None = None) -> tuple[Linear, dict]:
    """Stage 1: the general model of one language, folded and temperature-scaled."""
    p = {**GENERAL.get(lang, GENERAL["en"]), **(params or {})}
    table, _ = fold_table(lang, p["use_vader"])
    docs, dense = featurize(texts, table, lang)
    y = np.asarray(labels)
    index = _vocab(docs, p["min_df"])
    x = sparse.hstack([_counts(docs, index), sparse.csr_matrix(dense)], format="csr")
    order = np.random.default_rng(seed).permutation(len(y))
    cut = max(1, len(y) // 10)
    held, rest = order[:cut], order[cut:]
    # the model fitted on 90 % is kept: its logits on the held-out 10 % are honest, so those
    # rows can join the domain stage without it over-trusting the general model
    clf = _lr(p["C"], seed).fit(x[rest], y[rest])
    held_logits = clf.decision_function(x[held])
    temperature = _temperature(held_logits, y[held])
    held_f1 = round(float(f1_score(y[held], held_logits.argmax(1), average="macro")), 4)
    coef = _rel(clf.coef_.T) / temperature  # (features, 2)
    n = len(index)
    weights = dict(zip(index, coef[:n]))
    fold_w = coef[n + N_DENSE:]
    for key, f in table.items():
        weights[key] = weights.get(key, 0.0) + f @ fold_w
    info = {"rows": len(rest), "temperature": temperature, "params": p,
            "held_out_macro_f1": held_f1,  # of the general model, on its own 10 % split
            "held_out": sorted(held.tolist())}
    return Linear(weights, coef[n:n + N_DENSE], _rel(clf.intercept_) / temperature, lang), info


def _domain_design(texts, langs, general: dict[str, Linear], tables: dict, index=None,
                   min_df: int = 2, stack_scale: float = 1.0):
    docs, dense = [], np.zeros((len(texts), N_DENSE + N_FOLD))
    for lang in LANGS:
        rows = [i for i, g in enumerate(langs) if g == lang]
        d, x = featurize([texts[i] for i in rows], tables[lang], lang)
        for j, i in enumerate(rows):
            dense[i] = x[j]
        docs_l = dict(zip(rows, d))
        docs.append(docs_l)
    merged = [None] * len(texts)
    for docs_l in docs:
        for i, d in docs_l.items():
            merged[i] = d
    if index is None:
        index = _vocab(merged, min_df)
    stacked = np.zeros((len(texts), 2 * len(LANGS) + len(LANGS)))
    for j, lang in enumerate(LANGS):
        rows = [i for i, g in enumerate(langs) if g == lang]
        if rows:
            stacked[rows, 2 * j:2 * j + 2] = stack_scale * general[lang].logits(
                [texts[i] for i in rows])
            stacked[rows, 2 * len(LANGS) + j] = 1.0
    x = sparse.hstack([_counts(merged, index), sparse.csr_matrix(dense),
                       sparse.csr_matrix(stacked)], format="csr")
    return x, index


def fit_domain(texts, labels, langs, groups, general: dict[str, Linear], *, seed: int = 0,
               params: dict | None = None, anchor=None, weights=None,
               subsets: dict[str, list[int]] | None = None) -> tuple[dict[str, Linear], dict]:
    """Stage 2: the multilingual ITSM domain model stacked on the general models; returns the
    folded per-language models and training info (chosen C, CV macro-F1, temperature).
    ``anchor`` = (texts, labels, langs) of general rows the general models did not see; they
    join with total weight ``anchor_weight`` x the domain rows so general tweets keep working.
    ``weights``: per-domain-row sample weights (default 1); ``subsets``: name -> domain row
    indices whose out-of-fold macro-F1 at the chosen C is reported (``cv_macro_f1_subsets``)."""
    p = {**DOMAIN, **(params or {})}
    tables = {lang: fold_table(lang, GENERAL[lang]["use_vader"])[0] for lang in LANGS}
    n_dom = len(labels)
    sw = np.ones(n_dom) if weights is None else np.asarray(weights, dtype=float)
    if anchor is not None and len(anchor[0]):
        texts, labels, langs = (list(texts) + list(anchor[0]), list(labels) + list(anchor[1]),
                                list(langs) + list(anchor[2]))
        groups = list(groups) + [f"anchor/{i % 97}" for i in range(len(anchor[0]))]
        sw = np.concatenate([sw, np.full(len(anchor[0]), p["anchor_weight"] * n_dom
                                         / len(anchor[0]))])
    y = np.asarray(labels)
    # the general logits enter scaled by stack_scale: their coefficients are penalised less,
    # so the domain words only need to carry what the general model gets wrong
    x, index = _domain_design(texts, langs, general, tables, min_df=p["min_df"],
                              stack_scale=p["stack_scale"])
    # grouped CV: whole templates are held out, so C is chosen for unseen phrasings
    uniq = sorted(set(groups))
    perm = np.random.default_rng(seed).permutation(len(uniq))
    fold_of = {g: int(perm[i]) % p["folds"] for i, g in enumerate(uniq)}
    fold = np.array([fold_of[g] for g in groups])
    best = None
    cv = {}
    for c in p["C_grid"]:
        oof = np.zeros((len(y), 3))
        for k in range(p["folds"]):
            tr, te = fold != k, fold == k
            oof[te] = _lr(c, seed).fit(x[tr], y[tr], sample_weight=sw[tr]).decision_function(
                x[te])
        score = f1_score(y[:n_dom], oof[:n_dom].argmax(1), average="macro")
        if subsets:  # the real labelled sets count as much as all invented rows together
            score = np.mean([score] + [f1_score(y[idx], oof[idx].argmax(1), average="macro")
                                       for idx in subsets.values()])
        cv[c] = round(float(score), 4)
        if best is None or score > best[0]:
            best = (score, c, oof)
    _, c, oof = best
    by_subset = {name: round(float(f1_score(y[idx], oof[idx].argmax(1), average="macro")), 4)
                 for name, idx in (subsets or {}).items()}
    # temperature on the out-of-fold logits of held-out templates AND held-out general rows
    # (weighted as in training): templated posts alone are easier than real ones, so a
    # temperature fitted on them alone made the probabilities overconfident
    temperature = _temperature(oof, y, sw)
    temperature_templates = _temperature(oof[:n_dom], y[:n_dom])
    # calibrated out-of-fold logits of the ITSM dev rows: the evaluation puts the cascade
    # over them, so the accurate path's ITSM figure is honest too
    cv_logits = {name: (_rel(oof[idx]) / temperature).round(4).tolist()
                 for name, idx in (subsets or {}).items() if name == "itsm_dev"}
    clf = _lr(c, seed).fit(x, y, sample_weight=sw)
    coef = clf.coef_.T  # (features, 3)
    n = len(index)
    w_words = _rel(coef[:n])
    w_dense = _rel(coef[n:n + N_DENSE])
    w_fold = _rel(coef[n + N_DENSE:n + N_DENSE + N_FOLD])
    stack = coef[n + N_DENSE + N_FOLD:]
    bias = _rel(clf.intercept_)
    models = {}
    for j, lang in enumerate(LANGS):
        g = general[lang]
        m = _rel(stack[2 * j:2 * j + 2]) * p["stack_scale"]  # (general logit j, output r)
        weights = {k: w @ m for k, w in g.weights.items()}
        for k, i in index.items():
            weights[k] = weights.get(k, 0.0) + w_words[i]
        for k, f in tables[lang].items():
            weights[k] = weights.get(k, 0.0) + f @ w_fold
        lang_bias = _rel(stack[2 * len(LANGS) + j][None, :])[0]
        models[lang] = Linear(
            {k: v / temperature for k, v in weights.items()},
            (g.dense @ m + w_dense) / temperature,
            (g.bias @ m + bias + lang_bias) / temperature,
            lang,
        )
    info = {"rows": n_dom, "anchor_rows": len(y) - n_dom, "C": c, "cv_macro_f1_by_C": cv,
            "cv_macro_f1_subsets": by_subset, "temperature": temperature,
            "temperature_templates_only": temperature_templates, "domain_vocab": n,
            "cv_logits": cv_logits,
            "general_weight": {lang: (_rel(stack[2 * j:2 * j + 2]) * p["stack_scale"]).round(3)
                               .tolist() for j, lang in enumerate(LANGS)}}
    return models, info


# ------------------------------------------------------------------ artifacts
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


def save_model(arrays: dict[str, np.ndarray], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def fit_models(general_sets: dict[str, tuple[list[str], list[int]]],
               domain: tuple[list[str], list[int], list[str], list[str]], *, seed: int = 0,
               general_params: dict | None = None, domain_params: dict | None = None,
               trained_on: dict[str, str] | None = None, domain_weights=None,
               subsets: dict[str, list[int]] | None = None) -> tuple[dict, dict]:
    """Both stages; returns ``{lang: arrays}`` for :func:`save_model` and training info."""
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
    models, dinfo = fit_domain(*domain, general, seed=seed, params=domain_params, anchor=anchor,
                               weights=domain_weights, subsets=subsets)
    arrays = {}
    for lang in LANGS:
        skip = {"general_weight"} | ({"cv_logits"} if lang != "en" else set())
        meta = {"trained": date.today().isoformat(), "seed": seed, "general": ginfo[lang],
                "domain": {k: v for k, v in dinfo.items() if k not in skip},
                "trained_on": (trained_on or {}).get(lang, "")}
        arrays[lang] = to_arrays(models[lang], lang, meta)
    return arrays, {"general": ginfo, "domain": dinfo}


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
    ``out_dir`` and return the dev-set metrics (see :mod:`classify.training.sentiment_eval`).
    The invented ITSM training file is regenerated first if it is missing. ``relabel_paths``:
    labelled JSONL (``webcare relabels export``) whose sentiment labels join the domain stage
    like the ITSM dev rows (their cross-validated macro-F1 is in the metrics)."""
    from classify.training.sentiment_eval import evaluate, write_card

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
    domain, weights, subsets = labelled_domain(data, itsm.load(Path(itsm_path)), relabels)
    arrays, info = fit_models(general_sets, domain, seed=seed, trained_on=trained_on,
                              domain_weights=weights, subsets=subsets)
    for lang, a in arrays.items():
        save_model(a, out_dir / f"sentiment_{lang}.npz")
    metrics = evaluate(data, out_dir)
    metrics["train_rows"] = {lang: len(general_sets[lang][1]) for lang in LANGS}
    metrics["itsm_rows"] = info["domain"]["rows"]
    metrics["general_held_out_macro_f1"] = {lang: info["general"][lang]["held_out_macro_f1"]
                                            for lang in LANGS}
    metrics["domain"] = {k: info["domain"][k] for k in (
        "C", "cv_macro_f1_by_C", "cv_macro_f1_subsets", "temperature",
        "temperature_templates_only")}
    metrics["domain"]["labelled_weights"] = LABELLED_DOMAIN
    metrics["domain"]["anchor_weight"] = DOMAIN["anchor_weight"]
    metrics["sizes"] = {lang: (out_dir / f"sentiment_{lang}.npz").stat().st_size for lang in LANGS}
    write_card(out_dir / "sentiment_MODEL_CARD.md", metrics, seed)
    return metrics


if __name__ == "__main__":
    print(json.dumps(train_sentiment(Path(sys.argv[1]), Path(sys.argv[2])), indent=2,
                     default=str))
