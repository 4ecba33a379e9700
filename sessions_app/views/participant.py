"""Mentees' and everyone's pages: a mentor's profile with "Book Session", cancelling a booking."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching.models import Pairing, PairingStatus
from mentorship.ratelimits import rate_limited
from organizations.decorators import tenant_view
from organizations.models import Role
from sessions_app import selectors
from sessions_app.forms import BookForm
from sessions_app.services.bookings import booking_cancel, booking_create
from sessions_app.services.errors import BookingError
from sessions_app.views.loaders import bookable_of_url, booking_of_url, mentor_of_url


@tenant_view(perm="organizations.view_program")
def mentor_profile(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """The mentor's public profile in the program, and the sessions the visitor may book."""
    mentor = mentor_of_url(request, pk)
    mentee = selectors.membership_of(request.user, request.program, Role.MENTEE)
    sessions = selectors.bookable_sessions(mentor, mentee) if request.program.self_booking_enabled else []
    for session in sessions:
        session.mine = mentee is not None and any(b.mentee_id == mentee.pk for b in session.booked)
    booking_on = request.program.self_booking_enabled
    paired = (
        mentee is not None
        and Pairing.objects.filter(mentor=mentor, mentee=mentee, status=PairingStatus.ACTIVE).exists()
    )
    context = {
        "mentor": mentor,
        "person": mentor.user,
        "sessions": sessions if booking_on else [],
        "may_book": mentee is not None and booking_on,
        "booking_on": booking_on,
        "paired": paired,
        # "Request a Session" (F6.1), for a mentee when the program has the flow on.
        "may_request": mentee is not None and request.program.mentee_requests_enabled,
    }
    return render(request, "sessions_app/mentor_profile.html", context)


@tenant_view(perm="sessions_app.book_session", obj=bookable_of_url)
@require_POST
@rate_limited("booking")
def book(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """ "Book Session": a seat for the visiting mentee, online or in person as they chose."""
    session = bookable_of_url(request, pk)
    mentee = selectors.membership_of(request.user, request.program, Role.MENTEE)
    form = BookForm(request.POST)
    mode = form.cleaned_data["mode"] if form.is_valid() else None
    if len(session.modes) > 1 and mode is None:
        messages.error(request, _("Choose Online or In-Person to book this session."))
    else:
        try:
            booking_create(session=session, mentee=mentee, mode=mode or session.modes[0])
        except BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The session is booked. It is on My Sessions, and you were emailed."))
    return redirect("sessions:mentor", request.organization.slug, request.program.slug, session.mentor_id)


@tenant_view(perm="sessions_app.cancel_booking", obj=booking_of_url)
@require_POST
@rate_limited("session_change")
def booking_cancel_view(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """Give up a seat: the mentee up to the program's notice; the mentor or an admin at any time."""
    booking = booking_of_url(request, pk)
    enforce_notice = not request.user.has_perm("sessions_app.edit_session", booking.session)
    try:
        booking_cancel(booking=booking, by=request.user, enforce_notice=enforce_notice)
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The booking is cancelled."))
    return redirect("my_sessions")
