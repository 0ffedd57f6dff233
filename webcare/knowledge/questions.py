"""Is a post a question? Pure text rules for English, Dutch and Finnish.

Called by :mod:`webcare.knowledge.collect` for every answered post; the topic classifier's
``how_to`` label also counts as a question there. A post is a question when, without links and
leading @mentions, it has a question mark, or a sentence opens with an interrogative word
(``how``, ``hoe``, ``miten`` ...) or, in Finnish, with a verb carrying the question clitic
``-ko``/``-kö`` (``toimiiko``, ``onko``).
"""

from __future__ import annotations

import re

INTERROGATIVES = {
    "en": frozenset("""how what what's whats why when where who whom whose which can could do
does did is are was were should shall will would has have anyone anybody any am""".split()),
    "nl": frozenset("""hoe wat waarom wanneer waar waarmee wie welke welk kan kun kunt kunnen
moet moeten is zijn heeft hebben weet weten mag mogen wordt werkt gaat klopt zou""".split()),
    "fi": frozenset("""miten mitä mikä mitkä miksi milloin missä mistä mihin kuka ketkä kenen
kuinka paljonko montako voiko onko saako pitääkö toimiiko""".split()),
}
_ALL = frozenset().union(*INTERROGATIVES.values())
_LINK = re.compile(r"https?://\S+")
_LEAD = re.compile(r"^(?:\s*[@#][\w.-]+[,:]?)+\s*", re.UNICODE)
_SENTENCE = re.compile(r"(?:^|[.!\n]\s*)([^\W\d_][\w'-]*)", re.UNICODE)
_CLITIC = re.compile(r"^[^\W\d_]{3,}(?:ko|kö)$", re.UNICODE)


def is_question(text: str, lang: str | None = None) -> bool:
    """True for a question in ``lang`` (any of en/nl/fi when unknown or another language)."""
    body = _LEAD.sub("", _LINK.sub(" ", text)).strip()
    if "?" in body:
        return True
    words = INTERROGATIVES.get(lang or "", _ALL)
    clitic = lang not in ("en", "nl")  # Finnish, or a language we have no words for
    for match in _SENTENCE.finditer(body):
        first = match.group(1).lower()
        if first in words or (clitic and _CLITIC.match(first)):
            return True
    return False
