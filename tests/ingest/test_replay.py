import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.config import ReplayConfig
from ingest.replay import ReplaySource, decode_line


def write(tmp_path, lines):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def test_yields_non_blank_lines_with_line_numbers(tmp_path):
    path = write(tmp_path, [b'{"a": 1}\n', b"\n", b'{"b": 2}\r\n'])
    records = list(ReplaySource(ReplayConfig(path=str(path))).records())
    assert [(r.position, r.payload) for r in records] == [(1, '{"a": 1}'), (3, '{"b": 2}')]


def test_invalid_utf8_becomes_replacement_characters(tmp_path):
    path = write(tmp_path, [b'{"text": "caf\xe9"}\n'])
    (record,) = ReplaySource(ReplayConfig(path=str(path))).records()
    assert record.payload == '{"text": "caf\ufffd"}'


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="replay file not found"):
        list(ReplaySource(ReplayConfig(path=str(tmp_path / "nope.jsonl"))).records())


def test_speed_factor_sleeps_event_time_gaps(tmp_path):
    lines = [json.dumps({"created_at": t}).encode() + b"\n" for t in
             ["2026-11-20T10:00:00Z", "2026-11-20T10:00:30Z", "bad", "2026-11-20T10:01:30"]]
    slept = []
    source = ReplaySource(ReplayConfig(path=str(write(tmp_path, lines)), speed=10),
                          sleep=slept.append)
    assert len(list(source.records())) == 4
    assert slept == [3.0, 6.0]


def test_default_speed_never_sleeps(tmp_path):
    lines = [json.dumps({"created_at": "2026-11-20T10:00:00Z"}).encode() + b"\n",
             json.dumps({"created_at": "2026-11-21T10:00:00Z"}).encode() + b"\n"]
    slept = []
    list(ReplaySource(ReplayConfig(path=str(write(tmp_path, lines))), sleep=slept.append)
         .records())
    assert slept == []


@given(st.binary(max_size=300))
def test_decode_line_never_fails(raw):
    assert isinstance(decode_line(raw), str)
