"""Business-time arithmetic (webcare/desk/clock.py): properties over random moments and
amounts, DST changes in Europe/Amsterdam and Europe/Helsinki, holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webcare.desk.clock import BusinessCalendar, NoBusinessTime

UTC = timezone.utc
AMS, HEL = ZoneInfo("Europe/Amsterdam"), ZoneInfo("Europe/Helsinki")


def office(zone: str, **extra) -> BusinessCalendar:
    return BusinessCalendar(zone, {"mon-fri": ["08:30-12:00", "13:00-17:30"],
                                   "sat": ["10:00-14:00"]}, **extra)


# spanning DST changes: 2026-03-29 (forward) and 2026-10-25 (back) in both zones
moments = st.datetimes(min_value=datetime(2026, 3, 20), max_value=datetime(2026, 11, 5),
                       timezones=st.just(UTC))
amounts = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=120))
calendars = st.sampled_from([
    office("Europe/Amsterdam", country="NL", dates=[date(2026, 4, 1)]),
    office("Europe/Helsinki", country="FI"),
    BusinessCalendar("Europe/Amsterdam", {"daily": ["01:00-04:00", "22:00-24:00"]}),
    BusinessCalendar("Europe/Helsinki", {"sun": ["00:00-24:00"], "mon": ["02:30-03:30"]}),
    BusinessCalendar("UTC"),
])


@settings(max_examples=300, deadline=None)
@given(calendars, moments, amounts)
def test_adding_then_measuring_round_trips(cal, start, amount):
    due = cal.add(start, amount)
    assert due >= start
    assert cal.between(start, due) == amount
    assert cal.between(due, start) == -amount


@settings(max_examples=200, deadline=None)
@given(calendars, moments, moments)
def test_measuring_is_additive_and_never_more_than_real_time(cal, a, b):
    a, b = min(a, b), max(a, b)
    mid = a + (b - a) / 2
    total = cal.between(a, b)
    assert timedelta(0) <= total <= b - a
    assert total == cal.between(a, mid) + cal.between(mid, b)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(calendars, moments, st.timedeltas(min_value=timedelta(seconds=1),
                                         max_value=timedelta(hours=30)))
def test_never_counts_outside_hours(cal, t, span):
    """A closed stretch counts nothing; business time starts only at the next opening; a due
    time of a positive amount lies inside open time."""
    opens = cal.next_open(t)
    if opens >= t + span:
        assert cal.between(t, t + span) == timedelta(0)
    else:
        assert cal.between(t, t + span) == cal.between(opens, t + span)
        assert cal.is_open(opens)
    due = cal.add(t, span)
    assert cal.is_open(due - timedelta(microseconds=1))


@settings(max_examples=150, deadline=None)
@given(moments, amounts)
def test_holidays_and_weekends_count_nothing(start, amount):
    cal = office("Europe/Amsterdam", country="NL")
    king = datetime(2026, 4, 27, 0, 0, tzinfo=AMS)  # King's Day, a Monday
    assert cal.between(king, king + timedelta(days=1)) == timedelta(0)
    sunday = datetime(2026, 5, 3, tzinfo=AMS)
    assert cal.between(sunday, sunday + timedelta(days=1)) == timedelta(0)
    due = cal.add(start, amount)
    if amount:
        local = (due - timedelta(microseconds=1)).astimezone(AMS)
        assert local.date() not in (date(2026, 4, 27), date(2026, 12, 25))
        assert local.weekday() != 6


@pytest.mark.parametrize("zone,forward,back", [
    (AMS, date(2026, 3, 29), date(2026, 10, 25)),
    (HEL, date(2026, 3, 29), date(2026, 10, 25)),
])
def test_dst_days_have_real_lengths(zone, forward, back):
    """Opening hours that span the change count the real elapsed time: 23 h, then 25 h."""
    cal = BusinessCalendar(zone.key, {"daily": ["00:00-24:00"]}, dates=[date(2026, 1, 2)])
    assert not cal.always
    start = datetime.combine(forward, datetime.min.time(), zone)
    end = datetime.combine(forward + timedelta(days=1), datetime.min.time(), zone)
    assert cal.between(start, end) == timedelta(hours=23)
    start = datetime.combine(back, datetime.min.time(), zone)
    end = datetime.combine(back + timedelta(days=1), datetime.min.time(), zone)
    assert cal.between(start, end) == timedelta(hours=25)
    # nine office hours on the Friday before and the Monday after each change
    office_cal = BusinessCalendar(zone.key, {"mon-fri": ["08:00-17:00"]})
    friday = datetime(2026, 3, 27, 16, 0, tzinfo=zone)
    due = office_cal.add(friday, timedelta(hours=2))
    assert due == datetime(2026, 3, 30, 9, 0, tzinfo=zone)  # 1 h Friday + 1 h Monday
    assert due.astimezone(UTC).utcoffset() == timedelta(0)


def test_due_time_pauses_overnight_and_over_the_weekend():
    cal = office("Europe/Amsterdam")
    friday = datetime(2026, 11, 20, 17, 0, tzinfo=AMS)
    due = cal.add(friday, timedelta(minutes=60))
    # 30 min Friday, then Saturday 10:00 + 30 min
    assert due == datetime(2026, 11, 21, 10, 30, tzinfo=AMS)
    assert not cal.is_open(datetime(2026, 11, 20, 12, 30, tzinfo=AMS))  # lunch
    assert cal.next_open(datetime(2026, 11, 20, 12, 30, tzinfo=AMS)) == \
        datetime(2026, 11, 20, 13, 0, tzinfo=AMS)


def test_always_open_is_plain_arithmetic():
    cal = BusinessCalendar()
    t = datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert cal.always and cal.add(t, timedelta(minutes=15)) == t + timedelta(minutes=15)


def test_no_business_time_at_all_is_an_error():
    cal = BusinessCalendar("UTC", {"mon": ["09:00-10:00"]},
                           dates=[date(2026, 1, 5) + timedelta(weeks=w) for w in range(200)])
    with pytest.raises(NoBusinessTime):
        cal.add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=1000))


@settings(max_examples=200, deadline=None)
@given(calendars, moments, amounts)
def test_going_back_measures_the_same(cal, end, amount):
    start = cal.add(end, -amount)
    assert start <= end and cal.between(start, end) == amount
