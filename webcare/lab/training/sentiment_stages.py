"""The two training stages of the sentiment models, called by
:func:`webcare.lab.training.sentiment.fit_models`. Both are multinomial logistic regressions
over the features of :func:`classify.sentiment.feature_keys` and
:func:`classify.scopes.scope_keys` plus the dense surface features, hand-lexicon hit counts,
(en) VADER word valences, published-lexicon polarities and the strength of lexicon words in a
negation's scope (two columns per scope, so "not good" learns from every negated lexicon word,
not only from the rows that say "good"):

1. a *general* model per language (TweetEval train for en, XED for nl/fi), temperature-
   calibrated on a 10 % held-out split;
2. one multilingual *ITSM domain* model trained on the project's invented webcare posts
   (:mod:`webcare.lab.training.make_itsm_sentiment`), whose inputs include the general model's
   calibrated logits (per language) next to its own word features, plus the general rows
   held out in stage 1 (total weight ``anchor_weight`` x the domain rows); regularisation
   chosen by cross-validation grouped by template, temperature fitted on the out-of-fold
   logits of held-out templates and held-out general rows.

Every part is linear, so each language's stack folds into one weight per feature (general
weights mapped through the domain model's coefficients on the general logits, plus the domain
weights, plus lexicon/valence weights), divided by the temperature: the artifact is a plain
key list and a float16 ``(n, 2)`` array of (negative - neutral, positive - neutral) weights.
Bad labels make scikit-learn raise ``ValueError``.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from classify.sentiment import LANGS, N_DENSE
from webcare.lab.training.sentiment_features import (
    N_FOLD,
    Linear,
    counts,
    featurize,
    fold_table,
    vocab,
)

GENERAL = {  # per language: regularisation, minimum document frequency, VADER valences
    "en": {"C": 0.3, "min_df": 2, "use_vader": True},
    "nl": {"C": 0.5, "min_df": 2, "use_vader": False},
    "fi": {"C": 0.5, "min_df": 2, "use_vader": False},
}
# bags: invented samples (generator seeds 0..bags-1) whose domain models are averaged; one
# sample moves the ITSM CV figure by +-0.011 between seeds, the average of three is steadier
DOMAIN = {"C_grid": (0.03, 0.1, 0.3, 1.0), "min_df": 2, "folds": 5, "anchor_weight": 0.5,
          "bags": 3,
          "stack_scale": 1.0}
# real labelled in-domain sets that join the domain stage (weight per row; the invented rows
# weigh 1): their out-of-fold scores are the figures reported for them


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


def _lr(c: float, seed: int) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=seed)


def fit_general(texts: list[str], labels: list[int], lang: str, *, seed: int = 0,
                params: dict | None = None) -> tuple[Linear, dict]:
    """Stage 1: the general model of one language, folded and temperature-scaled."""
    p = {**GENERAL.get(lang, GENERAL["en"]), **(params or {})}
    table, _ = fold_table(lang, p["use_vader"])
    docs, dense = featurize(texts, table, lang)
    y = np.asarray(labels)
    index = vocab(docs, p["min_df"])
    x = sparse.hstack([counts(docs, index), sparse.csr_matrix(dense)], format="csr")
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


def _domain_design(texts, langs, general: dict[str, Linear], tables: dict,
                   min_df: int = 2, stack_scale: float = 1.0):
    """The domain stage's design matrix (key counts, dense block, stacked general logits,
    language indicators) and key index; each row featurised as its language's model does."""
    merged: list = [None] * len(texts)
    dense = np.zeros((len(texts), N_DENSE + N_FOLD))
    stacked = np.zeros((len(texts), 2 * len(LANGS) + len(LANGS)))
    for j, lang in enumerate(LANGS):
        rows = [i for i, g in enumerate(langs) if g == lang]
        if not rows:
            continue
        own = [texts[i] for i in rows]
        docs, dense[rows] = featurize(own, tables[lang], lang)
        for i, d in zip(rows, docs):
            merged[i] = d
        stacked[rows, 2 * j:2 * j + 2] = stack_scale * general[lang].logits(own)
        stacked[rows, 2 * len(LANGS) + j] = 1.0
    index = vocab(merged, min_df)
    x = sparse.hstack([counts(merged, index), sparse.csr_matrix(dense),
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
    # calibrated out-of-fold logits of the real labelled rows (bags average them; the ITSM
    # ones are stored so the evaluation can put the cascade over them)
    subset_logits = {name: _rel(oof[idx]) / temperature for name, idx in (subsets or {}).items()}
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
            "subset_logits": subset_logits,
            "general_weight": {lang: (_rel(stack[2 * j:2 * j + 2]) * p["stack_scale"]).round(3)
                               .tolist() for j, lang in enumerate(LANGS)}}
    return models, info
