"""Wall-clock time in a zone, and back to UTC, refusing the times a daylight-saving day skips or repeats.

Pure Python (zoneinfo): no Django, so hypothesis can check it alone.
"""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta


class NonexistentTime(ValueError):
    """The clocks jump over this wall-clock time on that day (spring forward)."""


class AmbiguousTime(ValueError):
    """This wall-clock time happens twice on that day (fall back)."""


def to_utc(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of the wall-clock ``day`` ``at`` in ``zone``; raises rather than shift a time silently."""
    tz = zoneinfo.ZoneInfo(zone)
    # A wall-clock time names no fold: compare both readings whatever ``at`` carries.
    first = datetime.combine(day, at.replace(fold=0), tzinfo=tz)
    second = first.replace(fold=1)
    if first.utcoffset() != second.utcoffset():
        # zoneinfo gives the two offsets of a skipped time too; a skipped time does not survive a round trip.
        if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != first.replace(tzinfo=None):
            raise NonexistentTime(f"{day} {at:%H:%M} {zone}")
        raise AmbiguousTime(f"{day} {at:%H:%M} {zone}")
    return first.astimezone(UTC)


def in_zone(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


def city(zone: str) -> str:
    """The place a zone is named after: "America/Toronto" -> "Toronto"."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def utc_offset(moment: datetime, zone: str) -> timedelta:
    return in_zone(moment, zone).utcoffset() or timedelta(0)
