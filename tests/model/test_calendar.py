"""Working calendars: when work may start, and what a working-day delay means in hours.

Time 0 is Monday 00:00; the office calendar opens Monday to Friday, 09:00-17:00.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.calendar import DAY, WEEK, WorkingCalendar

OFFICE = WorkingCalendar(["mon", "tue", "wed", "thu", "fri"], 9.0, 17.0)
ALWAYS = WorkingCalendar(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], 0.0, 24.0)
WEEKEND = WorkingCalendar(["sat", "sun"], 10.0, 14.5)
FRI = 4 * DAY


@pytest.mark.parametrize(("t", "open_"), [
    (9.0, True), (8.99, False), (16.99, True), (17.0, False), (FRI + 12, True),
    (5 * DAY + 12, False), (6 * DAY + 12, False), (WEEK + 10, True),
])
def test_office_hours(t: float, open_: bool):
    assert OFFICE.is_open(t) is open_


@pytest.mark.parametrize(("t", "expected"), [
    (0.0, 9.0),                    # Monday night -> Monday 09:00
    (10.0, 10.0),                  # already open
    (17.0, DAY + 9),               # Monday after closing -> Tuesday 09:00
    (FRI + 17, WEEK + 9),          # Friday evening -> next Monday 09:00
    (5 * DAY + 3, WEEK + 9),       # Saturday -> Monday
])
def test_next_open(t: float, expected: float):
    assert OFFICE.next_open(t) == pytest.approx(expected)


@pytest.mark.parametrize(("t", "hours", "expected"), [
    (9.0, 8.0, 17.0),              # one working day fits Monday
    (16.0, 2.0, DAY + 10),         # an hour today, an hour tomorrow
    (FRI + 16, 2.0, WEEK + 10),    # over the weekend
    (0.0, 40.0, FRI + 17),         # a working week
    (0.0, 48.0, WEEK + 17),        # a working week and a day
    (20.0, 0.0, DAY + 9),          # nothing to do, but only once open
])
def test_add_working_hours(t: float, hours: float, expected: float):
    assert OFFICE.add_working_hours(t, hours) == pytest.approx(expected)


def test_open_hours_in_a_week():
    assert OFFICE.hours_per_week == 40
    assert OFFICE.open_hours_between(0, WEEK) == pytest.approx(40)
    assert OFFICE.open_hours_between(10, 12) == pytest.approx(2)
    assert OFFICE.open_hours_between(12, 10) == 0
    assert WEEKEND.open_hours_between(0, 2 * WEEK) == pytest.approx(2 * 2 * 4.5)


def test_always_open_is_plain_time():
    assert ALWAYS.always_open and not OFFICE.always_open
    assert ALWAYS.next_open(123.4) == 123.4
    assert ALWAYS.add_working_hours(5.0, 100.0) == 105.0
    assert ALWAYS.open_hours_between(3, 10) == 7


CALENDARS = st.sampled_from([OFFICE, WEEKEND, ALWAYS,
                             WorkingCalendar(["wed"], 0.0, 24.0),
                             WorkingCalendar(["mon", "thu", "sun"], 7.5, 8.0)])
TIMES = st.floats(min_value=0, max_value=6 * WEEK, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(CALENDARS, TIMES)
def test_next_open_is_the_first_open_moment(cal: WorkingCalendar, t: float):
    nxt = cal.next_open(t)
    assert t <= nxt < t + WEEK
    assert cal.is_open(nxt)
    assert cal.open_hours_between(t, nxt) == pytest.approx(0, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(CALENDARS, TIMES, st.floats(min_value=0, max_value=500, allow_nan=False))
def test_working_hours_are_open_hours(cal: WorkingCalendar, t: float, hours: float):
    """After ``add_working_hours(t, h)``, exactly ``h`` open hours have passed since ``t``."""
    end = cal.add_working_hours(t, hours)
    assert end >= t
    assert cal.open_hours_between(t, end) == pytest.approx(hours, abs=1e-6)
    if hours > 1e-3:  # and no earlier moment would do: the first such moment
        assert cal.open_hours_between(t, end - 1e-4) < hours


@pytest.mark.parametrize("weeks", [1, 2, 3])
def test_whole_weeks_of_work_end_on_friday_evening(weeks: int):
    # 40 working hours from Monday 00:00 end on Friday at 17:00, not on the next Monday.
    assert OFFICE.add_working_hours(0.0, 40.0 * weeks) == pytest.approx(FRI + 17 + (weeks - 1) * WEEK)


@settings(deadline=None)
@given(CALENDARS, TIMES, st.floats(min_value=0, max_value=3 * WEEK, allow_nan=False),
       st.floats(min_value=0, max_value=3 * WEEK, allow_nan=False))
def test_open_hours_add_up(cal: WorkingCalendar, a: float, gap1: float, gap2: float):
    b, c = a + gap1, a + gap1 + gap2
    assert cal.open_hours_between(a, c) == pytest.approx(
        cal.open_hours_between(a, b) + cal.open_hours_between(b, c), abs=1e-6)
