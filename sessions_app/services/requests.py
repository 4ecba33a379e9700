"""Requests in both directions (F6): a mentee's "Request a Session", a mentor's "I want to mentor you!".

Every change of state is a conditional update (``filter(state=...).update(...)``): of two answers at once,
one wins and the other finds the request already answered. A mentee's requests are counted under their
membership's row lock, so two requests at once cannot both pass the daily limit.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import Pairing, PairingSource, PairingStatus
from matching.services.pairing import PairingError, pairing_create
from mentorship import stamps
from organizations.models import Membership, Role
from sessions_app import emails
from sessions_app.models import (
    MentorOffer,
    MentorshipSession,
    OfferState,
    RequestState,
    SessionRequest,
    SessionSettings,
)

# The mentee's row lock that serialises their requests (the daily limit); off only in the test that proves
# the race exists without it (tests/sessions_app/test_request_races.py).
LOCK_MENTEE = True


class RequestError(Exception):
    """Why a request cannot be sent or answered, in words for the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def settings_of(program) -> SessionSettings:
    return SessionSettings.objects.filter(program=program).first() or SessionSettings(program=program)


def _check_pair(mentor: Membership, mentee: Membership) -> None:
    if mentor.role != Role.MENTOR or mentee.role != Role.MENTEE or mentor.program_id != mentee.program_id:
        raise RequestError(_("Requests go between a mentor and a mentee of one program."))


@transaction.atomic
def session_request_create(*, mentee: Membership, mentor: Membership, message: str = "") -> SessionRequest:
    """ "Request a Session": one open request per mentee and mentor, at most the program's number a day.

    The mentor is emailed; a pending offer of this mentor to the mentee is accepted by it.
    """
    _check_pair(mentor, mentee)
    program = mentee.program
    if LOCK_MENTEE:
        list(Membership.objects.select_for_update().filter(pk=mentee.pk).values_list("pk", flat=True))
    if SessionRequest.objects.filter(mentee=mentee, mentor=mentor, state=RequestState.OPEN).exists():
        raise RequestError(_("You already have an open request with this mentor. They will answer it."))
    limit = settings_of(program).requests_per_day
    since = timezone.now() - timedelta(days=1)
    if SessionRequest.objects.filter(mentee=mentee, created_at__gte=since).count() >= limit:
        raise RequestError(
            _(
                "You have sent %(count)s session requests in the last 24 hours, the most this program allows. "
                "Try again tomorrow."
            )
            % {"count": limit}
        )
    try:
        with transaction.atomic():
            request = SessionRequest.objects.create(
                program=program, mentee=mentee, mentor=mentor, message=message.strip()
            )
    except IntegrityError as error:
        raise RequestError(_("You already have an open request with this mentor. They will answer it.")) from error
    offers_accept(mentor=mentor, mentee=mentee)
    emails.session_requested(request)
    return request


def session_request_decline(*, request: SessionRequest, note: str = "") -> SessionRequest:
    """The mentor declines with a note; the mentee is emailed. RequestError if it was already answered."""
    done = SessionRequest.objects.filter(pk=request.pk, state=RequestState.OPEN).update(
        state=RequestState.DECLINED, decline_note=note.strip(), answered_at=timezone.now()
    )
    if not done:
        raise RequestError(_("This request was already answered."))
    stamps.bump_programs([request.program_id])
    request.refresh_from_db()
    emails.session_request_declined(request)
    return request


@transaction.atomic
def session_request_schedule(*, request: SessionRequest, session: MentorshipSession) -> bool:
    """The mentor scheduled ``session`` with the requesting mentee: the request is scheduled (the mentee was
    told by the session's own email). False if it was already answered."""
    done = SessionRequest.objects.filter(pk=request.pk, state=RequestState.OPEN).update(
        state=RequestState.SCHEDULED, session=session, answered_at=timezone.now()
    )
    if done:
        stamps.bump_programs([request.program_id])
        pair_if_set(mentor=request.mentor, mentee=request.mentee)
    return bool(done)


@transaction.atomic
def mentor_offer_create(*, mentor: Membership, mentee: Membership, message: str = "") -> MentorOffer:
    """ "I want to mentor you!": one pending offer per mentor and mentee; the mentee is emailed."""
    _check_pair(mentor, mentee)
    if Pairing.objects.filter(mentee=mentee, status=PairingStatus.ACTIVE).exists():
        raise RequestError(_("%(name)s already has a mentor.") % {"name": mentee.user})
    try:
        with transaction.atomic():
            offer = MentorOffer.objects.create(
                program=mentor.program, mentor=mentor, mentee=mentee, message=message.strip()
            )
    except IntegrityError as error:
        raise RequestError(_("Your request to this mentee is still pending.")) from error
    emails.mentor_offered(offer)
    return offer


def mentor_offer_dismiss(*, offer: MentorOffer) -> bool:
    """The mentee dismisses the offer; the mentor is not told. False if it was no longer pending."""
    dismissed = MentorOffer.objects.filter(pk=offer.pk, state=OfferState.PENDING).update(
        state=OfferState.DISMISSED, answered_at=timezone.now()
    )
    if dismissed:
        stamps.bump_programs([offer.program_id])
    return bool(dismissed)


def offers_accept(*, mentor: Membership, mentee: Membership) -> int:
    """The mentee booked or requested a session with ``mentor``: that mentor's pending offer is accepted."""
    accepted = MentorOffer.objects.filter(mentor=mentor, mentee=mentee, state=OfferState.PENDING).update(
        state=OfferState.ACCEPTED, answered_at=timezone.now()
    )
    if accepted:
        stamps.bump_programs([mentor.program_id])
        pair_if_set(mentor=mentor, mentee=mentee)
    return accepted


def pair_if_set(*, mentor: Membership, mentee: Membership) -> Pairing | None:
    """With the program's "a session between them pairs them", pair them if the mentor has a free place and
    the mentee no mentor yet (``pairing_create`` checks the capacity under the mentor's row lock)."""
    if not settings_of(mentor.program).session_pairs:
        return None
    if Pairing.objects.filter(mentee=mentee, status=PairingStatus.ACTIVE).exists():
        return None
    try:
        with transaction.atomic():
            return pairing_create(
                program=mentor.program, mentor=mentor, mentee=mentee, by=None, source=PairingSource.SESSION
            )
    except PairingError:
        return None
