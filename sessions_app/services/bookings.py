"""Seats: booking and cancelling, never more booked than seats, nobody booked twice into one session.

Each write locks the session's row first (``select_for_update``), so bookings of one session queue up;
``seats_taken`` moves with it under the lock, and the database backs both rules (a check constraint on
``seats_taken <= seats``, a unique booking per mentee and session).
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mentorship import stamps
from organizations.models import Membership
from sessions_app import emails, selectors
from sessions_app.models import Booking, BookingStatus, MentorshipSession, SessionStatus
from sessions_app.services.errors import BookingError


def _locked(session: MentorshipSession) -> MentorshipSession:
    return MentorshipSession.objects.select_for_update().select_related("program", "mentor__user").get(pk=session.pk)


def check_bookable(session: MentorshipSession, mentee: Membership, mode: str) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise BookingError(_("This session is cancelled."))
    if session.starts_at <= timezone.now():
        raise BookingError(_("This session has already started."))
    if mode not in session.modes:
        raise BookingError(_("This session is not offered that way."))
    if session.bookings.filter(mentee=mentee, status=BookingStatus.BOOKED).exists():
        raise BookingError(_("You are already booked into this session."))
    if session.seats_taken >= session.seats:
        raise BookingError(_("This session has no seats left."))


@transaction.atomic
def booking_create(
    *, session: MentorshipSession, mentee: Membership, mode: str | None = None, added_by_mentor: bool = False
) -> Booking:
    """A seat for ``mentee`` in ``session`` (online or in person), or BookingError; both are emailed once the
    session is published (a mentee added to a draft is emailed when it is published)."""
    session = _locked(session)
    mode = mode or session.modes[0]
    if session.status == SessionStatus.DRAFT and not added_by_mentor:
        raise BookingError(_("This session is not published."))
    check_bookable(session, mentee, mode)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(session=session, mentee=mentee, mode=mode, added_by_mentor=added_by_mentor)
            MentorshipSession.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + 1)
            stamps.bump_programs([session.program_id])
    except IntegrityError as error:
        raise BookingError(_("This session has no seats left, or you are already booked into it.")) from error
    if session.status == SessionStatus.PUBLISHED:
        emails.session_booked(booking)
    if not added_by_mentor:
        # Booking one of a mentor's sessions accepts that mentor's pending "I want to mentor you!" (F6.2).
        from sessions_app.services.requests import offers_accept

        offers_accept(mentor=session.mentor, mentee=mentee)
    return booking


def may_cancel_until(booking: Booking):
    """The last moment the mentee may give up their seat: the start, less the program's notice."""
    return booking.session.starts_at - selectors.cancel_notice(booking.session.program)


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User, enforce_notice: bool) -> Booking:
    """Give up the seat; a mentee (``enforce_notice``) only up to the program's notice before the start."""
    session = _locked(booking.session)
    booking = Booking.objects.select_for_update().select_related("mentee__user").get(pk=booking.pk)
    booking.session = session
    if booking.status != BookingStatus.BOOKED:
        raise BookingError(_("This booking is already cancelled."))
    if enforce_notice and timezone.now() > may_cancel_until(booking):
        hours = int(selectors.cancel_notice(session.program).total_seconds() // 3600)
        raise BookingError(_("Bookings can be cancelled up to %(hours)s hours before the start.") % {"hours": hours})
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    MentorshipSession.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") - 1)
    stamps.bump_programs([session.program_id])
    if session.status == SessionStatus.PUBLISHED:
        emails.booking_cancelled(booking, by)
    return booking
