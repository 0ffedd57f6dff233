"""Event-time order for the Kafka sink stage: a watermark with allowed lateness per partition.

Decisions reach the sink partition by partition in the order the classify and route replicas
produced them, so one brand's posts arrive out of event-time order (partition skew). The sink
handler (:class:`bus.stages.SinkHandler`) puts each decision of a partition into its
:class:`EventOrder` and hands the correlator what :meth:`EventOrder.ready` releases, oldest
event time first. The watermark is the newest event time seen minus ``allowed_lateness_s``,
and also moves up to the event time of anything held for ``max_hold_s`` of wall-clock time
(a quiet partition, the end of a replay), so nothing waits longer than that. A decision older
than the watermark when it arrives is released at once (the correlator takes it as a late
post). Pure apart from the clock; offsets are kept so the worker commits nothing still held.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class EventOrder(Generic[T]):
    """Held items of one partition, released in event-time order as the watermark passes."""

    def __init__(self, allowed_lateness_s: float, max_hold_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.allowed_lateness_s, self.max_hold_s = allowed_lateness_s, max_hold_s
        self._clock = clock
        self._heap: list[tuple[float, int, T]] = []  # (event time, offset, item)
        self._arrivals: deque[tuple[float, float]] = deque()  # (clock, event time)
        self._offsets: set[int] = set()
        self._newest = float("-inf")
        self.watermark = float("-inf")

    def add(self, offset: int, event_time: float, item: T) -> None:
        """Hold one record's item; a record already held (a rewound batch) is ignored."""
        if offset in self._offsets:
            return
        heapq.heappush(self._heap, (event_time, offset, item))
        self._offsets.add(offset)
        self._arrivals.append((self._clock(), event_time))
        self._newest = max(self._newest, event_time)

    def ready(self) -> list[T]:
        """Advance the watermark and release what it passed, oldest event time first."""
        mark = self._newest - self.allowed_lateness_s
        expired = self._clock() - self.max_hold_s
        while self._arrivals and self._arrivals[0][0] <= expired:
            mark = max(mark, self._arrivals.popleft()[1])
        self.watermark = max(self.watermark, mark)
        released = []
        while self._heap and self._heap[0][0] <= self.watermark:
            _, offset, item = heapq.heappop(self._heap)
            self._offsets.discard(offset)
            released.append(item)
        return released

    def lowest_offset(self) -> int | None:
        """The first offset still held (the most a commit may cover), None if none is held."""
        return min(self._offsets, default=None)

    def __len__(self) -> int:
        return len(self._heap)
