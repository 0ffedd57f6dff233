"""Topic classification from multilingual phrase rules (spaCy PhraseMatcher + prefix patterns).

:class:`TopicClassifier` is built once by :class:`classify.pipeline.Classifier` and called once
per post. The post is split once into lower-cased words (:func:`classify.patterns.words`,
shared with the urgency cues); whole-word phrases are matched by a spaCy ``PhraseMatcher``
over a ``Doc`` of those words, prefix / wildcard patterns (inflected Finnish) by
:class:`PatternIndex`. Phrase weights are summed per topic and the
best topic wins; nothing matched (or too weak) is ``other``. The rules are en/nl/fi: a post
in another language is matched against all of them, and its result says so (``no_model``,
the reason) and gives no model distribution.
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from classify.config import TopicConfig
from classify.patterns import PatternIndex, words
from classify.textcat import TopicModel
from classify.types import TopicResult

DEFAULT_RULES = Path(__file__).parent / "rules" / "topics.yaml"

KNOWN_LANGS = ("en", "nl", "fi")


Rule = tuple[str, float, str]  # topic, weight, phrase
class RuleSet:
    """The parsed rule file: ``(topic, weight, phrase)`` per language, plus ``min_score``."""

    def __init__(self, by_lang: dict[str, list[Rule]], min_score: float, topics: list[str]):
        self.by_lang = by_lang
        self.min_score = min_score
        self.topics = topics

    def precedence(self, labels: list[str]) -> list[str]:
        """Tie-break order: rule-file order, then any remaining labels."""
        return self.topics + [label for label in labels if label not in self.topics]

    def exact_phrases(self, langs: tuple[str, ...]) -> list[Rule]:
        return [r for lang in langs for r in self.by_lang.get(lang, []) if "*" not in r[2]]

    def pattern_index(self, langs: tuple[str, ...]) -> PatternIndex:
        index = PatternIndex()
        for lang in langs:
            for topic, weight, phrase in self.by_lang.get(lang, []):
                if "*" in phrase:
                    index.add(phrase, topic, weight)
        return index


def load_rules(path: Path, labels: list[str]) -> RuleSet:
    """Parse a topic rule file. Called once at construction; failure → ``ValueError``."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        topics = data["topics"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise ValueError(f"cannot load topic rules {path}: {exc}") from exc
    by_lang: dict[str, list[Rule]] = {}
    for topic, spec in topics.items():
        if topic not in labels:
            raise ValueError(f"rule topic {topic!r} is not in the configured labels")
        default = float(spec.get("weight", 1.0))
        for lang, phrases in spec.items():
            if lang == "weight":
                continue
            for entry in phrases or []:
                phrase, _, weight = str(entry).partition("|")
                rule = (topic, float(weight) if weight else default, phrase.strip().lower())
                by_lang.setdefault(lang, []).append(rule)
    return RuleSet(by_lang, float(data.get("min_score", 1.0)), list(topics))


class _LangMatcher:
    """One language's whole-word phrases and prefix patterns.

    The phrases are matched as spaCy's ``PhraseMatcher`` would match them over a ``Doc`` of
    the words of :func:`words` (by start, then by length, the rules of one phrase in the
    matcher's own order), without building a ``Doc`` per post: a token trie over the same
    word list. The matcher is built anyway, once, and gives the order of the rules that share
    a phrase (asked at construction, phrase by phrase); nothing is added to the vocabulary
    per post, so memory stays bounded in a long-running worker."""

    PLACEHOLDER = "\u2063"

    def __init__(self, vocab: Vocab, rules: RuleSet, langs: tuple[str, ...]) -> None:
        self.vocab = vocab
        self.matcher = PhraseMatcher(vocab, attr="ORTH")
        self.keys: dict[int, tuple[str, float, str]] = {}
        self.vocabulary: set[str] = set()
        self.patterns = rules.pattern_index(langs)
        phrases: dict[tuple[str, ...], None] = {}
        for topic, weight, phrase in rules.exact_phrases(langs):
            name = f"{topic}|{phrase}"  # the phrase is what the reason shows as matched
            tokens = list(words(phrase))
            self.vocabulary.update(tokens)
            self.keys[vocab.strings.add(name)] = (topic, weight, phrase)
            self.matcher.add(name, [Doc(vocab, words=tokens)])
            if tokens:
                phrases[tuple(tokens)] = None
        # trie: word -> next words; at None, the rule keys of the phrase ending there
        self.trie: dict = {}
        for tokens in phrases:
            node = self.trie
            for token in tokens:
                node = node.setdefault(token, {})
            node[None] = tuple(k for k, s, e in self.matcher(Doc(vocab, words=list(tokens)))
                               if s == 0 and e == len(tokens))

    def hits(self, text: str, lowers: tuple[str, ...] | None = None,
             ) -> list[tuple[int, int, str, float, str]]:
        """Rule hits ``(start, end, topic, weight, matched)`` over the words of ``text``
        (``lowers``: ``words(text)`` when the caller has it already)."""
        if lowers is None:
            lowers = words(text)
        out = [(s, e, t, w, " ".join(lowers[s:e])) for s, e, t, w in self.patterns.find(lowers)]
        trie = self.trie
        if trie.keys().isdisjoint(lowers):
            return out
        keys, n = self.keys, len(lowers)
        for start in [i for i, word in enumerate(lowers) if word in trie]:
            node, end = trie[lowers[start]], start + 1
            while True:
                ends = node.get(None)
                if ends:
                    out += [(start, end, *keys[k]) for k in ends]
                if end == n:
                    break
                node = node.get(lowers[end])
                if node is None:
                    break
                end += 1
        return out


def _rule_langs(key: str) -> tuple[str, ...]:
    """English phrases also apply to nl/fi posts; unknown languages get every rule."""
    return (key,) if key == "en" else KNOWN_LANGS if key == "xx" else (key, "en")


class TopicClassifier:
    """Classifies a post's text into one of ``config.labels``.

    Construction loads the rule file (failure: missing/invalid YAML or a rule topic that is not
    in ``labels`` → ``ValueError``). ``classify`` never raises on text input.
    """

    def __init__(self, config: TopicConfig | None = None) -> None:
        self.config = config or TopicConfig()
        self.rules = load_rules(self.config.rules or DEFAULT_RULES, self.config.labels)
        self.model = TopicModel(self.config.model, self.config.labels) if self.config.model else None
        self.source = f"rules+{self.model.name}" if self.model else "rules"
        if self.config.fallback not in self.config.labels:
            raise ValueError(f"fallback topic {self.config.fallback!r} not in labels")
        self.min_score = (
            self.config.min_score if self.config.min_score is not None else self.rules.min_score
        )
        self._order = {t: i for i, t in enumerate(self.rules.precedence(self.config.labels))}
        vocab = Vocab()  # shared; matching adds no strings to it (see _LangMatcher)
        self._matchers = {key: _LangMatcher(vocab, self.rules, _rule_langs(key))
                          for key in (*KNOWN_LANGS, "xx")}

    def _matcher(self, lang: str) -> _LangMatcher:
        return self._matchers[lang if lang in KNOWN_LANGS else "xx"]

    def classify(self, text: str, lang: str, lowers: tuple[str, ...] | None = None) -> TopicResult:
        """Topic of ``text`` written in ``lang`` (ISO 639-1; anything else uses all rules);
        ``lowers`` is ``words(text)`` when the caller has it already."""
        hits = _dedupe(self._matcher(lang).hits(text, lowers))
        scores: dict[str, float] = {}
        for _, _, topic, weight, _ in hits:
            scores[topic] = scores.get(topic, 0.0) + weight
        known = lang in KNOWN_LANGS
        distribution = None
        if self.model is not None:
            distribution = self.model.probabilities(text)
            for topic, probability in distribution.items():
                scores[topic] = scores.get(topic, 0.0) + self.config.model_weight * probability
        fallback = self.config.fallback
        best = max(scores, key=lambda t: (scores[t], -self._order.get(t, 99)), default=fallback)
        if scores.get(best, 0.0) < self.min_score:
            best = fallback
        matched = tuple(dict.fromkeys(h[4] for h in hits if h[2] == best))
        confidence = _confidence(scores, best)
        rounded = {t: round(s, 3) for t, s in scores.items()}
        if matched:
            shown = ", ".join(f"'{m}'" for m in matched[:5])
            reason = f"topic {best} (matched: {shown})"
        else:
            reason = f"topic {best} (no topic phrases matched)"
        if self.model is not None:
            reason += f"; {self.model.name} score {scores.get(best, 0.0):.2f}"
        if not known:  # the rules (and the model) are en/nl/fi: say so, give no distribution
            reason += f"; topic: no phrase rules for {lang}, the {'/'.join(KNOWN_LANGS)} ones used"
            distribution = None
        return TopicResult(best, confidence, matched, reason, rounded,
                           probabilities=_distribution(distribution), source=self.source,
                           no_model=() if known else ("topic",))


def _distribution(probabilities: dict[str, float] | None) -> dict[str, float] | None:
    """The model's label probabilities normalised to sum 1 (spaCy's softmax sums to 1 up to
    float error), or None."""
    if not probabilities:
        return None
    total = sum(probabilities.values())
    return {t: p / total for t, p in probabilities.items()} if total > 0 else None


def _dedupe(hits: list[tuple[int, int, str, float, str]]) -> list[tuple[int, int, str, float, str]]:
    """Per topic keep the longest of overlapping hits and count a repeated phrase once."""
    if len(hits) < 2:
        return hits
    hits.sort(key=lambda h: (h[0] - h[1], -h[3]))
    taken: dict[str, set[int]] = {}
    seen: set[tuple[str, str]] = set()
    kept = []
    for hit in hits:
        used = taken.setdefault(hit[2], set())
        span = range(hit[0], hit[1])
        if (hit[2], hit[4]) not in seen and not any(i in used for i in span):
            seen.add((hit[2], hit[4]))
            used.update(span)
            kept.append(hit)
    return kept


def _confidence(scores: dict[str, float], best: str) -> float:
    """Share of the evidence for ``best`` times how much evidence there is, in [0, 1]."""
    total = sum(scores.values())
    top = scores.get(best, 0.0)
    if top <= 0.0:
        return 0.5 if total == 0.0 else round(max(0.05, 0.5 - total / (2 * (total + 2))), 3)
    share = top / total
    strength = 1.0 - math.exp(-top / 2.0)
    return round(min(1.0, max(0.0, 0.2 + 0.8 * share * strength)), 3)
