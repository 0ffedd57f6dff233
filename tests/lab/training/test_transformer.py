"""The MiniLM training recipe: data split and batching (always), a tiny fine-tune end to end
when the ``train`` extra (torch, transformers, onnx) is installed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from webcare.lab.training.transformer import SETTINGS, _batches, split

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"


def test_split_is_seeded_disjoint_and_capped() -> None:
    texts = [f"t{i}" for i in range(1000)]
    labels = [i % 3 for i in range(1000)]
    (train_x, train_y), (cal_x, cal_y) = split(texts, labels, 0.1, 500, seed=3)
    assert len(cal_x) == 100 and len(train_x) == 500
    assert not set(train_x) & set(cal_x)
    assert all(int(t[1:]) % 3 == y for t, y in zip(train_x + cal_x, train_y + cal_y))
    assert split(texts, labels, 0.1, 500, seed=3) == ((train_x, train_y), (cal_x, cal_y))
    assert split(texts, labels, 0.1, 500, seed=4)[1][0] != cal_x


def test_batches_group_similar_lengths_and_keep_labels() -> None:
    encoded = [[1] * (i % 50 + 1) for i in range(200)]
    labels = [len(e) % 3 for e in encoded]
    batches = _batches(encoded, labels, 16, seed=0)
    assert sum(len(rows) for rows, _ in batches) == 200
    for rows, ys in batches:
        assert max(map(len, rows)) - min(map(len, rows)) <= 4
        assert ys == [len(r) % 3 for r in rows]


@pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                    reason="the train extra (torch, transformers, onnx) is not installed")
@pytest.mark.skipif(not (SHARED / "train").is_dir(), reason=f"no shared data at {SHARED}")
def test_tiny_fine_tune_exports_a_loadable_calibrated_model(tmp_path) -> None:
    from classify.transformer import MiniLM
    from webcare.lab.training.transformer import train_transformer

    meta = train_transformer(SHARED, tmp_path, {**SETTINGS, "max_train": 64,
                                                "calibration_share": 0.002})
    model = MiniLM(tmp_path)
    probabilities, pooled = model.run(["this is great", "this is awful"])
    assert probabilities.shape == (2, 3) and pooled.shape == (2, 384)
    assert json.loads((tmp_path / "sentiment_minilm.json").read_text())["temperature"] > 0
    assert meta["train_rows"] == 64 and (tmp_path / "sentiment_minilm_MODEL_CARD.md").is_file()
