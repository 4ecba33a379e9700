"""Recurrence and time-zone arithmetic, checked by hypothesis (pure functions: no database)."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions_app.clock import AmbiguousTime, NonexistentTime, to_utc
from sessions_app.recurrence import MAX_OCCURRENCES, Frequency, following_dates

ZONES = st.sampled_from(
    [
        "America/Toronto",
        "Europe/Paris",
        "Australia/Sydney",
        "Asia/Kolkata",
        "America/Sao_Paulo",
        "UTC",
        "Pacific/Chatham",
    ]
)
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))
TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(day=DAYS, at=TIMES, zone=ZONES)
def test_a_wall_clock_time_goes_to_utc_and_back_or_is_refused(day, at, zone):
    try:
        instant = to_utc(day, at, zone)
    except NonexistentTime:
        # Skipped: no instant of that day shows this time there.
        local = datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(zone))
        assert local.astimezone(UTC).astimezone(zoneinfo.ZoneInfo(zone)).time() != at
        return
    except AmbiguousTime:
        first = datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(zone))
        assert first.utcoffset() != first.replace(fold=1).utcoffset()
        return
    back = instant.astimezone(zoneinfo.ZoneInfo(zone))
    assert (back.date(), back.time()) == (day, at)
    assert instant.tzinfo is UTC


@given(start=DAYS, frequency=st.sampled_from(list(Frequency)), count=st.integers(1, 60))
def test_a_schedule_has_the_count_asked_in_order_after_the_start(start, frequency, count):
    dates = following_dates(start, frequency, count=count)
    assert len(dates) == min(count, MAX_OCCURRENCES)
    assert dates == sorted(set(dates)) and dates[0] > start


@given(start=DAYS, count=st.integers(1, 52))
def test_weekly_and_biweekly_keep_the_weekday_and_step(start, count):
    for frequency, step in ((Frequency.WEEKLY, 7), (Frequency.BIWEEKLY, 14)):
        dates = following_dates(start, frequency, count=count)
        assert all((b - a).days == step for a, b in zip([start, *dates], dates, strict=False))


@given(start=DAYS, count=st.integers(1, 24))
def test_monthly_on_the_weekday_keeps_weekday_and_week_of_month(start, count):
    for day in following_dates(start, Frequency.MONTHLY_WEEKDAY, count=count):
        assert day.weekday() == start.weekday()
        assert (day.day - 1) // 7 == (start.day - 1) // 7


@given(start=DAYS, count=st.integers(1, 24))
def test_monthly_on_the_date_keeps_the_day_and_skips_months_without_it(start, count):
    dates = following_dates(start, Frequency.MONTHLY_DATE, count=count)
    assert all(day.day == start.day for day in dates)
    months = [(d.year * 12 + d.month) for d in dates]
    assert len(set(months)) == len(months)


@given(start=DAYS, until_days=st.integers(1, 400), frequency=st.sampled_from(list(Frequency)))
def test_an_end_date_is_never_passed(start, until_days, frequency):
    until = start + timedelta(days=until_days)
    assert all(start < day <= until for day in following_dates(start, frequency, until=until))


@settings(max_examples=200)
@given(start=DAYS, at=TIMES, zone=ZONES, count=st.integers(1, 20))
def test_a_weekly_series_keeps_its_wall_clock_time_across_daylight_saving(start, at, zone, count):
    """10:00 stays 10:00 in the session's zone: the UTC instant moves instead, by the change of offset."""
    try:
        first = to_utc(start, at, zone)
    except (NonexistentTime, AmbiguousTime):
        return
    tz = zoneinfo.ZoneInfo(zone)
    for day in following_dates(start, Frequency.WEEKLY, count=count):
        try:
            instant = to_utc(day, at, zone)
        except (NonexistentTime, AmbiguousTime):
            continue  # the preview skips it, with the reason
        local = instant.astimezone(tz)
        assert (local.date(), local.time()) == (day, at)
        moved = instant - first - timedelta(days=(day - start).days)
        assert moved == first.astimezone(tz).utcoffset() - local.utcoffset()


def test_toronto_spring_forward_examples():
    assert to_utc(date(2027, 3, 13), time(10), "America/Toronto").hour == 15
    assert to_utc(date(2027, 3, 15), time(10), "America/Toronto").hour == 14
    with pytest.raises(NonexistentTime):
        to_utc(date(2027, 3, 14), time(2, 30), "America/Toronto")
    with pytest.raises(AmbiguousTime):
        to_utc(date(2027, 11, 7), time(1, 30), "America/Toronto")


def test_a_time_that_carries_a_fold_is_judged_like_any_other():
    """Found by hypothesis in CI: 02:00 with fold=1 on Sydney's spring-forward day was shifted to 01:00."""
    with pytest.raises(NonexistentTime):
        to_utc(date(2028, 10, 1), time(2, 0, fold=1), "Australia/Sydney")
    with pytest.raises(AmbiguousTime):
        to_utc(date(2027, 11, 7), time(1, 30, fold=1), "America/Toronto")
    assert to_utc(date(2027, 3, 13), time(10, fold=1), "America/Toronto").hour == 15


def test_monthly_weekday_skips_a_month_without_a_fifth_one():
    # 29 March 2027 is the fifth Monday; April 2027 has none, May 2027 has (31 May).
    assert following_dates(date(2027, 3, 29), Frequency.MONTHLY_WEEKDAY, count=2) == [
        date(2027, 5, 31),
        date(2027, 8, 30),
    ]
