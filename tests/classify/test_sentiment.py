"""Tests of classify.sentiment: behaviour on obvious examples, robustness, model loading
errors, the training code path (tiny synthetic data) and, when ../shared is present, the
dev-set quality targets."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.config import SentimentConfig
from classify.sentiment import (
    LABELS,
    LANGS,
    MODELS_DIR,
    SentimentModelError,
    SentimentScorer,
)

SHARED = Path(__file__).parents[2] / ".." / "shared"


def _valid(result) -> None:
    assert result.label in LABELS
    assert -1.0 <= result.compound <= 1.0
    assert set(result.probabilities) == set(LABELS)
    assert math.isclose(sum(result.probabilities.values()), 1.0, abs_tol=1e-6)
    assert all(0.0 <= p <= 1.0 for p in result.probabilities.values())
    assert max(result.probabilities, key=result.probabilities.get) == result.label
    assert result.model and result.reason.startswith("sentiment ")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [  # a complaint, a question, praise and sarcasm per language (written for these tests)
        ("@Fjordtel my mobile data has been dead since this morning, restarted the phone twice. "
         "still nothing.", "en", "negative"),
        ("how do I move my direct debit to a new account in the app?", "en", "neutral"),
        ("Huge thanks to Ola at the service desk, had my laptop sorted in ten minutes!", "en",
         "positive"),
        ("Portal down during enrolment week again. Great planning 🙃", "en", "negative"),
        ("Mijn pinpas wordt sinds gisteren overal geweigerd. Al twee keer gebeld.", "nl",
         "negative"),
        ("Hoe zet ik mijn telefoonnummer over naar een nieuw abonnement?", "nl", "neutral"),
        ("Top geholpen door de servicedesk, binnen vijf minuten opgelost. Bedankt!", "nl",
         "positive"),
        ("Weer geen internet tijdens mijn thuiswerkdag. Lekker dan 🙃", "nl", "negative"),
        ("Mobiilidata ei toimi aamusta asti, puhelin käynnistetty uudelleen kahdesti.", "fi",
         "negative"),
        ("Miten vaihdan laskun sähköpostiosoitteen?", "fi", "neutral"),
        ("Kiitos tukipalvelulle, ongelma ratkesi heti! 🙏", "fi", "positive"),
        ("Netti taas poikki koko illan. Kiitti vaan 🙃", "fi", "negative"),
    ],
)
def test_obvious_examples(scorer, text, lang, label):
    result = scorer.score(text, lang)
    _valid(result)
    assert result.label == label, result.reason


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "lang", "label"),
    [  # harder shapes (written for these tests): negated praise, "nice but", thanks after a
        # fix, a flat problem report, a provider notice and spam
        ("Two years on this fibre line and never had a single issue. Cheers!", "en", "positive"),
        ("Zero buffering all weekend, really happy with the new plan", "en", "positive"),
        ("The new app looks slick but I still can't log in after three tries", "en", "negative"),
        ("@Fjordtel all sorted now, thank you for the quick reply", "en", "positive"),
        ("@Fjordtel my direct debit went out twice this month", "en", "negative"),
        ("Scheduled maintenance on the mail servers Sunday 01:00-03:00.", "en", "neutral"),
        ("Get 90% off designer watches today only, order now http://t.co/abc", "en", "neutral"),
    ],
)
def test_harder_shapes(scorer, text, lang, label):
    result = scorer.score(text, lang)
    _valid(result)
    assert result.label == label, result.reason


def test_compound_sign_follows_label(scorer):
    assert scorer.score("This outage is awful, worst provider ever", "en").compound < 0
    assert scorer.score("Brilliant support, thank you so much!", "en").compound > 0


def test_unknown_language_uses_english_model(scorer):
    assert scorer.score("great service, thanks!", "und").model == scorer.models["en"].name


@pytest.mark.parametrize("lang", ["de", "fr", "es", "und"])
def test_a_language_without_a_model_says_so(scorer, lang):
    result = scorer.score("Super Service, danke!", lang)
    assert result.no_model == ("sentiment",)
    assert result.reason.endswith(f"; sentiment: no model for {lang}, the English model used")
    for known in LANGS:
        assert scorer.score("Super Service, danke!", known).no_model == ()


@pytest.mark.parametrize("text", ["", " ", "😡😡😡", "🙏", "!!!???", "a" * 100_000,
                                  "word " * 20_000, "\x00\ufffd\u200b", "@user http://x.y"])
def test_odd_texts_do_not_crash(scorer, text):
    for lang in ("en", "nl", "fi", "xx"):
        _valid(scorer.score(text, lang))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["en", "nl", "fi", "und", "de", ""]))
def test_any_text_gives_valid_result(scorer, text, lang):
    _valid(scorer.score(text, lang))


def test_score_many_matches_score(scorer):
    texts, langs = ["down again", "dank je wel", "kiitos"], ["en", "nl", "fi"]
    assert scorer.score_many(texts, langs) == [scorer.score(t, g) for t, g in zip(texts, langs)]


@pytest.mark.slow
def test_corrupt_model_file_names_the_file(tmp_path):
    for path in MODELS_DIR.glob("sentiment_*.npz"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "sentiment_fi.npz").write_bytes(b"not a zip file at all")
    with pytest.raises(SentimentModelError, match="sentiment_fi.npz"):
        SentimentScorer(SentimentConfig(model_dir=tmp_path))


def test_missing_model_file_names_the_file(tmp_path):
    with pytest.raises(SentimentModelError, match="sentiment_en.npz"):
        SentimentScorer(SentimentConfig(model_dir=tmp_path))


def test_config_rejects_unknown_fields():
    with pytest.raises(ValueError):
        SentimentConfig(nonsense=1)


def test_itsm_generator_is_deterministic_and_balanced():
    from webcare.lab.training.make_itsm_sentiment import EXPERT_ONLY, generate

    counts = {"en": 120, "nl": 60, "fi": 50}
    first, again = generate(seed=3, counts=counts), generate(seed=3, counts=counts)
    assert first == again
    assert generate(seed=4, counts=counts) != first
    assert len({r["text"] for r in first}) == len(first)
    for lang, n in counts.items():
        rows = [r for r in first if r["lang"] == lang and r["kind"] not in EXPERT_ONLY]
        assert abs(len(rows) - n) <= 2
        assert {r["sentiment"] for r in rows} == set(LABELS)
        for kind, (label, _, share) in EXPERT_ONLY.items():
            extra = [r for r in first if r["lang"] == lang and r["kind"] == kind]
            assert len(extra) == round(n * share) and {r["sentiment"] for r in extra} == {label}


def test_expert_only_kinds_follow_the_standard_rows_and_the_fast_model_skips_them(tmp_path):
    from webcare.lab.training import make_itsm_sentiment as itsm

    rows = itsm.generate(seed=5, counts={"en": 200, "nl": 80, "fi": 80})
    kinds = [row["kind"] in itsm.EXPERT_ONLY for row in rows]
    assert any(kinds) and kinds == sorted(kinds)  # standard rows first: their draws are unchanged
    path = tmp_path / "invented.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    texts = itsm.load(path, itsm.EXPERT_ONLY)[0]
    assert texts == [row["text"] for row in rows if row["kind"] not in itsm.EXPERT_ONLY]
    assert itsm.load(path)[0] == [row["text"] for row in rows]


def test_committed_itsm_training_file_is_what_the_templates_generate():
    from webcare.lab.training import make_itsm_sentiment as itsm

    committed = [json.loads(line) for line in itsm.OUT.read_text("utf-8").splitlines()]
    assert committed == itsm.generate(seed=0)


@pytest.mark.slow
def test_training_code_path_on_tiny_synthetic_set(tmp_path):
    from webcare.lab.training.sentiment import fit_models, save_model

    neg = ["the service is {} and broken", "{} outage again, awful", "so {} and slow, hate it"]
    pos = ["love the {} service, thanks", "great {} support, brilliant", "{} works perfectly"]
    neu = ["how do I set up {}?", "where can I find {} settings", "is {} available today"]
    words = ["wifi", "mail", "app", "portal", "vpn", "router", "login", "printer"]
    texts, labels, groups = [], [], []
    for label, templates in enumerate((neg, neu, pos)):
        for i, template in enumerate(templates):
            for word in words:
                texts.append(template.format(word))
                labels.append(label)
                groups.append(f"{label}/{i}")
    general = {lang: (texts, labels) for lang in ("en", "nl", "fi")}
    domain = (texts * 3, labels * 3, [g for g in ("en", "nl", "fi") for _ in texts], groups * 3)
    params = {lang: {"C": 1.0, "use_vader": False} for lang in ("en", "nl", "fi")}
    bag = (domain, [1.0] * len(domain[0]), {"labelled": list(range(len(texts)))})
    arrays, info = fit_models(general, [bag], seed=1, general_params=params,
                              domain_params={"C_grid": (1.0,), "folds": 3})
    for lang, a in arrays.items():
        save_model(a, tmp_path / f"sentiment_{lang}.npz")
    tiny = SentimentScorer(SentimentConfig(model_dir=tmp_path))
    for lang in ("en", "nl", "fi"):
        assert tiny.score("the wifi is broken and awful", lang).label == "negative"
        assert tiny.score("great vpn support, thanks", lang).label == "positive"
        assert tiny.score("how do I set up the printer?", lang).label == "neutral"
    again, _ = fit_models(general, [bag], seed=1, general_params=params,
                          domain_params={"C_grid": (1.0,), "folds": 3})
    assert all((again["en"][k] == arrays["en"][k]).all()
               for k in ("vocab", "weights", "w_dense", "bias"))
    assert 0.0 <= info["domain"]["cv_macro_f1_subsets"]["labelled"] <= 1.0
    # two bags of the same rows average to the same model (up to float16 rounding)
    twice, twice_info = fit_models(general, [bag, bag], seed=1, general_params=params,
                                   domain_params={"C_grid": (1.0,), "folds": 3})
    assert twice_info["domain"]["bags"] == 2 and len(twice_info["domain"]["C"]) == 2
    assert (twice["en"]["vocab"] == arrays["en"]["vocab"]).all()
    assert np.allclose(twice["en"]["weights"].astype(float), arrays["en"]["weights"].astype(float),
                       atol=2e-3)


@pytest.mark.slow
@pytest.mark.shared
def test_dev_set_targets():
    data = SHARED / "data"
    if not (data / "itsm" / "dev.jsonl").is_file():
        pytest.skip(f"shared data not found at {data.resolve()}")
    from webcare.lab.training.sentiment_eval import evaluate

    metrics = evaluate(data, repeats=1)["dev"]
    assert metrics["tweeteval_val (macro recall)"]["ours"] >= 0.62
    # regression floors: shipped 0.750 overall (target 0.80 not reached yet; per language en
    # 0.739, nl 0.732, fi 0.830), minus 0.03
    assert metrics["itsm_dev (macro F1)"]["ours"] >= 0.72
    for name, m in metrics.items():
        if name.startswith("itsm_dev "):
            assert m["ours"] >= 0.70, name
        elif name != "vader_groundtruth (macro F1)":  # VADER's own set; ours trails it
            assert m["ours"] >= m["vader"] - 0.1, name


def test_dutch_polarity_lexicon_folds_into_the_lexicon_columns():
    from webcare.lab.training.sentiment_features import MIN_POLARITY, fold_table, polarity_lexicon

    words = polarity_lexicon("nl")
    assert len(words) > 1500
    assert words["vreselijk"] < 0 < words["prachtig"]
    assert all(abs(v) >= MIN_POLARITY for v in words.values())
    assert polarity_lexicon("fi") == {}
    table, _ = fold_table("nl", use_vader=False)
    assert table["prachtig"][4] > 0 and table["prachtig"][5] == 0
    assert table["vreselijk"][5] > 0 and table["vreselijk"][4] == 0


@pytest.mark.parametrize(
    ("text", "lang", "scoped"),
    [
        ("not gonna lie, worth every cent. zero buffering", "en", ["gonna", "lie", "buffering"]),
        ("I don't like it at all", "en", ["like", "it", "at"]),
        ("it doesn’t work but support is great", "en", ["work"]),
        ("never 😡 again", "en", []),
        ("het werkt niet goed maar wel snel", "nl", ["goed"]),
        ("koffie en taart", "nl", []),  # Dutch "en" is "and", not a negator
        ("Quokka eikä oo kertaakaan tökkiny.", "fi", ["oo", "kertaakaan", "tökkiny"]),
        ("en oo tyytyväinen", "fi", ["oo", "tyytyväinen"]),
    ],
)
def test_negation_scope(text, lang, scoped):
    from classify.scopes import NEGATION, in_scope
    from classify.sentiment import tokenize

    assert in_scope(tokenize(text), lang, NEGATION) == scoped


def test_scoped_bigram_keys_stay_bigrams(tmp_path):
    """A post may contain the scope markers themselves: "¬ x" is a bigram, not a scoped word."""
    from classify.sentiment import _Model
    from webcare.lab.training.sentiment import save_model, to_arrays
    from webcare.lab.training.sentiment_features import Linear

    model = Linear({"¬ good": np.array([1.0, 0.0]), "¬good": np.array([0.0, 1.0]),
                    "»": np.array([0.5, 0.5])}, np.zeros((4, 2)), np.zeros(2), "en")
    save_model(to_arrays(model, "en", {}), tmp_path / "m.npz")
    loaded = _Model(tmp_path / "m.npz")
    assert loaded.words[("¬", "good")] == 1 and loaded.words["»"] == 0.5 + 0.5j
    assert loaded.scoped["¬"][0] == {"good": 1j}


@given(st.text(max_size=200), st.sampled_from(["en", "nl", "fi", "de"]))
def test_scopes_are_bounded_subsequences(text, lang):
    from classify.scopes import SCOPES, in_scope
    from classify.sentiment import tokenize

    toks = tokenize(text)
    for scope in SCOPES:
        scoped = in_scope(toks, lang, scope)
        openers = scope.openers.get(lang, scope.openers["en"])
        assert len(scoped) <= scope.length * sum(t in openers for t in toks)
        rest = iter(toks)
        assert all(any(t == u for u in rest) for t in scoped)  # in order, each from toks


def test_shipped_models_weigh_negated_lexicon_words(scorer):
    """A negated positive word pushes away from positive, a negated negative one towards it."""
    for lang, good, bad in [("en", "great", "awful"), ("nl", "geweldig", "slecht"),
                            ("fi", "loistava", "huono")]:
        negated = scorer.models[lang].scoped["¬"][0]
        assert negated[good].imag < negated[good].real, lang
        assert negated[bad].imag > negated[bad].real, lang
    plain = scorer.probabilities("the new app is good", "en")
    negated = scorer.probabilities("the new app is not good", "en")
    assert negated[2] < plain[2] and negated[0] > plain[0]


def test_runtime_logits_match_the_training_model_with_negation(tmp_path):
    from classify.sentiment import _Model
    from webcare.lab.training.sentiment import save_model, to_arrays
    from webcare.lab.training.sentiment_stages import fit_general

    texts = (["the app is not good", "support is good", "not bad at all, works", "awful, broken",
              "never slow, love it", "how do I log in?", "where is the invoice", "it is bad"] * 6)
    labels = [0, 2, 2, 0, 2, 1, 1, 0] * 6
    model, _ = fit_general(texts, labels, "en", params={"C": 1.0, "use_vader": True, "min_df": 1})
    save_model(to_arrays(model, "en", {}), tmp_path / "m.npz")
    loaded = _Model(tmp_path / "m.npz")
    probes = ["not good, not bad", "I don't like the app", "never works", "no problem, thanks!",
              "the invoice is not wrong?"]
    for text, expected in zip(probes, model.logits(probes)):
        z = loaded.logits(text)
        assert abs(z.real - expected[0]) < 0.05 and abs(z.imag - expected[1]) < 0.05, text


def test_mean_of_folded_models_averages_every_weight_missing_ones_as_zero():
    from webcare.lab.training.sentiment_features import Linear, mean_linear

    a = Linear({"good": np.array([0.0, 2.0]), "bad": np.array([2.0, 0.0])}, np.ones((4, 2)),
               np.array([1.0, 1.0]), "en")
    b = Linear({"good": np.array([0.0, 4.0])}, np.zeros((4, 2)), np.array([3.0, -1.0]), "en")
    mean = mean_linear([a, b])
    assert mean.weights["good"].tolist() == [0.0, 3.0]
    assert mean.weights["bad"].tolist() == [1.0, 0.0]
    assert mean.dense.tolist() == [[0.5, 0.5]] * 4 and mean.bias.tolist() == [2.0, 0.0]
    text = "good good bad"
    assert np.allclose(mean.logits([text]), (a.logits([text]) + b.logits([text])) / 2)
