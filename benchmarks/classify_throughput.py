"""Classify N realistic posts on one core and compare with bare VADER on the same texts.

Run: ``.venv/bin/python benchmarks/classify_throughput.py [--n 4000] [--repeat 3]``.
Posts: the shipped demo day, plus TweetEval validation tweets and the ITSM dev posts when
``../shared/data`` is present. Prints posts/s for the whole classify stage, for bare
``SentimentIntensityAnalyzer.polarity_scores`` on the same texts in the same run, their
ratio, and the time per post of each classify/ stage (one run each, see :func:`stage_costs`).
Best of ``--repeat`` runs each.
"""

from __future__ import annotations

import argparse
import json
import os
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
