"""Every write of oversight: activities and their schedule, attendance, observations, looks at a mentee."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from mentorship import stamps
from mentorship.oversight.models import (
    Activity,
    ActivityDate,
    Attendance,
    FollowUpView,
    Observation,
    ObservationRevision,
    OversightSettings,
)
from organizations.models import Membership, Program
from sessions_app.models import Booking, BookingStatus, MentorshipSession, SessionAttendance, SessionStatus


@dataclass(frozen=True)
class DateInput:
    local_date: date
    start_time: time
    end_time: time
    place: str = ""


def activity_save(
    *,
    program: Program,
    by: User,
    name: str,
    description: str,
    time_zone: str,
    mentees: Iterable[Membership],
    mentors: Iterable[Membership],
    dates: Iterable[DateInput] = (),
    remove_dates: Iterable[ActivityDate] = (),
    changed_dates: Mapping[ActivityDate, DateInput] | None = None,
    activity: Activity | None = None,
) -> Activity:
    """Create or change an activity with its attendees, mentors and schedule, all at once."""
    with transaction.atomic():
        if activity is None:
            activity = Activity(program=program, created_by=by)
        activity.name, activity.description, activity.time_zone = name, description, time_zone
        activity.save()
        activity.mentees.set(mentees)
        activity.mentors.set(mentors)
        ActivityDate.objects.filter(activity=activity, pk__in=[d.pk for d in remove_dates]).delete()
        for existing, data in (changed_dates or {}).items():
            existing.local_date, existing.start_time = data.local_date, data.start_time
            existing.end_time, existing.place = data.end_time, data.place
            existing.activity = activity
            existing.save()
        for data in dates:
            ActivityDate.objects.create(
                activity=activity,
                local_date=data.local_date,
                start_time=data.start_time,
                end_time=data.end_time,
                place=data.place,
            )
    return activity


def attendance_record(*, date: ActivityDate, by: User, marks: Mapping[int, tuple[str, str]]) -> int:
    """Record ``marks`` (mentee pk -> (status, note)) for one date in one go; an empty status clears a mark.

    Only the activity's attendees count; returns how many marks are now recorded for the date.
    """
    attendee_ids = set(date.activity.mentees.values_list("pk", flat=True))
    marks = {pk: mark for pk, mark in marks.items() if pk in attendee_ids}
    with transaction.atomic():
        cleared = [pk for pk, (status, _note) in marks.items() if not status]
        Attendance.objects.filter(date=date, mentee_id__in=cleared).delete()
        rows = [
            Attendance(date=date, mentee_id=pk, status=status, note=note.strip(), recorded_by=by)
            for pk, (status, note) in marks.items()
            if status
        ]
        Attendance.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["date", "mentee"],
            update_fields=["status", "note", "recorded_by", "recorded_at"],
        )
        stamps.bump_programs([date.activity.program_id])  # deletes and a bulk upsert: no signal
    return Attendance.objects.filter(date=date).count()


def observation_add(
    *,
    author: Membership,
    mentee: Membership,
    observed_on: date,
    text: str,
    visibility: str,
    activity: Activity | None = None,
    session: MentorshipSession | None = None,
) -> Observation:
    return Observation.objects.create(
        program=mentee.program,
        author=author,
        mentee=mentee,
        observed_on=observed_on,
        text=text.strip(),
        visibility=visibility,
        activity=activity,
        session=session,
    )


def observation_edit(*, observation: Observation, by: User, observed_on: date, text: str, visibility: str) -> bool:
    """Change an observation within its author's 24 hours, keeping the version it replaces; False if unchanged."""
    if not observation.editable_by(by):
        raise PermissionDenied
    text = text.strip()
    if (observation.observed_on, observation.text, observation.visibility) == (observed_on, text, visibility):
        return False
    with transaction.atomic():
        ObservationRevision.objects.create(
            observation=observation,
            observed_on=observation.observed_on,
            text=observation.text,
            visibility=observation.visibility,
        )
        observation.observed_on, observation.text, observation.visibility = observed_on, text, visibility
        observation.save(update_fields=["observed_on", "text", "visibility", "updated_at"])
    return True


def looks_record(*, viewer: User, mentees: Iterable[tuple[int, int, int]]) -> None:
    """Note that ``viewer`` looked at these mentees' attendance and observations, given as (program, membership,
    user) pks (the mentee sees who and when).

    Only looks by someone else than the mentee; one insert whatever their number. The pages that show
    follow-up call it on a GET: a look is a line of the audit trail the mentee reads, not a change to what
    any page shows, and it is written when the look happens, without a worker.
    """
    looks = [(program_id, pk) for program_id, pk, user_id in mentees if user_id != viewer.pk]
    if not looks:
        return
    now = timezone.now()
    if not connection.in_atomic_block and connection.vendor == "postgresql":
        _looks_insert(looks, viewer.pk, now)
        return
    with transaction.atomic():
        # no stamp: no page keeps what shows looks (mentorship.stamps)
        FollowUpView.objects.bulk_create(
            FollowUpView(program_id=program_id, mentee_id=pk, viewer=viewer, viewed_at=now) for program_id, pk in looks
        )


def _looks_insert(looks: list[tuple[int, int]], viewer_id: int, now) -> None:
    """The looks in one statement and one round trip, on a connection in autocommit (no larger transaction), with
    no model instance made (25 of them took a millisecond).

    The page does not wait for the disk: the looks are committed as any row, and written to disk a moment later
    (PostgreSQL's asynchronous commit, ``SET LOCAL`` in the implicit transaction of the two statements sent
    together); a crash of the database server in that moment loses the last looks, never anything else. The
    flush took 2 ms of each view of My mentees, and BEGIN, SET and COMMIT a round trip each. Two statements go
    in one execute because Django's psycopg cursors bind parameters on the client (no ``server_side_binding``).
    """
    meta, quote = FollowUpView._meta, connection.ops.quote_name
    columns = [meta.get_field(name).column for name in ("program", "mentee", "viewer", "viewed_at")]
    table, names = quote(meta.db_table), ", ".join(map(quote, columns))
    # The model's own table and columns, quoted, in the statement; every value is a parameter.
    sql = (
        "SET LOCAL synchronous_commit TO OFF; "  # nosec B608 - no value in the text, only the model's names
        f"INSERT INTO {table} ({names}) "
        "SELECT program, mentee, %s, %s FROM UNNEST(%s::bigint[], %s::bigint[]) AS look (program, mentee)"
    )
    programs, memberships = zip(*looks, strict=True)
    # no stamp: no page keeps what shows looks (mentorship.stamps)
    with connection.cursor() as cursor:
        cursor.execute(sql, [viewer_id, now, list(programs), list(memberships)])


def settings_save(*, program: Program, mentees_see_observations: bool) -> OversightSettings:
    row, _created = OversightSettings.objects.update_or_create(
        program=program, defaults={"mentees_see_observations": mentees_see_observations}
    )
    return row


class AttendanceNotOpen(Exception):
    """A cancelled session has no attendance, and one not started yet has none to record."""


def session_attendance_record(*, session: MentorshipSession, marks: Mapping[int, str]) -> int:
    """The mentor's marks (booking pk -> attended, no-show or unknown) for a session that has started."""
    if session.status == SessionStatus.CANCELLED or session.starts_at > timezone.now():
        raise AttendanceNotOpen
    valid = set(SessionAttendance.values)
    bookings = Booking.objects.filter(session=session, status=BookingStatus.BOOKED, pk__in=list(marks))
    changed = [b for b in bookings if marks[b.pk] in valid and b.attendance != marks[b.pk]]
    now = timezone.now()
    for booking in changed:
        booking.attendance, booking.attendance_recorded_at = marks[booking.pk], now
    Booking.objects.bulk_update(changed, ["attendance", "attendance_recorded_at"])
    if changed:
        stamps.bump_programs([session.program_id])
    return len(changed)
