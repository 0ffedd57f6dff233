"""The shared encoder: bucketing, the batch cache, one pass per post across heads."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from classify.config import CascadeConfig, ClassifyConfig, SentimentConfig
from classify.encoder import EmbeddingCache, SharedEncoder, buckets, padded
from classify.pipeline import Classifier
from classify.transformer import MiniLM
from schemas import Post

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TEXTS = ["@AcmeCare my internet has been down since yesterday, this is a disgrace",
         "Thanks!",
         "The Acme store in town opens at 9 on Saturdays, and on Sundays it opens at ten, "
         "except on bank holidays when it stays closed all day long, see https://acme.example",
         "worst update ever, the app crashes every time I open it",
         "ok",
         "Is the outage in Utrecht fixed yet? My router still blinks red after three restarts"]


@pytest.fixture(scope="module")
def encoder() -> SharedEncoder:
    return SharedEncoder()


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_buckets_sort_by_length_and_pad_per_bucket() -> None:
    chunks = buckets([5, 1, 3, 9, 2], 2)
    assert chunks == [[1, 4], [2, 0], [3]]
    ids, mask = padded([[7, 8, 9], [4]])
    assert ids.tolist() == [[7, 8, 9], [4, 0, 0]] and mask.tolist() == [[1, 1, 1], [1, 0, 0]]


def test_no_fixed_padding_and_at_most_64_word_pieces(encoder) -> None:
    lengths = [len(ids) for ids in encoder.token_ids(["ok", "word " * 200])]
    assert lengths[0] < 5 and lengths[1] == 64


@pytest.mark.slow
def test_bucketing_gives_the_unbucketed_embeddings(encoder) -> None:
    plain = SharedEncoder(bucketing=False, batch_size=4)
    bucketed = SharedEncoder(batch_size=4)
    model = MiniLM(encoder=encoder)
    alone = np.vstack([encoder.encode([t]) for t in TEXTS])  # no padding at all
    for batch in (bucketed.encode(TEXTS), plain.encode(TEXTS)):
        assert batch.shape == (len(TEXTS), 384)
        # the padding is masked; what is left is int8's: the graph quantises its activations
        # with one scale per call, so a short post beside long ones is rounded more coarsely
        # ("ok" beside a 60-piece post: cosine 0.948 measured, the others >= 0.978; a float
        # graph gives equality, at about half the speed)
        assert _cosine(batch, alone).min() > 0.92
        assert np.median(_cosine(batch, alone)) > 0.98
        head = model.head or (lambda x: x)
        assert (np.argmax(head(batch), 1) == np.argmax(head(alone), 1)).all()
    # the same rows in the same chunk give the same embedding whatever the chunk's padding
    wide = SharedEncoder(bucketing=False, batch_size=len(TEXTS)).encode(TEXTS)
    narrow = SharedEncoder(batch_size=len(TEXTS)).encode(TEXTS)
    assert np.abs(wide - narrow).max() < 1e-4
    assert bucketed.runs == 2 and plain.runs == 2  # six posts in chunks of four: two runs


def test_cache_hits_do_not_run_the_graph(encoder) -> None:
    encoder.clear()
    runs = encoder.runs
    first = encoder.embed(TEXTS[:3])
    assert encoder.runs == runs + 1
    again = encoder.embed(TEXTS[:3] + TEXTS[:1], keys=None)
    assert encoder.runs == runs + 1  # all four from the cache
    assert np.array_equal(again[:3], first) and np.array_equal(again[3], first[0])
    encoder.embed(TEXTS[1:5])  # two cached, two new: one run for the new ones only
    assert encoder.runs == runs + 2
    encoder.clear()
    encoder.embed(TEXTS[:1])
    assert encoder.runs == runs + 3


def test_cache_keys_dedupe_and_capacity() -> None:
    seen = []

    def embed(texts):
        seen.append(list(texts))
        return np.arange(len(texts) * 2, dtype=np.float32).reshape(-1, 2) + len(seen) * 10

    cache = EmbeddingCache(embed, dim=2, capacity=3)
    out = cache.embed(["a", "b", "a"], keys=["p1", "p2", "p3"])
    assert seen == [["a", "b", "a"]] and out.shape == (3, 2)
    out = cache.embed(["x", "y"], keys=["p1", "p1"])
    assert len(seen) == 1 and (out[0] == out[1]).all() and cache.hits == 2
    cache.embed(["c"], keys=["p4"])
    assert list(cache.rows) == ["p2", "p3", "p4"]  # the oldest went first
    assert cache.embed([]).shape == (0, 2)
    with pytest.raises(ValueError):
        cache.embed(["a"], keys=[])


def test_minilm_and_a_second_head_share_one_pass(encoder) -> None:
    model = MiniLM(encoder=encoder)
    encoder.clear()
    runs = encoder.runs
    probabilities, pooled = model.run(TEXTS)
    assert encoder.runs == runs + 1 and probabilities.shape == (len(TEXTS), 3)
    # a later head in the same batch (complaint, topic, urgency) asks for the same posts
    assert np.array_equal(encoder.embed(TEXTS), pooled)
    assert encoder.runs == runs + 1


@pytest.mark.slow
def test_pipeline_embeds_each_post_once(monkeypatch) -> None:
    config = ClassifyConfig(sentiment=SentimentConfig(cascade=CascadeConfig(
        enabled=True, confidence=1.01, multilingual_langs=[], webcare_langs=[])))
    classifier = Classifier(config)
    encoder = classifier.sentiment.cascade.model.encoder
    rows = []
    real = encoder.session.run

    def counted(names, feed):
        rows.append(len(feed["input_ids"]))
        return real(names, feed)

    monkeypatch.setattr(encoder.session, "run", counted)
    texts = [t for t in TEXTS if len(t) > 10]
    posts = [Post(id=f"e{i}", platform="x", text=t, created_at=T0, author={"handle": f"@u{i}"},
                  lang="en") for i, t in enumerate(texts + texts[:1])]  # one repeated text
    results = classifier.classify_many(posts)
    assert all(r.sentiment.model.startswith("minilm") for r in results)
    assert sum(rows) == len(texts)  # each distinct post once, for sentiment and complaint
    # the complaint head read the same embedding (no further run): the first post's
    # complaint probability is the MiniLM head's
    assert results[0].complaint is not None
