"""The objects a session page is about, fetched through the tenant (404 outside it, or out of sight)."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from organizations.models import Membership, Program, Role
from sessions_app import selectors
from sessions_app.models import Booking, MentorOffer, MentorshipSession, SessionRequest


def session_of_url(request: HttpRequest, pk: int) -> MentorshipSession:
    return get_object_or_404(selectors.sessions_for(request.program), pk=pk)


def bookable_of_url(request: HttpRequest, pk: int) -> MentorshipSession:
    """A session the visitor may see: for a mentee, a published one open to their groups (else 404)."""
    require_flow(request, SELF_BOOKING)
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


# A flow the program switched off (F6.4) answers 404, before any role check.
MENTEE_REQUESTS = "mentee_requests_enabled"
MENTOR_OFFERS = "mentor_offers_enabled"
SELF_BOOKING = "self_booking_enabled"


def require_flow(request: HttpRequest, flow: str) -> None:
    if not getattr(request.program, flow):
        raise Http404


def program_with(flow: str):
    """A loader for ``tenant_view``: the program, or 404 when ``flow`` is off."""

    def loader(request: HttpRequest, **_url_kwargs) -> Program:
        require_flow(request, flow)
        return request.program

    return loader


def session_request_of_url(request: HttpRequest, pk: int) -> SessionRequest:
    require_flow(request, MENTEE_REQUESTS)
    requests = SessionRequest.objects.filter(program=request.program).select_related(
        "mentee__user", "mentor__user", "program__organization"
    )
    return get_object_or_404(requests, pk=pk)


def mentor_offer_of_url(request: HttpRequest, pk: int) -> MentorOffer:
    require_flow(request, MENTOR_OFFERS)
    offers = MentorOffer.objects.filter(program=request.program).select_related(
        "mentee__user", "mentor__user", "program__organization"
    )
    return get_object_or_404(offers, pk=pk)


def mentee_of_url(request: HttpRequest, pk: int) -> Membership:
    require_flow(request, MENTOR_OFFERS)
    return get_object_or_404(selectors.mentees_for(request.program), pk=pk)


def requestable_mentor_of_url(request: HttpRequest, pk: int) -> Membership:
    require_flow(request, MENTEE_REQUESTS)
    return mentor_of_url(request, pk)
