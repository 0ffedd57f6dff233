"""``webcare report --from --to``: the dashboard as a static HTML file with the charts as SVG
images next to it, plus CSV exports of every table behind them."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from schemas.plumbing.spreadsheet import spreadsheet_safe
from sinks.store.app_store import AppStore
from webcare.app.config import AppConfig
from webcare.app.dashboard import figures
from webcare.app.security import neutralise

HERE = Path(__file__).parent


def write_report(app: AppStore, config: AppConfig, out: Path, start: datetime | None,
                 end: datetime | None, by: str = "topic", desk=None) -> list[Path]:
    """Write ``index.html``, ``*.svg`` and ``*.csv`` into ``out``; returns the files
    (``desk``: the SLA clock of :mod:`webcare.desk.sla`, for the response-time figures)."""
    out.mkdir(parents=True, exist_ok=True)
    found = figures(app, config, start, end, by, desk)
    written = []
    for name, svg in found["charts"].items():
        path = out / f"{name}.svg"
        path.write_text(svg, "utf-8")
        written.append(path)
    series = found["series"]
    written.append(_csv(out / "volume.csv", ["hour", by, "posts"], [
        (b, key, values[i]) for key, values in series["volume"].items()
        for i, b in enumerate(series["buckets"])]))
    written.append(_csv(out / "sentiment.csv", ["hour", "negative", "neutral", "positive",
                                                "mean_compound"], [
        (b, *(series["sentiment"][k][i] for k in ("negative", "neutral", "positive")),
         series["mean_compound"][i]) for i, b in enumerate(series["buckets"])]))
    written.append(_csv(out / "incidents.csv", list(found["incidents"][0]) if found["incidents"]
                        else ["incident_key"], [tuple(i.values()) for i in found["incidents"]]))
    written.append(_csv(out / "response_times.csv", ["post_id", "urgency", "status",
                                                     "created_at", "first_reply",
                                                     "sla_breached"],
                        [tuple(i.values()) for i in found["response"]["items"]]))
    written.append(_csv(out / "negative_themes.csv", ["kind", "value", "posts"],
                        [("topic", k, v) for k, v in found["themes"]["topics"]] +
                        [("word", k, v) for k, v in found["themes"]["words"]]))
    written += _engagement_csvs(out, series["buckets"], found["engagement"])
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
    env.filters["inert"] = neutralise
    html = env.get_template("report.html").render(f=found, files=[p.name for p in written])
    index = out / "index.html"
    index.write_text(html, "utf-8")
    return [index, *written]


def _engagement_csvs(out: Path, buckets: list[str], found: dict) -> list[Path]:
    """Engagement per hour by sentiment with reach, per topic/platform, and the top posts."""
    hourly = found["hourly"]
    top = ["post_id", "platform", "topic", "sentiment", "compound", "author_handle",
           "created_at", "followers", "likes", "shares", "replies", "quotes", "engagement",
           "url", "text"]
    per = ["posts", "reach", "likes", "shares", "replies", "quotes", "engagement",
           "negative_share"]
    return [
        _csv(out / "engagement_hourly.csv", ["hour", "negative", "neutral", "positive", "reach"],
             [(b, *(hourly["by_sentiment"][k][i] for k in ("negative", "neutral", "positive")),
               hourly["total_reach"][i]) for i, b in enumerate(buckets)]),
        _csv(out / "engagement_by.csv", ["dimension", "value", *per],
             [(dim, r["value"], *(r[k] for k in per))
              for dim, rows in found["per"].items() for r in rows]),
        _csv(out / "top_posts.csv", top, [tuple(t[k] for k in top) for t in found["top_posts"]]),
    ]


def _csv(path: Path, header: list[str], rows: list[tuple]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    return path
