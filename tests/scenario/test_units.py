"""Durations with units (``sim.scenario.units``): every time in a scenario ends up in hours."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.numbers import MAX_DURATION_H
from sim.scenario.units import HOURS_PER_UNIT, format_duration, parse_duration


@pytest.mark.parametrize(("text", "hours"), [
    ("45min", 0.75), ("2h", 2.0), ("3d", 72.0), ("1w", 168.0), ("30s", 30 / 3600),
    ("1.5", 1.5), (" 90 min ", 1.5), ("2 hours", 2.0), ("0.5d", 12.0), ("1e1h", 10.0),
    (".5h", 0.5), ("2H", 2.0), ("0", 0.0),
])
def test_parse_units(text: str, hours: float):
    assert parse_duration(text) == pytest.approx(hours)


@pytest.mark.parametrize("number", [0, 3, 2.5, 1e6])
def test_bare_numbers_are_hours(number: float):
    assert parse_duration(number) == float(number)
    assert isinstance(parse_duration(number), float)


@pytest.mark.parametrize(("value", "fragment"), [
    ("3x", "unknown time unit 'x'"),
    ("2 fortnights", "unknown time unit 'fortnights'"),
    ("a week", "expected a duration"),
    ("", "expected a duration"),
    ("1:30", "expected a duration"),
    (True, "expected a duration"),
    (None, "expected a duration"),
    ([2], "expected a duration"),
])
def test_refuses_what_is_not_a_duration(value, fragment: str):
    with pytest.raises(ValueError, match=fragment):
        parse_duration(value)


@pytest.mark.parametrize(("hours", "text"), [
    (0.5, "30min"), (2.0, "2h"), (36.0, "36h"), (72.0, "3d"), (50.0, "50h"),
    (float("inf"), "inf"),
])
def test_format_reads_like_a_person_wrote_it(hours: float, text: str):
    assert format_duration(hours) == text


@settings(deadline=None)
@given(st.floats(min_value=0, max_value=1e6, allow_nan=False),
       st.sampled_from(sorted(HOURS_PER_UNIT)))
def test_every_unit_scales_the_number(number: float, unit: str):
    hours = number * HOURS_PER_UNIT[unit]
    if hours <= MAX_DURATION_H:
        assert parse_duration(f"{number!r}{unit}") == pytest.approx(hours)
    else:  # beyond about 114 years a duration is refused, not taken
        with pytest.raises(ValueError, match="at most"):
            parse_duration(f"{number!r}{unit}")


@settings(deadline=None)
@given(st.floats(min_value=1e-3, max_value=1e5, allow_nan=False))
def test_format_then_parse_round_trips(hours: float):
    # format uses 6 significant digits, so the round trip is exact to about 1e-5 relative.
    assert math.isclose(parse_duration(format_duration(hours)), hours, rel_tol=1e-5)


def _units_in_message(message: str) -> list[str]:
    listed = message.split("; use ", 1)[1].split(" (a bare number", 1)[0]
    return [name for group in listed.split(", ") for name in group.split("/")]


def test_the_error_lists_exactly_the_units_accepted():
    with pytest.raises(ValueError) as refused:
        parse_duration("3x")
    listed = _units_in_message(str(refused.value))
    assert sorted(listed) == sorted(HOURS_PER_UNIT)
    for unit in listed:  # every unit the message offers is taken, in either case
        assert parse_duration(f"2{unit}") == pytest.approx(2 * HOURS_PER_UNIT[unit])
        assert parse_duration(f"2 {unit.upper()}") == pytest.approx(2 * HOURS_PER_UNIT[unit])


@pytest.mark.parametrize("unit", ["mo", "month", "y", "ms", "hh", "wks", "dys"])
def test_units_not_listed_are_refused(unit: str):
    with pytest.raises(ValueError) as refused:
        parse_duration(f"2{unit}")
    assert unit.lower() not in _units_in_message(str(refused.value))


@pytest.mark.parametrize("text", ["1m", "30 M"])
def test_m_is_refused_as_ambiguous(text: str):
    with pytest.raises(ValueError, match=r"ambiguous time unit 'm'.*write min"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "hours"), [("2 hours", 2.0), ("24hrs", 24.0),
                                             ("10 minutes", 1 / 6), ("3 secs", 3 / 3600)])
def test_long_spellings(text: str, hours: float):
    assert parse_duration(text) == pytest.approx(hours)
