"""Working calendars: when a department's staff may start work, and working-day delays.

Time is hours since the run starts, on a Monday at 00:00. A calendar opens on the listed weekdays
from ``open`` to ``close``. Work cannot start while it is closed; work begun may finish.
"""

from __future__ import annotations

import math

from sim.scenario.schema import UNLIMITED_OVERTIME

DAY = 24.0
WEEK = 7 * DAY
_DAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


class WorkingCalendar:
    """Opening hours that repeat every week."""

    def __init__(self, days: list[str], open_at: float, close_at: float,
                 overtime: float = math.inf):
        self.days = frozenset(_DAY_INDEX[d] for d in days)
        self.overtime = float(overtime)   # hours of work allowed past closing time
        self.open_at = float(open_at)
        self.close_at = float(close_at)
        self.always_open = len(self.days) == 7 and self.open_at == 0 and self.close_at >= DAY
        self.hours_per_day = self.close_at - self.open_at
        self.hours_per_week = self.hours_per_day * len(self.days)

    @classmethod
    def from_config(cls, config) -> WorkingCalendar:
        unlimited = config.overtime >= UNLIMITED_OVERTIME
        return cls(config.days, config.open, config.close,
                   math.inf if unlimited else config.overtime)

    def is_open(self, t: float) -> bool:
        if self.always_open:
            return True
        day = int(t // DAY)
        return day % 7 in self.days and self.open_at <= t - day * DAY < self.close_at

    def next_open(self, t: float) -> float:
        """The first moment at or after ``t`` when the calendar is open."""
        if self.always_open or self.is_open(t):
            return t
        day = int(t // DAY)
        for ahead in range(8):
            d = day + ahead
            start = d * DAY + self.open_at
            if d % 7 in self.days and start >= t:
                return start
        raise AssertionError("a calendar with at least one open day opens within a week")

    def add_working_hours(self, t: float, hours: float) -> float:
        """The moment when ``hours`` of open time have passed after ``t``."""
        if self.always_open:
            return t + hours
        whole_weeks = int(hours // self.hours_per_week)
        if whole_weeks and hours == whole_weeks * self.hours_per_week:
            whole_weeks -= 1  # exactly N weeks of work end at a closing time, not after it
        t += whole_weeks * WEEK
        hours -= whole_weeks * self.hours_per_week
        t = self.next_open(t)
        while True:
            day_start = (t // DAY) * DAY
            left_today = day_start + self.close_at - t
            if hours <= left_today:
                return t + hours
            hours -= left_today
            t = self.next_open(day_start + self.close_at)

    def work_end(self, start: float, hours: float) -> float:
        """When ``hours`` of work begun at ``start`` are done.

        Work goes on while the calendar is open and for up to ``overtime`` hours past closing
        time; what is left then waits for the next opening. Work that would begin while the
        calendar is closed begins when it opens.
        """
        if self.always_open or self.overtime == math.inf:
            return start + hours
        t, left = start, hours
        while True:
            if not self.is_open(t):
                t = self.next_open(t)
            stop = (t // DAY) * DAY + self.close_at + self.overtime
            if t + left <= stop:
                return t + left
            left -= stop - t
            t = self.next_open(stop)

    def work_segments(self, start: float, end: float) -> list[tuple[float, float]]:
        """The spans of [start, end) in which a job begun at ``start`` is really being worked
        on, by the rule of ``work_end`` (without the nights it waits for the next opening)."""
        if self.always_open or self.overtime == math.inf:
            return [(start, end)] if end > start else []
        spans, t = [], start
        while t < end:
            if not self.is_open(t):
                t = self.next_open(t)
                if t >= end:
                    break
            stop = min(end, (t // DAY) * DAY + self.close_at + self.overtime)
            spans.append((t, stop))
            t = stop if stop >= end else self.next_open(stop)
        return spans

    def open_hours_between(self, start: float, end: float) -> float:
        """Open hours in [start, end): the time staff of this calendar can be at work."""
        if end <= start:
            return 0.0
        if self.always_open:
            return end - start
        total = 0.0
        day = int(start // DAY)
        while day * DAY < end:
            if day % 7 in self.days:
                lo = max(start, day * DAY + self.open_at)
                hi = min(end, day * DAY + self.close_at)
                total += max(0.0, hi - lo)
            day += 1
        return total


class OffHours:
    """The hours when ``office`` is closed: the on-call staff's calendar.

    On-call staff are the department's own people, on call outside office hours; their pool's
    open hours are the office's closed hours, so its utilisation is busy / on-call hours.
    """

    always_open = False
    overtime = math.inf   # a call-out is finished, however long it takes

    def __init__(self, office):
        self.office = office

    def work_end(self, start: float, hours: float) -> float:
        return start + hours

    def work_segments(self, start: float, end: float) -> list[tuple[float, float]]:
        return [(start, end)] if end > start else []

    def is_open(self, t: float) -> bool:
        return not self.office.is_open(t)

    def next_open(self, t: float) -> float:
        if not self.office.is_open(t):
            return t
        day = (t // 24.0) * 24.0
        return day + self.office.close_at

    def open_hours_between(self, start: float, end: float) -> float:
        if end <= start:
            return 0.0
        return (end - start) - self.office.open_hours_between(start, end)
