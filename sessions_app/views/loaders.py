"""The objects a session page is about, fetched through the tenant (404 outside it, or out of sight)."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from organizations.models import Membership, Role
from sessions_app import selectors
from sessions_app.models import Booking, MentorshipSession


def session_of_url(request: HttpRequest, pk: int) -> MentorshipSession:
    return get_object_or_404(selectors.sessions_for(request.program), pk=pk)


def bookable_of_url(request: HttpRequest, pk: int) -> MentorshipSession:
    """A session the visitor may see: for a mentee, a published one open to their groups (else 404)."""
    mentee = selectors.membership_of(request.user, request.program, Role.MENTEE)
    sessions = selectors.sessions_for(request.program)
    if mentee is not None:
        sessions = selectors.visible_to(sessions, mentee)
    return get_object_or_404(sessions, pk=pk)


def booking_of_url(request: HttpRequest, pk: int) -> Booking:
    bookings = Booking.objects.filter(session__program=request.program)
    return get_object_or_404(
        bookings.select_related("session__mentor__user", "session__program", "mentee__user"), pk=pk
    )


def mentor_of_url(request: HttpRequest, pk: int) -> Membership:
    return get_object_or_404(selectors.mentors_for(request.program), pk=pk)
