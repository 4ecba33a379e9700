"""Reads of sessions, already scoped and prefetching what their pages show."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from django.db.models import Case, Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from mentorship.kept import kept_for
from organizations.models import Membership, Program, Role
from sessions_app.models import (
    Booking,
    BookingStatus,
    Location,
    MentorOffer,
    MentorshipSession,
    OfferState,
    RequestState,
    SessionRequest,
    SessionSettings,
    SessionStatus,
)

# The meeting link is shown from this long before the start.
LINK_SHOWN_BEFORE = timedelta(minutes=15)
# Longer than any session (their duration is at most a day; a day more for a change of clocks on the way).
LONGEST_SESSION = timedelta(days=2)


def _booked() -> Prefetch:
    return Prefetch(
        "bookings",
        queryset=Booking.objects.filter(status=BookingStatus.BOOKED).select_related("mentee__user"),
        to_attr="booked",
    )


def _with_details(sessions: QuerySet[MentorshipSession]) -> QuerySet[MentorshipSession]:
    return sessions.select_related("mentor__user", "location", "program__organization").prefetch_related(
        "groups", _booked()
    )


def sessions_for(program: Program) -> QuerySet[MentorshipSession]:
    """Every session of ``program``, with its mentor, location, groups and booked mentees."""
    return _with_details(MentorshipSession.objects.filter(program=program))


def locations_for(program: Program) -> QuerySet[Location]:
    return Location.objects.filter(program=program)


def mentors_for(program: Program) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(program=program, role=Role.MENTOR).select_related("user").order_by("sort_name", "pk")
    )


def mentor_choices(program: Program) -> list[tuple[int, str]]:
    """(pk, name) of the program's mentors in ``mentors_for``'s order, for a filter's select: one query of two
    columns, kept under the program's stamp (thousands of mentors, and no Membership and User built for each)."""

    def compute() -> list[tuple[int, str]]:
        rows = mentors_for(program).values_list("pk", "user__full_name", "user__email")
        return [(pk, full_name or email) for pk, full_name, email in rows]

    return kept_for(program, "mentor-choices", compute)


def mentees_for(program: Program) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(program=program, role=Role.MENTEE).select_related("user").order_by("sort_name", "pk")
    )


def membership_of(user: User, program: Program, role: Role) -> Membership | None:
    return Membership.objects.filter(program=program, user=user, role=role).prefetch_related("groups").first()


def visible_to(sessions: QuerySet[MentorshipSession], mentee: Membership | None) -> QuerySet[MentorshipSession]:
    """The published sessions a mentee may see: unrestricted, or restricted to one of their groups.

    Two EXISTS on each session's own groups (no join, so no DISTINCT over every session before a page is cut).
    """
    published = sessions.filter(status=SessionStatus.PUBLISHED)
    group_ids = [group.pk for group in mentee.groups.all()] if mentee else []
    restrictions = MentorshipSession.groups.through.objects.filter(mentorshipsession_id=OuterRef("pk"))
    if not group_ids:
        return published.exclude(Exists(restrictions))
    return published.filter(~Exists(restrictions) | Exists(restrictions.filter(group_id__in=group_ids)))


def bookable_sessions(mentor: Membership, mentee: Membership | None, *, now: datetime | None = None) -> list:
    """The mentor's upcoming published sessions that ``mentee`` may book: their groups, seats left, not started."""
    now = now or timezone.now()
    sessions = visible_to(sessions_for(mentor.program).filter(mentor=mentor, starts_at__gt=now), mentee)
    return [s for s in sessions if s.seats_left > 0 or _booked_by(s, mentee)]


def _booked_by(session: MentorshipSession, mentee: Membership | None) -> bool:
    return mentee is not None and any(b.mentee_id == mentee.pk for b in session.booked)


def mentorship_page(
    program: Program,
    *,
    mentor: Membership | None = None,
    status: str = "",
    day: date | None = None,
    now: datetime | None = None,
) -> QuerySet[MentorshipSession]:
    """The program's upcoming sessions (or those of ``day``), filtered by mentor and state."""
    sessions = sessions_for(program)
    if day is None:
        now = now or timezone.now()
        # Not ended yet; the bound on the start (no session lasts longer) lets the index on starts_at, in the
        # list's order, begin at the sessions under way instead of walking every past one.
        sessions = sessions.filter(ends_at__gt=now, starts_at__gt=now - LONGEST_SESSION)
    else:
        sessions = sessions.filter(local_date=day)
    if mentor is not None:
        sessions = sessions.filter(mentor=mentor)
    if status:
        sessions = sessions.filter(status=status)
    return sessions


def sessions_of_person(user: User) -> QuerySet[MentorshipSession]:
    """Every session ``user`` mentors or is booked into, in every program (not drafts of others)."""
    with scopes_disabled():
        # A union of the two roles: each part is read through its indexes (the person's memberships, then the
        # sessions they mentor or their bookings), where one OR across both joins read every session.
        mentored = MentorshipSession.objects.filter(mentor__user=user).order_by().values("pk")
        booked = (
            MentorshipSession.objects.filter(bookings__mentee__user=user, bookings__status=BookingStatus.BOOKED)
            .exclude(status=SessionStatus.DRAFT)
            .order_by()
            .values("pk")
        )
        return _with_details(MentorshipSession.objects.filter(pk__in=mentored.union(booked)))


def my_sessions(user: User, *, now: datetime | None = None) -> tuple[QuerySet, QuerySet]:
    """``user``'s upcoming (soonest first) and past (latest first) sessions, in both roles, in every program."""
    now = now or timezone.now()
    with scopes_disabled():
        sessions = sessions_of_person(user)
        return sessions.filter(ends_at__gt=now), sessions.filter(ends_at__lte=now).order_by("-starts_at", "-pk")


class SessionCounts(NamedTuple):
    upcoming: int
    past: int
    first_end: datetime | None  # when the first upcoming one ends (and so becomes past)


def my_session_counts(user: User, *, now: datetime) -> SessionCounts:
    """How many sessions ``my_sessions(user, now=now)`` gives, upcoming and past, and when the first upcoming one
    ends, in one query."""
    with scopes_disabled():
        upcoming = Q(ends_at__gt=now)
        counts = sessions_of_person(user).aggregate(
            upcoming=Count("pk", filter=upcoming),
            past=Count("pk", filter=Q(ends_at__lte=now)),
            first_end=Min("ends_at", filter=upcoming),
        )
    return SessionCounts(counts["upcoming"], counts["past"], counts["first_end"])


def programs_of_person(user: User) -> list[int]:
    """The ids of the programs ``user`` is a member of, in any role (where their sessions are), sorted."""
    with scopes_disabled():
        ids = Membership._base_manager.filter(user=user, program__isnull=False).values_list("program_id", flat=True)
        return sorted(set(ids))


def cancel_notice(program: Program) -> timedelta:
    """How long before the start a mentee may still cancel their booking (the program's setting)."""
    hours = SessionSettings.objects.filter(program=program).values_list("cancel_notice_hours", flat=True).first()
    return timedelta(hours=SessionSettings.DEFAULT_CANCEL_NOTICE_HOURS if hours is None else hours)


def overlapping(
    mentor: Membership, starts_at: datetime, ends_at: datetime, *, exclude: Iterable[int] = ()
) -> MentorshipSession | None:
    """A published session of ``mentor`` overlapping [starts_at, ends_at), if any."""
    return (
        MentorshipSession.objects.filter(
            mentor=mentor, status=SessionStatus.PUBLISHED, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(pk__in=list(exclude))
        .first()
    )


# ---------------------------------------------------------------- requests in both directions (F6)


def session_requests_for(program: Program) -> QuerySet[SessionRequest]:
    """Every session request of ``program``, newest first, with both people."""
    return SessionRequest.objects.filter(program=program).select_related("mentee__user", "mentor__user")


def session_requests_of_mentor(mentor: Membership) -> QuerySet[SessionRequest]:
    """The requests sent to ``mentor``: open ones first, each newest first."""
    open_first = Case(When(state=RequestState.OPEN, then=Value(0)), default=Value(1))
    return session_requests_for(mentor.program).filter(mentor=mentor).order_by(open_first, "-created_at", "-pk")


def open_requests_of_mentor(mentor: Membership) -> QuerySet[SessionRequest]:
    return session_requests_for(mentor.program).filter(mentor=mentor, state=RequestState.OPEN)


def offers_for(program: Program) -> QuerySet[MentorOffer]:
    return MentorOffer.objects.filter(program=program).select_related("mentee__user", "mentor__user")


def offers_of_mentee(mentee: Membership) -> QuerySet[MentorOffer]:
    """The offers a mentee sees on "My Mentorship requests": pending first, then accepted; never dismissed."""
    pending_first = Case(When(state=OfferState.PENDING, then=Value(0)), default=Value(1))
    return (
        MentorOffer.objects.filter(program=mentee.program_id, mentee=mentee)  # the program's pk: not read again
        .select_related("mentee__user", "mentor__user")
        .exclude(state=OfferState.DISMISSED)
        .order_by(pending_first, "-created_at", "-pk")
    )


def open_requests_of_mentor_user(program: Program, user: User) -> QuerySet[SessionRequest]:
    """The open session requests sent to ``user`` as a mentor of ``program``."""
    return session_requests_for(program).filter(mentor__user=user, state=RequestState.OPEN)
