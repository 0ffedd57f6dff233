"""Readers for the sentiment training and dev sets under ``shared/data`` (training time only).

Each reader returns ``(texts, labels)`` with labels 0 negative / 1 neutral / 2 positive, or
``(texts, labels, langs)`` for the multilingual ITSM set and the agents' relabels. A missing
file raises ``FileNotFoundError`` naming it; a malformed line ``ValueError`` with file:line.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

NEG_EMOTIONS = {1, 3, 4, 6}  # anger, disgust, fear, sadness
POS_EMOTIONS = {5, 8}  # joy, trust
LABEL_IDS = {"negative": 0, "neutral": 1, "positive": 2}


def data_dir(path: Path) -> Path:
    """The labelled-data folder for ``path``: the shared checkout's ``data/`` when ``path`` is
    the checkout itself, else ``path`` (called before any reader)."""
    path = Path(path)
    return path / "data" if (path / "data").is_dir() else path


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


def tweeteval_train(data: Path) -> tuple[list[str], list[int]]:
    """TweetEval sentiment train (reconstructed) plus the extra SemEval 2017 tweets."""
    texts, labels = [], []
    with open(data / "train/tweeteval/train_reconstructed.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[2].strip():
                texts.append(_unquote(p[2]))
                labels.append(int(p[1]))
    with open(data / "train/semeval2017_4a/extra_not_in_tweeteval_train_val.tsv",
              encoding="utf-8") as f:
        next(f)
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[1] in LABEL_IDS and p[2].strip():
                texts.append(_unquote(p[2]))
                labels.append(LABEL_IDS[p[1]])
    return texts, labels


def xed_polarity(data: Path, lang: str) -> tuple[list[str], list[int]]:
    """XED subtitles mapped to polarity: anger/disgust/fear/sadness negative, joy/trust
    positive, anticipation/surprise alone neutral (mild, rarely valenced on their own),
    mixed negative+positive dropped; ``neu_fi`` lines are neutral."""
    name = "fi-annotated.tsv" if lang == "fi" else f"{lang}-projections.tsv"
    texts, labels = [], []
    with open(data / "train/xed" / name, encoding="utf-8") as f:
        for line in f:
            text, _, tags = line.rstrip("\n").rpartition("\t")
            emotions = {int(t) for t in tags.split(",") if t.strip().isdigit()}
            neg, pos = bool(emotions & NEG_EMOTIONS), bool(emotions & POS_EMOTIONS)
            if text and emotions and not (neg and pos):
                texts.append(text)
                labels.append(0 if neg else 2 if pos else 1)
    neutral = data / "train/xed" / f"neu_{lang}.txt"
    if neutral.exists():
        with open(neutral, encoding="utf-8") as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                if len(p) > 1 and p[1].strip():
                    texts.append(p[1])
                    labels.append(1)
    return texts, labels


def tweeteval_val(data: Path) -> tuple[list[str], list[int]]:
    with open(data / "tweeteval/val_text.txt", encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f]
    with open(data / "tweeteval/val_labels.txt", encoding="utf-8") as f:
        labels = [int(line) for line in f if line.strip()]
    return texts, labels


def vader_groundtruth(data: Path) -> tuple[list[str], list[int]]:
    """Human mean rating / 4 with the paper's ±0.05 thresholds."""
    texts, labels = [], []
    with open(data / "vader/tweets_GroundTruth.txt", encoding="utf-8", errors="replace") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 3:
                mean = float(p[1]) / 4
                texts.append(p[2])
                labels.append(0 if mean <= -0.05 else 2 if mean >= 0.05 else 1)
    return texts, labels


def dutch_polarity(data: Path) -> tuple[list[str], list[int]]:
    with open(data / "dutch/polarity_dev.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("polarity") in LABEL_IDS]
    return [r["content"] for r in rows], [LABEL_IDS[r["polarity"]] for r in rows]


def itsm_dev(data: Path) -> tuple[list[str], list[int], list[str]]:
    texts, labels, langs = [], [], []
    with open(data / "itsm/dev.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            texts.append(row["text"])
            labels.append(LABEL_IDS[row["labels"]["sentiment"]])
            langs.append(row["lang"])
    return texts, labels, langs


def read_labelled(paths: list[Path], field: str) -> list[tuple[str, str, str]]:
    """(text, lang, label) of every labelled-JSONL line (``webcare relabels export``, the ITSM
    dev format) whose ``labels`` carry ``field``; lines without it are skipped (an agent may
    relabel only the topic). Raises ``ValueError`` naming file and line for a non-object."""
    rows = []
    for path in paths:
        for number, line in enumerate(Path(path).open(encoding="utf-8"), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                label = (row.get("labels") or {}).get(field)
            except (json.JSONDecodeError, AttributeError) as error:
                raise ValueError(f"{path}:{number}: not a JSON object ({error})") from error
            if label and isinstance(row.get("text"), str):
                rows.append((row["text"], row.get("lang") or "und", label))
    return rows


def relabelled_sentiment(paths: list[Path]) -> tuple[list[str], list[int], list[str]]:
    """The sentiment relabels in ``paths`` as (texts, labels, langs); a label outside
    negative/neutral/positive raises ``ValueError`` naming it (nothing is skipped silently)."""
    rows = read_labelled(paths, "sentiment")
    bad = sorted({label for _, _, label in rows if label not in LABEL_IDS}, key=str)
    if bad:
        raise ValueError(f"sentiment labels must be one of {sorted(LABEL_IDS)}, got {bad} in "
                         f"{', '.join(map(str, paths))}")
    return ([text for text, _, _ in rows], [LABEL_IDS[label] for _, _, label in rows],
            [lang for _, lang, _ in rows])
