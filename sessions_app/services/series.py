"""Bulk Duplicate: a regular schedule computed in the session's own zone, previewed, then stored as rows.

Each occurrence keeps the source's wall-clock time in the source's zone (10:00 stays 10:00 across a
daylight-saving change); the preview says which dates are skipped (an overlap, a time the zone skips
or repeats that day) and, for the other zones that matter (a booked mentee's, the viewer's), where the
change moves the time there.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction

from accounts.models import User
from sessions_app.clock import city, in_zone
from sessions_app.models import MentorshipSession, SessionStatus
from sessions_app.recurrence import Frequency, following_dates
from sessions_app.services.bookings import booking_create
from sessions_app.services.errors import BookingError, SessionError
from sessions_app.services.sessions import _lock_mentor, check_overlap, utc_range


@dataclass
class Occurrence:
    """One date of the preview: its UTC range, why it is skipped, and the local times that move."""

    local_date: date
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    skipped: str = ""
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # (place, usual time, this week's time)

    @property
    def created(self) -> bool:
        return not self.skipped


def other_zones(source: MentorshipSession, viewer: User) -> list[str]:
    """The zones besides the session's where people read its time: booked mentees' and the viewer's."""
    zones = [b.mentee.user.timezone for b in source.bookings.filter(status="booked").select_related("mentee__user")]
    zones.append(viewer.timezone)
    return [z for z in dict.fromkeys(zones) if z and z != source.time_zone]


def _moved(source: MentorshipSession, starts_at: datetime, zones: list[str]) -> list[tuple[str, str, str]]:
    moved = []
    for zone in zones:
        usual, this = in_zone(source.starts_at, zone), in_zone(starts_at, zone)
        if usual.time() != this.time():
            moved.append((city(zone), f"{usual:%H:%M}", f"{this:%H:%M}"))
    return moved


def series_plan(
    *,
    source: MentorshipSession,
    frequency: Frequency,
    count: int | None,
    until: date | None,
    zones: list[str],
) -> list[Occurrence]:
    """The following dates of the schedule, each with its UTC range, or the reason it is skipped."""
    plan = []
    for day in following_dates(source.local_date, frequency, count=count, until=until):
        occurrence = Occurrence(day)
        try:
            occurrence.starts_at, occurrence.ends_at = utc_range(
                day, source.local_time, source.time_zone, source.duration_minutes
            )
            check_overlap(source.mentor, occurrence.starts_at, occurrence.ends_at, [source.pk])
        except SessionError as error:
            occurrence.skipped = error.message
        else:
            occurrence.moved = _moved(source, occurrence.starts_at, zones)
        plan.append(occurrence)
    return plan


@transaction.atomic
def series_create(
    *, source: MentorshipSession, plan: list[Occurrence], keep_mentees: bool, by: User
) -> list[MentorshipSession]:
    """Store the plan's occurrences as sessions of their own in ``source``'s series (made one if need be).

    Checked again under the mentor's lock: a date that overlaps by now is skipped. Booked mentees are
    carried over only with ``keep_mentees`` (a recurring series with them), and are emailed per session.
    """
    _lock_mentor(source.mentor)
    if source.series is None:
        source.series = uuid.uuid4()
        source.save(update_fields=["series"])
    groups = list(source.groups.all())
    mentees = [(b.mentee, b.mode) for b in source.bookings.filter(status="booked").select_related("mentee")]
    created = []
    for occurrence in plan:
        if not occurrence.created:
            continue
        if source.status == SessionStatus.PUBLISHED:
            try:
                check_overlap(source.mentor, occurrence.starts_at, occurrence.ends_at, [])
            except SessionError:
                continue
        created.append(_copy(source, occurrence, groups, by))
    if keep_mentees:
        _carry_over(created, mentees)
    return created


def _copy(source: MentorshipSession, occurrence: Occurrence, groups: list, by: User) -> MentorshipSession:
    copy = MentorshipSession(
        **{
            name: getattr(source, name)
            for name in (
                "program",
                "mentor",
                "location",
                "local_time",
                "time_zone",
                "duration_minutes",
                "online",
                "in_person",
                "meeting_url",
                "address",
                "seats",
                "notes",
                "status",
                "series",
            )
        },  # fmt: skip
        local_date=occurrence.local_date,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        created_by=by,
    )
    copy.save()
    copy.groups.set(groups)
    return copy


def _carry_over(sessions: list[MentorshipSession], mentees: list) -> None:
    for session in sessions:
        for mentee, mode in mentees:
            try:
                booking_create(session=session, mentee=mentee, mode=mode, added_by_mentor=True)
            except BookingError:
                continue  # a full or cancelled session: the preview already showed the dates
