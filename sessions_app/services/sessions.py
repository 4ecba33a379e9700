"""Creating, editing, publishing and cancelling sessions; a series edited one, "this and following" or all."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from mentorship import stamps
from organizations.models import Group, Membership, Program
from sessions_app import emails, selectors
from sessions_app.clock import AmbiguousTime, NonexistentTime, city, to_utc
from sessions_app.models import Location, MentorshipSession, SessionSettings, SessionStatus
from sessions_app.services.bookings import booking_create
from sessions_app.services.errors import BookingError, SessionError, SessionOverlap


class Scope(StrEnum):
    """Which occurrences of a series an edit or a cancellation touches."""

    THIS = "this"
    FOLLOWING = "following"
    ALL = "all"


@dataclass
class SessionInput:
    """What the session form gives: the session as its mentor means it, in local wall-clock time."""

    mentor: Membership
    local_date: date
    local_time: time
    duration_minutes: int
    online: bool
    in_person: bool
    location: Location | None = None
    meeting_url: str = ""
    address: str = ""
    seats: int = 1
    groups: list[Group] = field(default_factory=list)
    notes: str = ""
    mentee: Membership | None = None

    @property
    def time_zone(self) -> str:
        """The location's zone; for a session without a place, the mentor's own."""
        return self.location.time_zone if self.location else self.mentor.user.timezone


# The fields whose change is worth telling a booked mentee, with the words they read.
TOLD_CHANGES: dict[str, Promise] = {
    "starts_at": gettext_lazy("Date and time"),
    "duration_minutes": gettext_lazy("Duration"),
    "location_id": gettext_lazy("Location"),
    "online": gettext_lazy("Enrollment method"),
    "in_person": gettext_lazy("Enrollment method"),
    "meeting_url": gettext_lazy("Meeting URL"),
    "address": gettext_lazy("Address"),
    "notes": gettext_lazy("Notes"),
}


def utc_range(day: date, at: time, zone: str, minutes: int) -> tuple[datetime, datetime]:
    """[start, end) in UTC of a local wall-clock start; SessionError for a time the zone skips or repeats."""
    when = {"time": f"{at:%H:%M}", "date": date_format(day, "j F Y"), "place": city(zone)}
    try:
        starts_at = to_utc(day, at, zone)
    except NonexistentTime as error:
        message = _(
            "%(time)s does not exist on %(date)s in %(place)s: the clocks move forward that night. Choose another time."
        )
        raise SessionError(message % when, field="local_time") from error
    except AmbiguousTime as error:
        message = _(
            "%(time)s happens twice on %(date)s in %(place)s: the clocks move back that night. "
            "Choose a time before or after the change."
        )
        raise SessionError(message % when, field="local_time") from error
    return starts_at, starts_at + timedelta(minutes=minutes)


def overlap_error(other: MentorshipSession) -> SessionOverlap:
    local = other.local_start
    message = _("%(mentor)s already has a published session then: %(date)s at %(time)s (%(place)s).") % {
        "mentor": other.mentor.user.full_name,
        "date": date_format(local, "j F Y"),
        "time": f"{local:%H:%M}",
        "place": city(other.time_zone),
    }
    return SessionOverlap(message, other)


def check_overlap(mentor: Membership, starts_at: datetime, ends_at: datetime, exclude: list[int]) -> None:
    other = selectors.overlapping(mentor, starts_at, ends_at, exclude=exclude)
    if other is not None:
        raise overlap_error(other)


def _lock_mentor(mentor: Membership) -> None:
    # One mentor's writes queue up here, so two publishes cannot both pass the overlap check.
    Membership.objects.select_for_update().filter(pk=mentor.pk).first()


def _fill(session: MentorshipSession, data: SessionInput, *, keep_date: bool) -> None:
    day = session.local_date if keep_date else data.local_date
    session.starts_at, session.ends_at = utc_range(day, data.local_time, data.time_zone, data.duration_minutes)
    session.local_date, session.local_time, session.time_zone = day, data.local_time, data.time_zone
    for name in ("mentor", "location", "duration_minutes", "online", "in_person", "seats", "notes"):
        setattr(session, name, getattr(data, name))
    session.meeting_url = data.meeting_url if data.online else ""
    session.address = data.address if data.in_person else ""


def _changes(before: dict, session: MentorshipSession) -> list[Promise]:
    told = []
    for name, label in TOLD_CHANGES.items():
        if before[name] != getattr(session, name) and label not in told:
            told.append(label)
    return told


def _snapshot(session: MentorshipSession) -> dict:
    return {name: getattr(session, name) for name in TOLD_CHANGES}


def _store(session: MentorshipSession, data: SessionInput, status: str, *, keep_date: bool = False) -> list[Promise]:
    """Write one session from ``data``; returns what changed that a booked mentee is told."""
    before = _snapshot(session) if session.pk else None
    if session.pk and data.seats < session.seats_taken:
        message = ngettext(
            "%(count)s seat is booked: keep at least that many.",
            "%(count)s seats are booked: keep at least that many.",
            session.seats_taken,
        ) % {"count": session.seats_taken}
        raise SessionError(message, field="seats")
    _fill(session, data, keep_date=keep_date)
    was_published = session.status == SessionStatus.PUBLISHED
    session.status = status
    if status == SessionStatus.PUBLISHED:
        check_overlap(session.mentor, session.starts_at, session.ends_at, [session.pk] if session.pk else [])
    changes = _changes(before, session) if before else []
    if changes:
        session.sequence += 1
    if before and before["starts_at"] != session.starts_at:
        session.reminder_sent_at = None  # moved: the new date gets its own day-before reminder
    try:
        with transaction.atomic():
            if session.pk:  # seats_taken is the booking service's, moved under the row lock: never written here
                session.save(update_fields=_EDITABLE)
            else:
                session.save()
    except IntegrityError as error:  # the exclusion constraint: a concurrent publish got there first
        other = selectors.overlapping(session.mentor, session.starts_at, session.ends_at, exclude=[session.pk or 0])
        raise overlap_error(other) if other else SessionError(_("This session could not be saved.")) from error
    session.groups.set(data.groups)
    if was_published and changes:
        emails.session_changed(session, changes, _attendees(session))
    return changes


_EDITABLE = [
    f.name
    for f in MentorshipSession._meta.concrete_fields
    if not f.primary_key and f.name not in ("seats_taken", "created_at", "created_by", "program", "uid", "series")
]


def _locked(session: MentorshipSession) -> MentorshipSession:
    """The session as the database has it now, its row locked: bookings of it wait until this edit commits."""
    locked = MentorshipSession.objects.select_for_update(of=("self",)).select_related("mentor__user", "program")
    return locked.get(pk=session.pk)


def _attendees(session: MentorshipSession) -> list[User]:
    return [b.mentee.user for b in session.bookings.filter(status="booked").select_related("mentee__user")]


def _booked(session: MentorshipSession) -> list:
    if session.pk is None:
        return []
    return list(session.bookings.filter(status="booked").select_related("mentee__user", "session__mentor__user"))


def _add_mentee(session: MentorshipSession, mentee: Membership | None) -> None:
    if mentee is None or session.bookings.filter(mentee=mentee, status="booked").exists():
        return
    try:
        booking_create(session=session, mentee=mentee, added_by_mentor=True)
    except BookingError as error:
        raise SessionError(error.message, field="mentee") from error


def _series_siblings(session: MentorshipSession, scope: Scope, starts_at: datetime) -> list[MentorshipSession]:
    if scope == Scope.THIS or session.series is None:
        return []
    siblings = MentorshipSession.objects.filter(series=session.series).exclude(pk=session.pk)
    siblings = siblings.exclude(status=SessionStatus.CANCELLED).select_related("mentor__user", "program")
    siblings = siblings.select_for_update(of=("self",))  # bookings of each wait; seats_taken is read fresh
    if scope == Scope.FOLLOWING:
        siblings = siblings.filter(starts_at__gt=starts_at)
    return list(siblings.order_by("starts_at"))


@transaction.atomic
def session_save(
    *,
    program: Program,
    data: SessionInput,
    by: User,
    publish: bool,
    session: MentorshipSession | None = None,
    scope: Scope = Scope.THIS,
) -> MentorshipSession:
    """Create or edit a session as a draft or published; SessionError (with its field) if it cannot be.

    A published session never overlaps another published session of its mentor. Editing a booked,
    published session tells whoever booked it what changed (with a higher SEQUENCE). With a ``scope``
    other than THIS, the other occurrences of its series (all, or those after it) take the same
    changes, each keeping its own date; earlier ones are not touched and none is created.
    """
    _lock_mentor(data.mentor)
    session = _locked(session) if session is not None else MentorshipSession(program=program, created_by=by)
    was_draft = session.pk is None or session.status == SessionStatus.DRAFT
    original_start = session.starts_at
    status = SessionStatus.PUBLISHED if publish else SessionStatus.DRAFT
    added_while_draft = _booked(session) if was_draft else []
    _store(session, data, status)
    _add_mentee(session, data.mentee)  # emailed at once if published
    if publish:
        for booking in added_while_draft:  # a draft's mentees hear of it when it is published
            emails.session_booked(booking)
    for sibling in _series_siblings(session, scope, original_start or session.starts_at):
        same = {**data.__dict__, "mentor": sibling.mentor, "mentee": None}
        _store(sibling, SessionInput(**same), status if publish else sibling.status, keep_date=True)
    return session


@transaction.atomic
def session_cancel(*, session: MentorshipSession, by: User, scope: Scope = Scope.THIS) -> list[MentorshipSession]:
    """Cancel ``session`` (and, with ``scope``, the other occurrences of its series); whoever booked is told."""
    cancelled = []
    session = _locked(session)  # a booking at the same moment waits, then finds the session cancelled
    for one in [session, *_series_siblings(session, scope, session.starts_at)]:
        if one.status == SessionStatus.CANCELLED:
            continue
        was_published = one.status == SessionStatus.PUBLISHED
        one.status = SessionStatus.CANCELLED
        one.sequence += 1
        one.save(update_fields=["status", "sequence", "updated_at"])
        # A cancelled session has no attendance: empty, not "no-show".
        one.bookings.exclude(attendance="").update(attendance="", attendance_recorded_at=None)
        stamps.bump_programs([one.program_id])
        if was_published:
            emails.session_cancelled(one, _attendees(one))
        cancelled.append(one)
    return cancelled


def input_from(session: MentorshipSession, **changes) -> SessionInput:
    """A session's own values as form input (for Duplicate and series edits), with ``changes``."""
    values = {
        "mentor": session.mentor,
        "local_date": session.local_date,
        "local_time": session.local_time,
        "duration_minutes": session.duration_minutes,
        "online": session.online,
        "in_person": session.in_person,
        "location": session.location,
        "meeting_url": session.meeting_url,
        "address": session.address,
        "seats": session.seats,
        "groups": list(session.groups.all()),
        "notes": session.notes,
    }
    return SessionInput(**{**values, **changes})


def location_create(*, program: Program, name: str, time_zone: str, address: str = "") -> Location:
    """A place the program keeps for sessions, with its time zone."""
    return Location.objects.create(program=program, name=name, time_zone=time_zone, address=address)


def session_settings_save(
    *,
    program: Program,
    cancel_notice_hours: int,
    requests_per_day: int | None = None,
    session_pairs: bool = False,
) -> SessionSettings:
    """The program's notice for a mentee's cancellation, in hours; the request flows' limit and pairing (F6)."""
    settings, _ = SessionSettings.objects.update_or_create(
        program=program,
        defaults={
            "cancel_notice_hours": cancel_notice_hours,
            "requests_per_day": requests_per_day or SessionSettings.DEFAULT_REQUESTS_PER_DAY,
            "session_pairs": session_pairs,
        },
    )
    return settings
