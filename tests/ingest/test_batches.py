"""Time-bounded batches (ingest.batches.MultiSource) from sources that block between records."""

from __future__ import annotations

import threading
import time

import pytest

from ingest.batches import MultiSource
from schemas.errors import AuthFailed
from schemas.protocols import RawRecord

PATIENCE_S = 60.0  # generous: these are waits until something happens, never a threshold


class Blocking:
    """Yields its payloads, then blocks like a live source between posts: until ``close()``,
    or for ever when ``closable`` is False (a replay of a pipe nobody writes to)."""

    def __init__(self, name: str, payloads: list[str], closable: bool = True) -> None:
        self.name, self.payloads = name, payloads
        self.released, self.all_read = threading.Event(), threading.Event()
        self.checkpoints: list[int] = []
        if closable:
            self.close = self.released.set

    def records(self):
        for number, payload in enumerate(self.payloads, start=1):
            yield RawRecord(payload, self.name, number)
        self.all_read.set()  # the last record was taken from this source
        self.released.wait()

    def checkpoint(self, position: int) -> None:
        self.checkpoints.append(position)


class Failing:
    name = "failing"

    def records(self):
        raise AuthFailed("token rejected")
        yield  # pragma: no cover - makes this a generator

    def checkpoint(self, position: int) -> None:
        pass


def take(batches, count: int, stop: threading.Event | None = None) -> list:
    """Non-empty batches until ``count`` records came (or PATIENCE_S); then set ``stop``."""
    found, deadline = [], time.monotonic() + PATIENCE_S
    for batch in batches:
        if batch.records:
            found.append(batch)
        if sum(len(b.records) for b in found) >= count or time.monotonic() > deadline:
            break
    if stop is not None:
        stop.set()
    return found


def payloads(batches) -> list[str]:
    return [record.payload for batch in batches for record in batch.records]


def test_records_of_a_blocking_source_are_handed_out_while_it_blocks():
    source, stop = Blocking("live", ["a", "b", "c"]), threading.Event()
    batches = MultiSource([source]).batches(size=100, max_wait=0.05, stop=stop)
    found = take(batches, 3, stop)
    assert payloads(found) == ["a", "b", "c"]
    assert not source.released.is_set()  # still blocked: the batch did not wait for its end
    assert list(batches) == [] and source.released.is_set()  # stop closed it


def test_batch_size_caps_every_batch_and_full_batches_do_not_wait():
    stop = threading.Event()
    batches = MultiSource([Blocking("live", [str(n) for n in range(10)])]).batches(
        size=4, max_wait=3600.0, stop=stop)
    found = take(batches, 8, stop)  # two full batches, long before max_wait
    found += list(batches)  # the stop hands out the partial third
    assert [len(batch.records) for batch in found] == [4, 4, 2]
    assert payloads(found) == [str(n) for n in range(10)]


def test_a_silent_source_still_gives_the_consumer_control():
    stop = threading.Event()
    batches = MultiSource([Blocking("silent", [])]).batches(size=10, max_wait=0.01, stop=stop)
    assert next(batches).records == [] and next(batches).records == []  # heartbeats
    stop.set()
    assert list(batches) == []


def test_a_stop_hands_out_what_was_read_even_from_a_source_that_never_returns():
    source, stop = Blocking("pipe", ["x", "y"], closable=False), threading.Event()
    batches = MultiSource([source]).batches(size=1, max_wait=3600.0, stop=stop)
    first = next(batches)
    assert source.all_read.wait(PATIENCE_S)  # "y" read ahead while the consumer was busy
    stop.set()
    assert payloads([first, *batches]) == ["x", "y"]


def test_positions_are_merged_and_checkpoints_fan_out():
    first, second = Blocking("a", ["a1", "a2"]), Blocking("b", ["b1", "b2", "b3"])
    merged, stop = MultiSource([first, second]), threading.Event()
    found = take(merged.batches(size=100, max_wait=0.05, stop=stop), 5, stop)
    records = [record for batch in found for record in batch.records]
    assert [record.position for record in records] == [1, 2, 3, 4, 5]
    assert all(len(batch.read_at) == len(batch.records) for batch in found)
    merged.checkpoint(5)
    assert first.checkpoints == [2] and second.checkpoints == [3]


def test_a_single_source_keeps_its_own_positions():
    source, stop = Blocking("replay", ["1", "2", "3"]), threading.Event()
    found = take(MultiSource([source]).batches(size=100, max_wait=0.05, stop=stop), 3, stop)
    assert [r.position for b in found for r in b.records] == [1, 2, 3]


def test_a_failing_source_stops_alone_and_is_raised_at_the_end():
    merged = MultiSource([Failing(), Blocking("ok", ["p"], closable=False)])
    batches = merged.batches(size=100, max_wait=0.05)
    found = take(batches, 1)
    assert payloads(found) == ["p"]
    merged.sources[1].released.set()  # the healthy source ends
    with pytest.raises(AuthFailed):
        list(batches)
