"""Pure mapping from pipeline messages to store rows (shared by every store backend)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from schemas import DeadLetter, Decision, Incident, QueueItem

QUEUED_ACTIONS = frozenset({"webcare", "incident"})


def iso(moment: datetime) -> str:
    """UTC ISO-8601 text, sortable as a string on every backend."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hour_bucket(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:00Z")


def post_row(decision: Decision, stored_at: datetime) -> tuple:
    post, c = decision.post, decision.classification
    return (post.id, post.platform, post.author.handle, iso(post.created_at), c.lang, c.brand,
            c.topic, c.sentiment.label, c.sentiment.compound, c.urgency, c.priority,
            int(c.noise), c.noise_reason, decision.action, decision.rule,
            decision.model_dump_json(), iso(stored_at))


def first_per_post(decisions: Iterable[Decision]) -> list[Decision]:
    """The first decision for each post id, in arrival order (a batch may hold a post twice)."""
    unique: dict[str, Decision] = {}
    for decision in decisions:
        unique.setdefault(decision.post.id, decision)
    return list(unique.values())


def trend_rows(decisions: Iterable[Decision]) -> list[tuple]:
    """``(bucket, topic, platform, lang, sentiment, posts, compound_sum)`` per trend key of
    ``decisions``, in key order (the order every backend locks the rows in)."""
    counts: Counter = Counter()
    sums: Counter = Counter()
    for d in decisions:
        c = d.classification
        key = (hour_bucket(d.post.created_at), c.topic, d.post.platform, c.lang,
               c.sentiment.label)
        counts[key] += 1
        sums[key] += c.sentiment.compound
    return [(*key, counts[key], sums[key]) for key in sorted(counts)]


def queue_item(decision: Decision) -> QueueItem:
    post, c = decision.post, decision.classification
    return QueueItem(
        post_id=post.id, platform=post.platform, author_handle=post.author.handle,
        text=post.text, lang=c.lang, topic=c.topic, sentiment=c.sentiment.label,
        urgency=c.urgency, priority=c.priority, reasons=[*decision.reasons, *c.reasons],
        rule=decision.rule, created_at=post.created_at, incident_key=decision.incident_key,
    )


def single_incident(decision: Decision) -> Incident:
    """The incident a rule opens for one post (a security report, a high-reach customer)."""
    post, c = decision.post, decision.classification
    return Incident(
        key=decision.incident_key or f"single:{post.id}", kind="single", brand=c.brand,
        topic=c.topic, urgency=c.urgency,
        title=f"[{c.topic}] {post.author.handle} on {post.platform}: {post.text[:80]}",
        first_seen=post.created_at, last_seen=post.created_at, post_count=1,
        sample_post_ids=[post.id], platforms=[post.platform], languages=[c.lang],
        reasons=list(decision.reasons),
    )


def dead_letter_fingerprint(letter: DeadLetter) -> str:
    """Same failure of the same input → same fingerprint, so re-runs store it once."""
    key = "\x1f".join([letter.stage, letter.source or "", str(letter.line or ""),
                       letter.error_type, letter.payload])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
