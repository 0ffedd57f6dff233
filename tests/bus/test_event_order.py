"""The sink's event-time order (bus.event_order): watermark, allowed lateness, hold limit."""

from __future__ import annotations

from bus.event_order import EventOrder


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_skewed_records_come_out_in_event_time_order_once_the_watermark_passes():
    order = EventOrder(allowed_lateness_s=60, max_hold_s=10, clock=Clock())
    for offset, at in enumerate([100, 130, 10, 40, 160, 70]):  # two partitions' worth, skewed
        order.add(offset, at, at)
    assert order.ready() == [10, 40, 70, 100]  # newest 160 - 60: up to 100
    assert order.lowest_offset() == 1 and len(order) == 2
    order.add(6, 20, 20)  # older than the watermark: out at once, for the correlator as late
    assert order.ready() == [20]


def test_nothing_waits_longer_than_the_hold_on_a_quiet_partition():
    clock = Clock()
    order = EventOrder(allowed_lateness_s=3600, max_hold_s=2, clock=clock)
    order.add(0, 500, "a")
    clock.now = 1.0
    order.add(1, 400, "b")
    assert order.ready() == []
    clock.now = 2.0  # "a" held 2 s: the watermark moves to its event time, "b" goes first
    assert order.ready() == ["b", "a"] and order.lowest_offset() is None


def test_a_record_delivered_again_while_held_is_held_once():
    order = EventOrder(allowed_lateness_s=0, max_hold_s=10, clock=Clock())
    order.add(5, 100, "x")
    order.add(5, 100, "x")  # a rewound batch
    assert len(order) == 1 and order.ready() == ["x"]
