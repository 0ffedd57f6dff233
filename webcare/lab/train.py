"""``webcare train``: retrain the classifier models from labelled data.

* sentiment — the shipped per-language models (``classify/models``) from ``../shared/data``
  plus the agents' relabels given as ``--data`` (labelled JSONL from ``webcare relabels
  export``; see ``classify/models/sentiment_MODEL_CARD.md``);
* complaint — the complaint models (``classify/models/complaint_*.npz``) from the labelled
  complaint tweets (plus ``--data`` CSV/JSONL with complaint labels); run after sentiment,
  whose probabilities are inputs; the MiniLM head only when the transformer model exists;
* transformer — the fine-tuned MiniLM sentiment model (int8 ONNX; needs the ``train`` extra);
* encoder — the MiniLM sentiment head over the shared encoder's unpadded embeddings
  (``classify/models/sentiment_minilm_head.npz``, :mod:`webcare.lab.training.encoder_export`;
  no torch), then the complaint heads over the same embeddings (as ``complaint``);
* e5 — the accurate-path heads over multilingual-e5-small embeddings: the Dutch head
  (``classify/models/sentiment_e5_head.npz``) from the Dutch polarity tweets and the
  webcare-domain expert (``sentiment_e5_webcare.npz``) from the invented webcare posts, the
  ITSM dev posts and the agents' relabels (``--data``); run after sentiment, whose
  out-of-fold logits are inputs;
* heads — the learned topic and urgency heads over the shared encoder's embeddings
  (``classify/models/heads_minilm.npz``, :mod:`webcare.lab.training.heads`), with their
  leave-brand-out figures (:mod:`webcare.lab.lobo`);
* judgement — the learned topic and urgency over brand-masked character n-grams
  (``classify/models/judgement.npz``, :mod:`webcare.lab.training.judgement`) from the
  project's corpus and the ITSM dev posts, with leave-brand-out figures beside the rules';
* topic — the optional textcat from labelled JSONL (``--data``; default the ITSM dev set),
  written to ``var/models/topic`` with a cross-validated comparison against the rules alone;
  switch it on with ``classify.topic.model: <dir>`` when it helps.
"""

from __future__ import annotations

import importlib.util
import json
import tempfile
from pathlib import Path

from webcare.lab.evaluate import shared_data_dir

SHIPPED_MODELS = Path(__file__).resolve().parents[2] / "classify" / "models"
TOPIC_MODEL_DIR = Path("var/models/topic")


def train(shared: Path | None, task: str, out_dir: Path | None, data: list[Path]) -> str:
    """Run the requested training tasks; returns a report (raises ValueError on bad data)."""
    shared = shared_data_dir(shared)
    lines = []
    if task in ("sentiment", "all"):
        from webcare.lab.training.sentiment import train_sentiment

        target = out_dir or SHIPPED_MODELS
        metrics = train_sentiment(shared, target, relabel_paths=data)
        lines += [f"sentiment models written to {target}", json.dumps(metrics, indent=2)]
    if task == "all" and importlib.util.find_spec("torch") is None:
        lines.append("transformer skipped: install the train extra (pip install -e '.[train]')")
    elif task in ("transformer", "all"):
        from webcare.lab.training.transformer import train_transformer

        target = out_dir or SHIPPED_MODELS
        meta = train_transformer(shared, target)
        lines += [f"transformer sentiment model written to {target}", json.dumps(meta, indent=2)]
    if task in ("transformer", "encoder", "all"):  # a new graph wants a new head
        from webcare.lab.training.encoder_export import train_encoder_head

        target = out_dir or SHIPPED_MODELS
        source = target if (target / "sentiment_minilm.onnx").is_file() else SHIPPED_MODELS
        meta = train_encoder_head(shared, source, target)
        lines += [f"shared-encoder sentiment head written to {target}", json.dumps(meta, indent=2)]
    if task in ("e5", "all"):
        from webcare.lab.training.e5_head import train_e5_head

        target = out_dir or SHIPPED_MODELS
        fast = target if (target / "sentiment_en.npz").is_file() else SHIPPED_MODELS
        meta = train_e5_head(shared, fast, target)
        lines += [f"e5 sentiment head written to {target}", json.dumps(meta, indent=2)]
        from webcare.lab.training.e5_webcare import train_webcare_expert

        meta = train_webcare_expert(shared, fast, target,
                                    relabel_paths=data)
        lines += [f"e5 webcare expert written to {target}", json.dumps(meta, indent=2)]
    if task in ("complaint", "encoder", "all"):  # encoder: the MiniLM head only
        lines += _train_complaint(shared, out_dir or SHIPPED_MODELS,
                                  [p for p in data if task == "complaint"],
                                  only_minilm=task == "encoder")
    if task in ("topic", "all"):
        lines += _train_topic(shared, out_dir, data)
    if task in ("heads", "all"):  # learned topic/urgency heads over the shared encoder
        from webcare.job.config import load_config
        from webcare.lab.lobo import measure
        from webcare.lab.training.heads import labelled, train_heads

        posts = labelled(load_config().classify, shared)
        meta = train_heads(posts, measure(posts), out_dir or SHIPPED_MODELS)
        lines += [f"topic/urgency heads written to {out_dir or SHIPPED_MODELS}", meta["table"]]
    if task in ("judgement", "all"):
        lines += _train_judgement(shared, out_dir or SHIPPED_MODELS)
    return "\n".join(lines)


def _train_judgement(shared: Path, target: Path) -> list[str]:
    """The learned topic/urgency model, measured leave-brand-out against the rules."""
    import json as json_lib

    from classify.pipeline import Classifier
    from schemas import Post
    from webcare.job.config import load_config
    from webcare.lab import corpus
    from webcare.lab.training import judgement

    config = load_config().classify
    rows, brands = corpus.read_rows(), corpus.read_brands()
    dev_rows = [json_lib.loads(line) for line in
                (shared / "itsm" / "dev.jsonl").open(encoding="utf-8")]
    rules = {}
    for name, cfg, labelled in (("corpus", corpus.configured(config, brands), rows),
                                ("dev", config, dev_rows)):
        answers = Classifier(cfg).classify_many([Post.model_validate(r) for r in labelled])
        rules[name] = {"topic": [a.topic for a in answers],
                       "urgency": [a.urgency for a in answers]}
    corpus_posts = judgement.posts(rows, corpus.configured(config, brands).brands)
    dev_posts = judgement.posts(dev_rows, config.brands, brand_of=lambda row: None)
    meta = judgement.train_judgement(corpus_posts, dev_posts, rules, target)
    return [f"judgement model written to {target}", judgement.table(meta["figures"])]


def _train_complaint(shared: Path, target: Path, extra: list[Path],
                     only_minilm: bool = False) -> list[str]:
    """The complaint models; ``only_minilm``: re-fit the MiniLM head alone (the fast model is
    re-trained in a scratch folder for its out-of-fold probabilities, the others are kept)."""
    import numpy as np

    from classify.complaint import EMBEDDING_HEADS, load_arrays
    from classify.e5 import E5Encoder
    from classify.pipeline import Classifier
    from classify.transformer import MiniLM
    from webcare.job.config import load_config
    from webcare.lab.training.complaint import (
        featurize,
        read_complaints,
        train_fast,
        train_head,
        write_card,
    )

    paths = [shared / "complaints" / "complaints_dev.csv", *extra]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise ValueError(f"labelled complaint data not found: {', '.join(missing)}")
    texts, labels = read_complaints(paths)
    config = load_config().classify
    sentiment = config.sentiment.model_copy(update={"model_dir": target})
    urgency = config.urgency.model_copy(update={"complaint": config.urgency.complaint.model_copy(
        update={"enabled": False})})
    classifier = Classifier(config.model_copy(update={"brands": [], "sentiment": sentiment,
                                                       "urgency": urgency}))
    y = np.asarray(labels)
    with tempfile.TemporaryDirectory() as scratch:
        fast = train_fast(texts, featurize(texts, classifier), y,
                          Path(scratch) if only_minilm else target,
                          ", ".join(p.name for p in paths))
    where = "a scratch folder (kept: the shipped one)" if only_minilm else target
    lines = [f"complaint model written to {where} ({len(y)} rows): "
             f"5-fold CV F1 {fast['cv_f1']:.3f} at threshold {fast['threshold']}, "
             f"Brier {fast['cv_brier']:.3f}, ECE {fast['cv_ece']:.3f}"]
    encoders = [("e5", lambda: E5Encoder(threads=2).embed(texts))]
    if (target / "sentiment_minilm.onnx").is_file():
        encoders.insert(0, ("minilm", lambda: MiniLM(target, threads=2).run(texts)[1]))
    heads = {}
    if only_minilm:
        encoders = [e for e in encoders if e[0] == "minilm"]
        fast = {**load_arrays(target / "complaint_en.npz")[0], "oof": fast["oof"]}
        heads = {e: load_arrays(target / f)[0] for e, f in EMBEDDING_HEADS.items()
                 if e != "minilm" and (target / f).is_file()}
    for encoder, embed in encoders:
        heads[encoder] = head = train_head(embed(), y, fast["oof"], target, encoder)
        lines.append(f"{encoder} complaint head written: 5-fold CV F1 {head['cv_f1']:.3f} at "
                     f"threshold {head['threshold']}, Brier {head['cv_brier']:.3f}")
    write_card(target / "complaint_MODEL_CARD.md", fast, heads)
    return lines


def _train_topic(shared: Path, out_dir: Path | None, data: list[Path]) -> list[str]:
    from webcare.lab.training.topic import cross_validate, train_topic

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
