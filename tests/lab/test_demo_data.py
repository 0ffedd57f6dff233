"""The demo day (webcare/demo/day.jsonl) is valid Post JSON and reproducible from its script."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from schemas import Post

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "webcare" / "demo"
DAY_FILE = DEMO / "day.jsonl"
SCRIPT = ROOT / "webcare" / "lab" / "make_day.py"
BURST_START = datetime(2026, 11, 20, 18, 40, tzinfo=timezone.utc)
BURST_END = datetime(2026, 11, 20, 20, 30, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return DAY_FILE.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def posts(lines) -> list[Post]:
    return [Post.model_validate_json(line) for line in lines]


def test_every_line_is_a_post(lines, posts):
    assert 300 <= len(lines) <= 450
    assert len(posts) == len(lines)
    for line in lines:
        json.loads(line)  # also plain JSON, one object per line


def test_ids_unique_and_sorted(posts):
    ids = [p.id for p in posts]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("demo-") for i in ids)
    times = [p.created_at for p in posts]
    assert times == sorted(times)
    assert all(t.date().isoformat() == "2026-11-20" for t in times)


def test_references_point_to_earlier_posts(posts):
    seen: set[str] = set()
    for p in posts:
        for ref in (p.reply_to_id, p.conversation_id, p.reposted_id):
            assert ref is None or ref in seen, f"{p.id} refers to {ref}"
        seen.add(p.id)


def test_burst_window(posts):
    in_burst = [p for p in posts if BURST_START <= p.created_at < BURST_END]
    assert len(in_burst) >= 60
    assert len({p.author.handle for p in in_burst}) >= 50
    assert {"x", "reddit"} <= {p.platform for p in in_burst}
    assert any(p.author.handle == "@LumenStatus" and "Resolved" in p.text for p in in_burst)


def test_languages_and_platforms(posts):
    langs = Counter(p.lang for p in posts)
    assert {"en", "nl", "fi"} <= set(langs)
    assert langs[None] > 0  # some platforms give no language hint
    assert {p.platform for p in posts} == {"x", "reddit", "mastodon", "bluesky", "facebook"}


def test_noise_and_special_authors(posts):
    assert any(p.reposted_id and p.text.startswith("RT @") for p in posts)
    assert any(p.author.verified and p.author.followers >= 50_000 for p in posts)
    per_author = Counter(p.author.handle for p in posts if p.author.handle != "@LumenCare")
    assert "@priya_in_haarlem" in per_author and per_author["@priya_in_haarlem"] >= 3


def test_script_regenerates_file_byte_for_byte():
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, cwd=ROOT, timeout=120, check=True)
    assert result.stdout == DAY_FILE.read_bytes()
