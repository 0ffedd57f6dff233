"""``webcare simulate``: a realistic stream of posts with known outages (the ground truth).

Called by the CLI and by ``benchmarks/outage_detection.py``. Background volume follows a
diurnal curve (quiet nights, busy evenings) across several brands and three languages, with
ordinary complaints, questions, praise and off-topic mentions; K outages of varying size and
shape (sudden, slow-building, plateau; 50 to 1,200 posts) are laid on top, never two at once
for one brand. Deterministic for a given seed. Writes Post JSON lines; the truth is a list of
:class:`Outage` records. Raises ValueError on impossible arguments.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

from route.baseline import DIURNAL
from webcare.lab.simulate_texts import BACKGROUND, BRANDS, CITIES, OUTAGE, PREFIX, SUFFIX

START = datetime(2026, 11, 16, tzinfo=timezone.utc)  # a Monday
LANGS = (("en", 0.5), ("nl", 0.35), ("fi", 0.15))
SHAPES = ("sudden", "plateau", "sudden", "slow")  # failures are mostly sudden


@dataclass(frozen=True)
class Outage:
    """One simulated outage: who, when (event time), how many posts and what shape."""

    id: str
    brand: str
    start: datetime
    end: datetime
    posts: int
    shape: str

    def to_json(self) -> dict:
        data = asdict(self)
        data.update(start=self.start.isoformat(), end=self.end.isoformat())
        return data


def plan_outages(rng: random.Random, days: int, count: int) -> list[Outage]:
    """K outages spread over the days (one per 4-hour slot); the first is the hard case of
    issue 5 (50 posts slowly building over 25 minutes), the second has 1,200 posts."""
    if days < 1 or count < 0 or count > days * 6:
        raise ValueError("need days ≥ 1 and 0 ≤ outages ≤ 6 per day")
    slots = rng.sample(range(days * 6), count)  # 4-hour slots
    sizes = [50, 1200, 120, 300, 80, 600, 200]
    out = []
    for i, slot in enumerate(sorted(slots)):
        size = sizes[i % len(sizes)] if i < len(sizes) else rng.randint(50, 800)
        shape = "slow" if size == 50 else SHAPES[i % len(SHAPES)]
        minutes = 25 if size == 50 else rng.randint(40, 150)
        start = START + timedelta(hours=slot * 4 + rng.uniform(0.2, 2.0))
        out.append(Outage(f"outage-{i + 1}", rng.choice(sorted(BRANDS)), start,
                          start + timedelta(minutes=minutes), size, shape))
    return out


def _outage_times(rng: random.Random, outage: Outage) -> list[datetime]:
    """Post times: sudden = fast rise then decay, slow = linear ramp, plateau = uniform."""
    span = (outage.end - outage.start).total_seconds()
    if outage.shape == "sudden":
        fractions = [min(rng.expovariate(4.0), 1.0) for _ in range(outage.posts)]
    elif outage.shape == "slow":
        fractions = [rng.triangular(0, 1, 1) for _ in range(outage.posts)]
    else:
        fractions = [rng.random() for _ in range(outage.posts)]
    return [outage.start + timedelta(seconds=f * span) for f in fractions]


def _text(rng: random.Random, parts: dict, brand: str, lang: str) -> str:
    aliases, handle, service = BRANDS[brand]
    values = dict(b=rng.choice(aliases), h=handle, s=service[lang], c=rng.choice(CITIES),
                  m=rng.choice([5, 10, 15, 20, 30, 45, 60, 90]))
    words = [rng.choice(parts[name]).format(**values) for name in ("open", "body", "close")]
    return " ".join(word for word in words if word)


def _lang(rng: random.Random) -> str:
    return rng.choices([name for name, _ in LANGS], [weight for _, weight in LANGS])[0]


def _background(rng: random.Random, days: int, per_day: int) -> Iterator[tuple[datetime, str, str]]:
    """(time, text, lang) of ordinary traffic: a Poisson-like diurnal stream."""
    weights = [w / sum(DIURNAL) for w in DIURNAL]
    kinds = (("complaint", 0.45), ("question", 0.2), ("praise", 0.15), ("offtopic", 0.2))
    for day in range(days):
        for hour in range(24):
            n = int(rng.gauss(per_day * weights[hour], (per_day * weights[hour]) ** 0.5) + 0.5)
            for _ in range(max(n, 0)):
                at = START + timedelta(days=day, hours=hour, seconds=rng.uniform(0, 3600))
                kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
                lang = _lang(rng)
                texts = BACKGROUND[kind].get(lang) or BACKGROUND[kind]["en"]
                brand = rng.choice(sorted(BRANDS))
                aliases, handle, service = BRANDS[brand]
                template = " ".join((rng.choice(PREFIX), rng.choice(texts), rng.choice(SUFFIX)))
                text = template.strip().format(
                    b=rng.choice(aliases), h=handle, s=service[lang], c=rng.choice(CITIES),
                    m=rng.choice([5, 10, 20, 40]))
                yield at, text, lang


def simulate(days: int, outages: int, seed: int,
             per_day: int = 1500) -> tuple[list[dict], list[Outage]]:
    """The posts (Post JSON dicts, in event-time order) and the outages behind them."""
    rng = random.Random(seed)
    plan = plan_outages(rng, days, outages)
    rows = [(at, text, lang, "bg") for at, text, lang in _background(rng, days, per_day)]
    for outage in plan:
        for at in _outage_times(rng, outage):
            lang = _lang(rng)
            rows.append((at, _text(rng, OUTAGE[lang], outage.brand, lang), lang, outage.id))
    rows.sort(key=lambda row: row[0])
    platforms = ("x", "x", "x", "bluesky", "mastodon", "reddit", "facebook")
    posts = []
    for n, (at, text, lang, origin) in enumerate(rows):
        author = f"@sim{rng.randrange(200_000)}"
        posts.append({"id": f"sim-{seed}-{n}", "platform": rng.choice(platforms), "text": text,
                      "created_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "lang": lang,
                      "author": {"handle": author, "followers": int(rng.paretovariate(1.2) * 50)},
                      "sim_origin": origin})
    return posts, plan
