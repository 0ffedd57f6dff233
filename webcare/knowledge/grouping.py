"""Group answered questions into FAQ candidates (pure: no I/O, deterministic).

Called by ``webcare knowledge export`` and the app's ``/knowledge`` page with the answered
questions the store collected (:mod:`webcare.knowledge.collect`). Questions are compared as
TF-IDF vectors over word and character n-grams (cosine similarity), per language unless
``per_language`` is off, and grouped by average-linkage agglomerative clustering (or connected
components, ``linkage: single``) cut at ``threshold``. Each group becomes one
:class:`FaqCandidate`: the most central question as its representative, the best answer (the
most recent webcare reply, else the most recent official answer, else the most-liked peer
answer), count, languages, topics, first/last asked and the member post ids.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from webcare.knowledge.config import GroupingConfig

AnswerKind = Literal["webcare", "official", "peer"]
_NOISE = re.compile(r"https?://\S+|[@#][\w.-]+|\d+", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)
# Question and function words in en/nl/fi: every question has them, no intent is told by them.
STOP_WORDS = frozenset("""
a an the i me my mine we our you your it its is are was be been am do does did doing can could
should would will shall may might must to of in on at for from with by about as and or but if
so not no this that these those there here what whats what's how why when where which who whom
whose someone anyone anybody somebody please help tell know get got way right need want any some
de het een ik mij me mijn we wij ons onze je jij jou jouw u uw het is zijn was ben bent wordt
worden kan kun kunt kunnen moet moeten mag wil wilt zou zal doe doen heb hebt heeft hebben te
van in op aan voor met bij uit om en of maar als dan niet geen dit dat deze die er hier daar
wat hoe waarom wanneer waar welke welk wie iemand iets graag weet weten
minä mä minun mun me meidän sinä sun sinun te teidän se sen on ovat oli olen ole ei en et
voi voin voiko voitko saa saan saako pitää pitääkö täytyy ja tai mutta jos kun niin että
tämä tuo nämä ne siellä täällä mitä mikä mitkä miten kuinka miksi milloin missä mistä mihin
kuka ketä joku jotain onko ootko tiedättekö tietääkö apua""".split())


@dataclass(frozen=True)
class Answer:
    kind: AnswerKind
    text: str
    at: datetime
    author: str
    likes: int = 0
    post_id: str | None = None  # the answer post (peer/official) or None (webcare reply)


@dataclass(frozen=True)
class Question:
    post_id: str
    text: str
    lang: str
    topic: str
    asked_at: datetime
    answers: tuple[Answer, ...] = ()


@dataclass
class FaqCandidate:
    question: str
    representative_id: str
    answer: Answer | None
    count: int
    languages: list[str]
    topics: list[str]
    first_asked: datetime
    last_asked: datetime
    post_ids: list[str]
    phrasings: list[str] = field(default_factory=list)  # most central first


def clean(text: str) -> str:
    """Lower-case content words: no links, @handles, #tags, digits or question/function words."""
    return " ".join(w for w in _WORD.findall(_NOISE.sub(" ", text.lower()))
                    if w not in STOP_WORDS)


def _tfidf(texts: list[str], **options) -> csr_matrix:
    """L2-normalised TF-IDF rows; all zeros when the texts have no term at all."""
    try:
        return normalize(TfidfVectorizer(sublinear_tf=True, **options).fit_transform(texts))
    except ValueError:  # empty vocabulary: only symbols, stop words or nothing
        return csr_matrix((len(texts), 1))


def similarity(texts: Sequence[str], config: GroupingConfig) -> np.ndarray:
    """Cosine similarity of every pair of ``texts`` (word + char n-gram TF-IDF)."""
    cleaned = [clean(t) or t.lower() for t in texts]
    words = _tfidf(cleaned, analyzer="word", ngram_range=config.word_ngrams,
                   token_pattern=r"(?u)\b\w\w+\b")
    chars = _tfidf(cleaned, analyzer="char_wb", ngram_range=config.char_ngrams)
    w = config.char_weight
    joined = normalize(hstack([words * np.sqrt(1 - w), chars * np.sqrt(w)]).tocsr())
    sim = np.asarray((joined @ joined.T).todense(), dtype=np.float64)
    np.fill_diagonal(sim, 1.0)
    return sim


def cluster_labels(sim: np.ndarray, config: GroupingConfig) -> list[int]:
    """A group number per row of the similarity matrix; a lone question is its own group."""
    if len(sim) < 2:
        return [0] * len(sim)
    if config.linkage == "single":
        _, labels = connected_components(sim >= config.threshold, directed=False)
        return [int(x) for x in labels]
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                    distance_threshold=1.0 - config.threshold)
    return [int(x) for x in model.fit_predict(np.clip(1.0 - sim, 0.0, 2.0))]


def group_questions(questions: Sequence[Question], config: GroupingConfig,
                    min_count: int = 1) -> list[FaqCandidate]:
    """FAQ candidates with at least ``min_count`` questions, the most asked first."""
    parts: dict[str, list[Question]] = defaultdict(list)
    for q in sorted(questions, key=lambda q: (q.asked_at, q.post_id)):
        parts[q.lang if config.per_language else "*"].append(q)
    found = []
    for members in parts.values():
        sim = similarity([q.text for q in members], config)
        labels = cluster_labels(sim, config)
        for label in sorted(set(labels)):
            idx = [i for i, x in enumerate(labels) if x == label]
            if len(idx) >= min_count:
                found.append(_candidate([members[i] for i in idx], sim[np.ix_(idx, idx)]))
    return sorted(found, key=lambda c: (-c.count, -c.last_asked.timestamp(), c.question))


def best_answer(answers: Sequence[Answer]) -> Answer | None:
    """The latest webcare reply, else the latest official answer, else the most-liked peer."""
    for kind in ("webcare", "official"):
        own = [a for a in answers if a.kind == kind]
        if own:
            return max(own, key=lambda a: (a.at, a.text))
    peers = [a for a in answers if a.kind == "peer"]
    return max(peers, key=lambda a: (a.likes, a.at, a.text)) if peers else None


def _candidate(members: list[Question], sim: np.ndarray) -> FaqCandidate:
    centrality = sim.mean(axis=1)
    order = sorted(range(len(members)), key=lambda i: (-centrality[i], members[i].asked_at))
    central = members[order[0]]
    phrasings = list(dict.fromkeys(members[i].text for i in order))
    return FaqCandidate(
        question=central.text, representative_id=central.post_id,
        answer=best_answer([a for q in members for a in q.answers]), count=len(members),
        languages=sorted({q.lang for q in members}), topics=sorted({q.topic for q in members}),
        first_asked=min(q.asked_at for q in members), last_asked=max(q.asked_at for q in members),
        post_ids=[q.post_id for q in members], phrasings=phrasings)
