"""Reads of oversight, already scoped, in a constant number of queries whatever the number of rows."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from matching.models import Pairing, PairingStatus
from mentorship.oversight.models import (
    Activity,
    ActivityDate,
    Attendance,
    AttendanceStatus,
    FollowUpView,
    Observation,
    OversightSettings,
    Visibility,
)
from organizations.models import Membership, Program, Role
from organizations.selectors import role_membership_id
from sessions_app.models import Booking, BookingStatus, SessionAttendance, SessionStatus


def activities_for(program: Program) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(program=program)
        .annotate(
            date_count=Count("dates", distinct=True),
            mentee_count=Count("mentees", distinct=True),
            mentor_count=Count("mentors", distinct=True),
        )
        .order_by("archived", "name", "pk")
    )


def activity_with_schedule(program: Program, pk: int) -> QuerySet[Activity]:
    mentees = Membership.objects.select_related("user").order_by("sort_name", "pk")
    return Activity.objects.filter(program=program, pk=pk).prefetch_related(
        Prefetch("dates", queryset=ActivityDate.objects.annotate(marked=Count("attendances"))),
        Prefetch("mentees", queryset=mentees),
        Prefetch("mentors", queryset=mentees),
    )


def mentees_of_program(program: Program) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(program=program, role=Role.MENTEE).select_related("user").order_by("sort_name", "pk")
    )


def mentors_of_program(program: Program) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(program=program, role=Role.MENTOR).select_related("user").order_by("sort_name", "pk")
    )


def mentor_membership(user: User, program: Program) -> Membership | None:
    return Membership.objects.filter(program=program, user=user, role=Role.MENTOR).first()


def observation_author(user: User, mentee: Membership) -> Membership | None:
    """The role an observation of ``user`` on ``mentee`` is written in: their mentor role when they follow the
    mentee, else their program admin role, else their organization admin role (None: none of those)."""
    from mentorship.oversight.rules import follows

    roles = Membership.objects.filter(user=user).filter(
        Q(program=mentee.program_id, role__in=[Role.MENTOR, Role.PROGRAM_ADMIN])
        | Q(organization=mentee.organization_id, program__isnull=True, role=Role.ORGANIZATION_ADMIN)
    )
    by_role = {m.role: m for m in roles}
    if Role.MENTOR in by_role and follows(user, mentee):
        return by_role[Role.MENTOR]
    return by_role.get(Role.PROGRAM_ADMIN) or by_role.get(Role.ORGANIZATION_ADMIN)


def visible_to_mentor(mentor: Membership) -> Q:
    """The observations a mentor sees on the mentees they follow: those shared with the mentee, and their own
    (one kept to "the author and program admins only" is not for the other mentors)."""
    return Q(visibility=Visibility.SHARED) | Q(author=mentor)


def mentee_membership(user: User, program: Program) -> Membership | None:
    return Membership.objects.filter(program=program, user=user, role=Role.MENTEE).select_related("user").first()


def _count(queryset: QuerySet) -> Coalesce:
    """The number of ``queryset``'s rows for the outer mentee, as a subquery (0 when none)."""
    counted = queryset.filter(mentee=OuterRef("pk")).order_by().values("mentee").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_attendance(mentees: QuerySet[Membership]) -> QuerySet[Membership]:
    """Each mentee with ``present``, ``absent``, ``excused`` (activity dates) and ``attended``, ``no_show``
    (mentorship sessions not cancelled), and ``attendance_rate`` (see ``rate``)."""
    kept = Booking.objects.filter(status=BookingStatus.BOOKED).exclude(session__status=SessionStatus.CANCELLED)
    return mentees.annotate(
        present=_count(Attendance.objects.filter(status=AttendanceStatus.PRESENT)),
        absent=_count(Attendance.objects.filter(status=AttendanceStatus.ABSENT)),
        excused=_count(Attendance.objects.filter(status=AttendanceStatus.EXCUSED)),
        attended=_count(kept.filter(attendance=SessionAttendance.ATTENDED)),
        no_show=_count(kept.filter(attendance=SessionAttendance.NO_SHOW)),
    )


def rate(came: int, missed: int) -> int | None:
    """Attendance rate in percent: times present (or attended) over times present or absent (or no-show);
    excused and unknown do not count. None when nothing was recorded."""
    total = came + missed
    return None if total == 0 else round(100 * came / total)


def followed_by(mentor: Membership, *, counted: bool = True) -> QuerySet[Membership]:
    """The mentees ``mentor`` follows: their active pairings, and the attendees of their (not archived) activities
    (which of them it is, read at once), each with ``observation_count`` and ``paired`` unless not ``counted``."""
    paired = Pairing.objects.filter(mentor=mentor, status=PairingStatus.ACTIVE).values_list("mentee_id", flat=True)
    in_activities = Activity.mentees.through.objects.filter(
        activity__mentors=mentor, activity__archived=False
    ).values_list("membership_id", flat=True)
    # Their pks first (one query): the page and its count then read those rows by primary key, where either
    # list as a subquery made PostgreSQL scan every membership of the program.
    followed = list(paired.order_by().union(in_activities.order_by()))
    mentees = Membership.objects.filter(program=mentor.program_id, role=Role.MENTEE, pk__in=followed)
    return _followed_with_counts(mentor, mentees) if counted else mentees.order_by("sort_name", "pk")


def followed_rows(mentor: Membership, ids: list[int]) -> list[Membership]:
    """The mentees of ``ids`` (a page of ``followed_ids``) as ``with_attendance(followed_by(mentor))`` gives them."""
    mentees = Membership.objects.filter(program=mentor.program_id, role=Role.MENTEE, pk__in=ids)
    return list(with_attendance(_followed_with_counts(mentor, mentees)))


def _followed_with_counts(mentor: Membership, mentees: QuerySet[Membership]) -> QuerySet[Membership]:
    return (
        mentees.select_related("user")
        .annotate(
            observation_count=_count(Observation.objects.filter(visible_to_mentor(mentor))),
            paired=Coalesce(
                Subquery(
                    Pairing.objects.filter(mentor=mentor, mentee=OuterRef("pk"), status=PairingStatus.ACTIVE).values(
                        "pk"
                    )[:1]
                ),
                Value(0),
            ),
        )
        .order_by("sort_name", "pk")
    )


def mentor_membership_id(user: User, program: Program) -> int | None:
    """The pk of ``user``'s mentor membership in ``program``, from the roles the tenant middleware read with the
    program (no query; the same rows as ``mentor_membership``: people not deleted)."""
    return role_membership_id(user, program, Role.MENTOR)


def followed_ids(mentor: Membership) -> list[int]:
    """The pks of the mentees ``mentor`` follows (``followed_by``), in its order (by name)."""
    return list(followed_by(mentor, counted=False).values_list("pk", flat=True))


def activities_of_mentor(mentor: Membership, mentees: Iterable[Membership] = ()) -> list[Activity]:
    """The activities assigned to ``mentor``, each with those of ``mentees`` who attend it (``mentee_ids``: a
    page's mentees, not the thousands an activity may have)."""
    activities = list(Activity.objects.filter(mentors=mentor, archived=False))
    attending = Activity.mentees.through.objects.filter(
        activity__in=[a.pk for a in activities], membership__in=[m.pk for m in mentees]
    ).values_list("activity_id", "membership_id")
    by_activity: dict[int, set[int]] = {}
    for activity_id, mentee_id in attending:  # none asked when either list is empty
        by_activity.setdefault(activity_id, set()).add(mentee_id)
    for activity in activities:
        activity.mentee_ids = by_activity.get(activity.pk, set())
    return activities


def mentees_see_observations(program: Program) -> bool:
    value = OversightSettings.objects.filter(program=program).values_list("mentees_see_observations", flat=True)
    found = list(value)
    return found[0] if found else True


@dataclass
class FollowUp:
    """One mentee's schedule, attendance and observations, as one viewer may see them."""

    mentee: Membership
    dates: list = field(default_factory=list)  # ActivityDate with ``mark`` (their Attendance or None)
    bookings: list = field(default_factory=list)  # Booking with session
    observations: list = field(default_factory=list)
    came: int = 0
    missed: int = 0

    @property
    def rate(self) -> int | None:
        return rate(self.came, self.missed)


def follow_up_of(mentee: Membership, *, as_mentee: bool = False, mentor: Membership | None = None) -> FollowUp:
    """``mentee``'s activity dates with their marks, their mentorship sessions, and the observations:
    all of them for program admins; for a ``mentor`` who follows them, those shared with the mentee and their
    own; for the mentee (``as_mentee``) only those shared with them, and none when the program keeps
    observations from mentees."""
    marks = Attendance.objects.filter(mentee=mentee)
    dates = list(
        ActivityDate.objects.filter(activity__mentees=mentee, activity__program=mentee.program_id)
        .select_related("activity")
        .prefetch_related(Prefetch("attendances", queryset=marks, to_attr="marks"))
        .order_by("starts_at", "pk")
    )
    for date in dates:
        date.mark = date.marks[0] if date.marks else None
    bookings = list(
        Booking.objects.filter(mentee=mentee, status=BookingStatus.BOOKED)
        .select_related("session__mentor__user")
        .order_by("session__starts_at", "pk")
    )
    observations = Observation.objects.filter(mentee=mentee).select_related("author__user", "activity", "session")
    if as_mentee:
        if mentees_see_observations(mentee.program):
            observations = observations.filter(visibility=Visibility.SHARED)
        else:
            observations = observations.none()
    else:
        if mentor is not None:
            observations = observations.filter(visible_to_mentor(mentor))
        observations = observations.annotate(revision_count=Count("revisions"))
    follow = FollowUp(mentee=mentee, dates=dates, bookings=bookings, observations=list(observations))
    for date in dates:
        if date.mark and date.mark.status == AttendanceStatus.PRESENT:
            follow.came += 1
        elif date.mark and date.mark.status == AttendanceStatus.ABSENT:
            follow.missed += 1
    for booking in bookings:
        if booking.session.status == SessionStatus.CANCELLED:
            booking.shown_attendance = ""
            continue
        booking.shown_attendance = booking.get_attendance_display()
        follow.came += booking.attendance == SessionAttendance.ATTENDED
        follow.missed += booking.attendance == SessionAttendance.NO_SHOW
    return follow


def looks_at(mentee: Membership, limit: int = 50) -> list[FollowUpView]:
    return list(FollowUpView.objects.filter(mentee=mentee).select_related("viewer")[:limit])
