"""Classify N realistic posts on one core and compare with bare VADER on the same texts.

Run: ``.venv/bin/python benchmarks/classify_throughput.py [--n 4000] [--repeat 3]``.
Posts: the shipped demo day, plus TweetEval validation tweets and the ITSM dev posts when
``../shared/data`` is present. Prints posts/s for the whole classify stage, for bare
``SentimentIntensityAnalyzer.polarity_scores`` on the same texts in the same run, their
ratio, and the time per post of each classify/ stage (one run each, see :func:`stage_costs`).
Best of ``--repeat`` runs each.

It also prints the shared encoder's posts/s (:class:`classify.encoder.SharedEncoder`, the
MiniLM int8 graph, one onnxruntime thread, batches of ``--encoder-batch`` posts as the job
hands them, bucketed by length inside) on the English posts, beside the old MiniLM runtime's
(every post padded to the tokenizer file's 128 word pieces) with ``--legacy``; min / median /
max of ``--repeat`` runs, since the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from classify.cascade import with_cascade
from classify.language import PostText
from classify.pipeline import Classifier, assemble
from schemas import Post
from webcare.job.assembly import demo_file
from webcare.job.config import load_config

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def realistic_posts(n: int) -> list[Post]:
    """Demo posts first, then real tweets/ITSM posts, cycled to ``n`` with unique ids/times."""
    base = [Post.model_validate_json(line) for line in demo_file().read_text("utf-8").splitlines()]
    template = base[0]
    tweets = SHARED / "tweeteval" / "val_text.txt"
    if tweets.is_file():
        base += [template.model_copy(update={"text": text, "lang": None})
                 for text in tweets.read_text("utf-8").splitlines() if text.strip()]
    itsm = SHARED / "itsm" / "dev.jsonl"
    if itsm.is_file():
        base += [Post.model_validate(json.loads(line)) for line in itsm.open(encoding="utf-8")]
    posts = []
    for i in range(n):
        post = base[i % len(base)]
        cycle = i // len(base)
        posts.append(post.model_copy(update={
            "id": f"bench-{i}", "created_at": template.created_at + timedelta(seconds=i),
            "text": post.text if cycle == 0 else f"{post.text} #{cycle}"}))
    return posts


def best_rate(run, count: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return count / best


def rates(run, count: int, repeat: int) -> list[float]:
    """posts/s of each of ``repeat`` runs (min/median/max show how noisy the machine was)."""
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        out.append(count / (time.perf_counter() - started))
    return out


def spread(values: list[float]) -> str:
    return (f"min {min(values):6.0f}  median {statistics.median(values):6.0f}  "
            f"max {max(values):6.0f} posts/s")


def encoder_rates(texts: list[str], batch: int, repeat: int, legacy: bool) -> dict[str, list]:
    """posts/s of the shared encoder over ``texts`` in job batches of ``batch`` (cache cleared
    per batch), and of the old padded runtime when ``legacy``."""
    from classify.encoder import SharedEncoder

    encoder = SharedEncoder(threads=1)
    chunks = [texts[i:i + batch] for i in range(0, len(texts), batch)]

    def shared() -> None:
        for chunk in chunks:
            encoder.clear()
            encoder.embed(chunk)

    out = {"shared encoder (int8, unpadded, bucketed)": rates(shared, len(texts), repeat)}
    if legacy:
        padded = SharedEncoder(threads=1)
        padded.tokenizer.enable_padding(length=128)  # what the old runtime ran: mask 1 on all

        def old() -> None:
            for chunk in chunks:
                padded.encode(chunk)

        out["old MiniLM runtime (padded to 128)"] = rates(old, len(texts), max(1, repeat // 2))
    return out


def stage_costs(config, posts: list[Post]) -> dict[str, float]:
    """Microseconds per post of each stage, measured one stage at a time over the inputs the
    classifier gives it (text views, earlier stages' results); stateful stages start empty."""
    c = Classifier(config)
    texts = [PostText(p.text) for p in posts]
    langs = [c.language.detect(p.text, p.lang, t.clean) for p, t in zip(posts, texts)]
    brands = [c.brands.match(p, t.unmarked) for p, t in zip(posts, texts)]
    noise = [c.noise.check(p, b, l, t) for p, b, l, t in zip(posts, brands, langs, texts)]
    topics = [c.topic.classify(p.text, l.lang, t.words) for p, l, t in zip(posts, langs, texts)]
    moods = [c.sentiment.score(p.text, l.lang, t.low) for p, l, t in zip(posts, langs, texts)]
    rows = list(zip(posts, langs, brands, noise, topics, moods, texts))
    urgency = [c.urgency.assess(*r[:6], lowers=r[6].words) for r in rows]
    noise_filter, scorer = Classifier(config).noise, Classifier(config).urgency
    steps = {
        "text views": lambda: [PostText(p.text) for p in posts],
        "language": lambda: [c.language.detect(p.text, p.lang, t.clean) for p, t in zip(posts, texts)],
        "brands": lambda: [c.brands.match(p, t.unmarked) for p, t in zip(posts, texts)],
        "noise": lambda: [noise_filter.check(p, b, l, t) for p, l, b, _, _, _, t in rows],
        "topic": lambda: [c.topic.classify(p.text, l.lang, t.words) for p, l, *_, t in rows],
        "sentiment": lambda: [c.sentiment.score(p.text, l.lang, t.low) for p, l, *_, t in rows],
        "urgency": lambda: [scorer.assess(*r[:6], lowers=r[6].words) for r in rows],
        "assemble": lambda: [assemble(*r[:6], u) for r, u in zip(rows, urgency)],
    }
    return {name: 1e6 / best_rate(step, len(posts), 1) for name, step in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--encoder-posts", type=int, default=2000,
                        help="English posts for the shared-encoder measurement (0: skip it)")
    parser.add_argument("--encoder-batch", type=int, default=256)
    parser.add_argument("--legacy", action="store_true",
                        help="also measure the old padded MiniLM runtime (slow)")
    parser.add_argument("--cascade", type=float, action="append", default=[],
                        help="also measure the cascade (webcare expert for posts about a watched "
                             "brand, MiniLM / the Dutch head for the rest) at this confidence "
                             "(repeatable; 1.01 = an accurate model for every post it serves)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    posts = realistic_posts(args.n)
    texts = [post.text for post in posts]
    config = load_config().classify
    vader = SentimentIntensityAnalyzer()
    vader_rate = best_rate(lambda: [vader.polarity_scores(t) for t in texts], len(texts),
                           args.repeat)
    fresh = iter([Classifier(config) for _ in range(args.repeat)])  # state starts empty
    pipeline_rate = best_rate(lambda: next(fresh).classify_many(posts), len(posts), args.repeat)
    source = ("demo posts + TweetEval val + ITSM dev from ../shared" if SHARED.is_dir()
              else "demo posts only (../shared not found: not comparable with runs that had it)")
    print(f"posts: {len(posts)} on one core, best of {args.repeat}; {source}")
    print(f"classify stage (all classifiers): {pipeline_rate:10.0f} posts/s")
    print(f"bare VADER polarity_scores:       {vader_rate:10.0f} posts/s")
    print(f"ratio classify / bare VADER:      {pipeline_rate / vader_rate:10.2f}")
    for name, micros in stage_costs(config, posts).items():
        print(f"  {name:10} {micros:7.1f} µs/post")
    if args.encoder_posts:
        english = [t for t, lang in zip(texts, (c.lang for c in Classifier(config)
                                                 .classify_many(posts))) if lang == "en"]
        english = english[: args.encoder_posts]
        vader_again = rates(lambda: [vader.polarity_scores(t) for t in english], len(english),
                            args.repeat)
        print(f"shared encoder, one core, {len(english)} English posts, batches of "
              f"{args.encoder_batch}, {args.repeat} runs:")
        print(f"  {'bare VADER (same posts)':42} {spread(vader_again)}")
        for name, values in encoder_rates(english, args.encoder_batch, args.repeat,
                                          args.legacy).items():
            print(f"  {name:42} {spread(values)}")
    for confidence in args.cascade:
        cascaded = with_cascade(config, confidence)
        fresh = iter([Classifier(cascaded) for _ in range(args.repeat)])
        rate = best_rate(lambda: next(fresh).classify_many(posts), len(posts), args.repeat)
        deciders = Counter(c.sentiment.model for c in Classifier(cascaded).classify_many(posts))
        shares = ", ".join(f"{model} {count / len(posts):.0%}"
                           for model, count in deciders.most_common())
        print(f"cascade at confidence {confidence:.2f}: {rate:10.0f} posts/s "
              f"(ratio to bare VADER {rate / vader_rate:.2f}; decided by {shares})")


if __name__ == "__main__":
    main()
