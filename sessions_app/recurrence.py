"""The dates of a regular schedule, on the calendar of the session's own zone (pure Python).

A series repeats a local date; the time of day stays the wall-clock time it was entered at, so that
10:00 stays 10:00 across daylight-saving changes (the UTC instant moves instead).
"""

import calendar
from datetime import date, timedelta
from enum import StrEnum

MAX_OCCURRENCES = 52


class Frequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY_WEEKDAY = "monthly_weekday"
    MONTHLY_DATE = "monthly_date"


def _add_months(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _monthly_weekday(start: date, months: int) -> date | None:
    """The same weekday of the same week of the month ("second Tuesday"); None if that month has no fifth one."""
    year, month = _add_months(start, months)
    week = (start.day - 1) // 7
    first = date(year, month, 1)
    day = first + timedelta(days=(start.weekday() - first.weekday()) % 7 + 7 * week)
    return day if day.month == month else None


def _monthly_date(start: date, months: int) -> date | None:
    """The same day of the month; None for a month without it (no 31 April)."""
    year, month = _add_months(start, months)
    if start.day > calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, start.day)


def _nth(start: date, frequency: Frequency, n: int) -> date | None:
    if frequency == Frequency.WEEKLY:
        return start + timedelta(weeks=n)
    if frequency == Frequency.BIWEEKLY:
        return start + timedelta(weeks=2 * n)
    if frequency == Frequency.MONTHLY_WEEKDAY:
        return _monthly_weekday(start, n)
    return _monthly_date(start, n)


def following_dates(
    start: date, frequency: Frequency, *, count: int | None = None, until: date | None = None
) -> list[date]:
    """The dates after ``start`` on the schedule: ``count`` of them, or up to ``until`` (inclusive).

    Never more than MAX_OCCURRENCES. Months that lack the day are passed over, not moved.
    """
    if count is None and until is None:
        raise ValueError("count or until is required")
    dates: list[date] = []
    n = 1
    while len(dates) < min(count or MAX_OCCURRENCES, MAX_OCCURRENCES) and n <= 4 * MAX_OCCURRENCES:
        day = _nth(start, frequency, n)
        n += 1
        if day is None:
            continue
        if until is not None and day > until:
            break
        dates.append(day)
    return dates
