"""The shared encoder: each post is embedded once per batch and every head reads that embedding.

:class:`SharedEncoder` runs the shipped MiniLM ONNX graph (``classify/models/
sentiment_minilm.onnx``, its ``embedding`` output: the mean-pooled 384-d vector) through
onnxruntime on ``threads`` threads. :class:`EmbeddingCache` (also wrapped around the e5
encoder, :mod:`classify.e5`) keeps the embeddings of the current batch by key (the post's
normalised text, or an id the caller gives): the sentiment head, the complaint head and any
later head (topic, urgency, relevance) ask the cache and only missing posts reach the graph,
deduplicated. :meth:`EmbeddingCache.clear` starts a new batch (the cascade calls it once per
``apply``), so memory stays one batch deep.

What makes it fast on one core (measured in ``benchmarks/classify_throughput.py`` and
``docs/measurements.md``):

* no fixed padding: the shipped tokenizer pads every text to 128 word pieces and the old
  runtime attended to all of them (mask 1); here a text is its real length cut to
  :data:`MAX_TOKENS` (64) word pieces with the padding switched off;
* length bucketing: a batch is sorted by length and padded per chunk of ``batch_size`` (the
  mask zeroes the padding, so the embedding of a text does not depend on its neighbours);
* session options: graph optimisation ALL, ``intra_op_num_threads = threads``, sequential
  execution, and no spinning of idle threads (``session.intra_op.allow_spinning = 0``: the
  classify worker shares its cores with the rest of the pipeline).

Construction fails with :class:`classify.transformer.TransformerModelError` when a file is
missing or unreadable. No torch at run time; nothing is downloaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from schemas.errors import WebcareError

DIM = 384
MAX_TOKENS = 64
MODELS_DIR = Path(__file__).parent / "models"
ONNX_FILE, TOKENIZER_FILE = "sentiment_minilm.onnx", "minilm_tokenizer.json"
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<!\w)@\w+")


def normalise(text: str) -> str:
    """The text as the model saw it in training (URLs -> ``http``, handles -> ``@user``)."""
    return _HANDLE.sub("@user", _URL.sub("http", text))


class TransformerModelError(WebcareError, RuntimeError):
    """The transformer model files are missing or unreadable (raised at construction)."""


class EmbeddingCache:
    """Embeddings of the current batch by key; ``embed_fn`` embeds the texts not yet seen.

    ``hits`` and ``misses`` count lookups (a text asked twice in one call is one miss and
    one hit); ``calls`` counts the calls of ``embed_fn``. Besides :meth:`clear` at a batch
    start, at most ``capacity`` rows are kept (the oldest go first), so a caller that never
    clears still holds a bounded amount (4,096 x 384 float32: 6 MB)."""

    def __init__(self, embed_fn: Callable[[list[str]], np.ndarray], dim: int = DIM,
                 capacity: int = 4096, dtype: type = np.float32) -> None:
        self.embed_fn = embed_fn
        self.dim = dim
        self.capacity = capacity
        self.dtype = dtype
        self.rows: dict[str, np.ndarray] = {}
        self.hits = self.misses = self.calls = 0

    def clear(self) -> None:
        """Start a new batch (drop the previous batch's embeddings)."""
        self.rows.clear()

    def embed(self, texts: Sequence[str], keys: Sequence[str] | None = None) -> np.ndarray:
        """(n, dim) float32 embeddings of ``texts`` in order; ``keys`` (default the texts
        themselves): the cache key of each text, e.g. the post id."""
        keys = list(texts) if keys is None else list(keys)
        if len(keys) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(keys)} keys")
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key in self.rows or key in missing:
                self.hits += 1
            else:
                self.misses += 1
                missing[key] = text
        fresh: dict[str, np.ndarray] = {}
        if missing:
            self.calls += 1
            vectors = np.asarray(self.embed_fn(list(missing.values())), dtype=self.dtype)
            fresh = dict(zip(missing, vectors.reshape(len(missing), self.dim)))
        if not keys:
            return np.zeros((0, self.dim), dtype=self.dtype)
        out = np.stack([fresh[key] if key in fresh else self.rows[key] for key in keys])
        self.rows.update(fresh)
        for old in list(self.rows)[: max(0, len(self.rows) - self.capacity)]:
            del self.rows[old]
        return out


def session_options(threads: int = 1, spinning: bool = False):  # noqa: ANN201
    """onnxruntime session options for one encoder on ``threads`` cores."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    if not spinning:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def buckets(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Row indices in chunks of at most ``batch_size``, sorted by length (stable), so each
    chunk is padded only to its own longest text."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def padded(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(ids, mask) int64 arrays of ``rows`` right-padded with 0 to the longest row."""
    width = max(1, max((len(r) for r in rows), default=1))
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return ids, mask


class SharedEncoder:
    """The MiniLM encoder (one onnxruntime session) behind an :class:`EmbeddingCache`.

    ``runs`` counts the session runs (one per length bucket), the tests read it;
    ``outputs`` also returns the graph's other outputs (``logits``) when asked."""

    def __init__(self, model_dir: Path | None = None, threads: int = 1, batch_size: int = 32,
                 onnx_file: str = ONNX_FILE, bucketing: bool = True,
                 spinning: bool = False) -> None:
        model_dir = Path(model_dir or MODELS_DIR)
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            self.tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
            self.session = ort.InferenceSession(str(model_dir / onnx_file),
                                                session_options(threads, spinning),
                                                providers=["CPUExecutionProvider"])
        except (OSError, ValueError, TypeError, ImportError, RuntimeError) as exc:
            raise TransformerModelError(
                f"cannot load the shared encoder from {model_dir}: {exc!r}") from exc
        self.tokenizer.no_padding()  # the file pads to 128: real lengths, padded per bucket
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.output_names = [o.name for o in self.session.get_outputs()]
        if "embedding" not in self.output_names:
            raise TransformerModelError(f"{model_dir / onnx_file} has no 'embedding' output")
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.batch_size = batch_size
        self.bucketing = bucketing
        self.runs = 0
        self.cache = EmbeddingCache(self.encode)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids of the normalised texts, at most :data:`MAX_TOKENS` each."""
        return [e.ids for e in self.tokenizer.encode_batch([normalise(t) for t in texts])]

    def forward(self, texts: Sequence[str],
                outputs: Sequence[str] = ("embedding",)) -> list[np.ndarray]:
        """The graph's ``outputs`` for ``texts`` in input order, no cache (one session run
        per bucket)."""
        encoded = self.token_ids(texts)
        result = [None] * len(outputs)
        if not encoded:
            return [np.zeros((0, DIM if name == "embedding" else 3), dtype=np.float32)
                    for name in outputs]
        chunks = (buckets([len(e) for e in encoded], self.batch_size) if self.bucketing
                  else [list(range(i, min(i + self.batch_size, len(encoded))))
                        for i in range(0, len(encoded), self.batch_size)])
        for chunk in chunks:
            ids, mask = padded([encoded[i] for i in chunk])
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            self.runs += 1
            for k, value in enumerate(self.session.run(list(outputs), feed)):
                if result[k] is None:
                    result[k] = np.zeros((len(encoded), *value.shape[1:]), dtype=np.float32)
                result[k][chunk] = value
        return result

    def encode(self, texts: list[str]) -> np.ndarray:
        """(n, 384) pooled embeddings, no cache."""
        return self.forward(texts)[0]

    def embed(self, texts: Sequence[str], keys: Sequence[str] | None = None) -> np.ndarray:
        """(n, 384) pooled embeddings through the batch cache (see :class:`EmbeddingCache`)."""
        return self.cache.embed(texts, keys)

    def clear(self) -> None:
        """Start a new batch."""
        self.cache.clear()


class LinearHead:
    """A head over an encoder's embedding: ``x @ coef + bias`` (coef (dim, k)), or with a
    hidden layer ``relu(x @ hidden_w + hidden_b) @ coef + bias`` (a small MLP)."""

    def __init__(self, coef: np.ndarray, bias: np.ndarray, hidden_w: np.ndarray | None = None,
                 hidden_b: np.ndarray | None = None) -> None:
        self.coef = np.asarray(coef, dtype=np.float64)
        self.bias = np.asarray(bias, dtype=np.float64).reshape(-1)
        self.hidden = None
        if hidden_w is not None:
            self.hidden = (np.asarray(hidden_w, dtype=np.float64),
                           np.asarray(hidden_b, dtype=np.float64).reshape(-1))
        inner = self.coef.shape[0] if self.coef.ndim == 2 else -1
        if (self.coef.ndim != 2 or self.coef.shape[1] != len(self.bias)
                or (self.hidden is not None and self.hidden[0].shape[1:] != (inner,))
                or (self.hidden is not None and self.hidden[1].shape != (inner,))):
            raise TransformerModelError(f"head shapes do not fit: {self.coef.shape}, "
                                        f"{self.bias.shape}")

    @property
    def input_dim(self) -> int:
        return (self.hidden[0] if self.hidden is not None else self.coef).shape[0]

    def __call__(self, embedded: np.ndarray) -> np.ndarray:
        x = np.asarray(embedded, dtype=np.float64)
        if self.hidden is not None:
            x = np.maximum(x @ self.hidden[0] + self.hidden[1], 0.0)
        return x @ self.coef + self.bias
