"""Small, dependency-free SVG charts (served to the dashboard, written as files by the report).

Every label is XML-escaped; nothing here executes (no script, no external references).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
SENTIMENT_COLOURS = {"negative": "#d62728", "neutral": "#9e9e9e", "positive": "#2ca02c"}
W, H, LEFT, RIGHT, TOP, BOTTOM = 720, 300, 48, 150, 30, 40


def _frame(title: str, body: list[str], height: int = H) -> str:
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" '
        f'viewBox="0 0 {W} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{W}" height="{height}" fill="#fff"/>',
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
        *body, "</svg>"])


def _axes(buckets: list[str], peak: float) -> list[str]:
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    out = [f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" '
           f'stroke="#333"/>',
           f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{H - BOTTOM}" stroke="#333"/>']
    for frac in (0, 0.5, 1):
        y = H - BOTTOM - frac * plot_h
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.0f}" text-anchor="end">'
                   f'{peak * frac:.0f}</text>')
    step = max(1, len(buckets) // 8)
    for i in range(0, len(buckets), step):
        x = LEFT + (i + 0.5) * plot_w / max(1, len(buckets))
        out.append(f'<text x="{x:.0f}" y="{H - BOTTOM + 16}" text-anchor="middle">'
                   f'{escape(_short(buckets[i]))}</text>')
    return out


def _short(bucket: str) -> str:
    """``2026-11-20T13:00Z`` → ``20 13h``."""
    return f"{bucket[8:10]} {bucket[11:13]}h" if len(bucket) >= 13 else bucket


def _spans(buckets: list[str], spans: list[tuple[str, str, str]]) -> list[str]:
    """Shaded incident periods (first_seen..last_seen) with their key as a tooltip."""
    plot_w, out = W - LEFT - RIGHT, []
    if not buckets:
        return out
    width = plot_w / len(buckets)
    for start, end, label in spans:
        first = next((i for i, b in enumerate(buckets) if b[:13] >= start[:13]), None)
        last = max((i for i, b in enumerate(buckets) if b[:13] <= end[:13]), default=None)
        if first is None or last is None or last < first:
            continue
        x = LEFT + first * width
        out.append(f'<rect x="{x:.1f}" y="{TOP}" width="{(last - first + 1) * width:.1f}" '
                   f'height="{H - TOP - BOTTOM}" fill="#ffcc00" fill-opacity="0.25">'
                   f'<title>{escape(label)}</title></rect>')
    return out


def _legend(names: list[str], colours: list[str]) -> list[str]:
    out = []
    for n, (name, colour) in enumerate(zip(names, colours)):
        y = TOP + 14 * n
        out.append(f'<rect x="{W - RIGHT + 10}" y="{y}" width="10" height="10" '
                   f'fill="{colour}"/><text x="{W - RIGHT + 24}" y="{y + 9}">'
                   f'{escape(name[:20])}</text>')
    return out


def lines(title: str, buckets: list[str], series: dict[str, list[float]],
          spans: list[tuple[str, str, str]] = (), top: int = 8) -> str:
    names = list(series)[:top]
    peak = max([max(series[n], default=0) for n in names] + [1])
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    body = _spans(buckets, list(spans)) + _axes(buckets, peak)
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    for name, colour in zip(names, colours):
        points = " ".join(f"{LEFT + (i + 0.5) * plot_w / max(1, len(buckets)):.1f},"
                          f"{H - BOTTOM - v / peak * plot_h:.1f}"
                          for i, v in enumerate(series[name]))
        body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{points}"/>')
    return _frame(title, body + _legend(names, colours))


def stacked(title: str, buckets: list[str], series: dict[str, list[float]],
            spans: list[tuple[str, str, str]] = ()) -> str:
    names = list(series)
    totals = [sum(series[n][i] for n in names) for i in range(len(buckets))]
    peak = max(totals + [1])
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    width = plot_w / max(1, len(buckets))
    body = _spans(buckets, list(spans)) + _axes(buckets, peak)
    colours = [SENTIMENT_COLOURS.get(n, PALETTE[i % 10]) for i, n in enumerate(names)]
    for i in range(len(buckets)):
        y = H - BOTTOM
        for name, colour in zip(names, colours):
            h = series[name][i] / peak * plot_h
            y -= h
            body.append(f'<rect x="{LEFT + i * width + 1:.1f}" y="{y:.1f}" '
                        f'width="{max(width - 2, 1):.1f}" height="{h:.1f}" fill="{colour}"/>')
    return _frame(title, body + _legend(names, colours))


def bars(title: str, pairs: list[tuple[str, float]], colour: str = "#d62728") -> str:
    height = TOP + 22 * max(1, len(pairs)) + 10
    peak = max([v for _, v in pairs] + [1])
    body = []
    for n, (name, value) in enumerate(pairs):
        y = TOP + 22 * n
        body.append(f'<text x="{LEFT + 110}" y="{y + 14}" text-anchor="end">'
                    f'{escape(str(name)[:24])}</text>'
                    f'<rect x="{LEFT + 116}" y="{y + 3}" height="14" fill="{colour}" '
                    f'width="{value / peak * (W - LEFT - 220):.1f}"/>'
                    f'<text x="{LEFT + 122 + value / peak * (W - LEFT - 220):.0f}" '
                    f'y="{y + 14}">{value:g}</text>')
    return _frame(title, body, height)
