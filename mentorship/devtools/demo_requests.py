"""Demo requests for seed_demo (F6): session requests and mentor offers in every state, made once."""

from django.utils import timezone

from organizations.models import Membership, Program
from sessions_app.models import MentorOffer, MentorshipSession, OfferState, RequestState, SessionRequest


def seed_demo_requests(program: Program, mentors: list[Membership], mentees: list[Membership]) -> int:
    """Requests open, scheduled and declined, offers pending, dismissed and accepted; returns how many exist.

    Rows only (no emails): the demo's people should not find a mailbox full of them.
    """
    existing = SessionRequest.objects.filter(program=program).count()
    if existing or not mentors or not mentees:
        return existing
    now = timezone.now()
    first, other = mentors[0], mentors[-1]
    mentee, last = mentees[0], mentees[-1]
    session = MentorshipSession.objects.filter(program=program, mentor=first).order_by("starts_at").first()
    SessionRequest.objects.create(
        program=program, mentee=mentee, mentor=first, message="Could we talk about my first interviews?"
    )
    SessionRequest.objects.create(
        program=program,
        mentee=last,
        mentor=first,
        message="I would like help with my CV.",
        state=RequestState.SCHEDULED,
        session=session,
        answered_at=now,
    )
    SessionRequest.objects.create(
        program=program,
        mentee=mentee,
        mentor=other,
        message="Are you free next week?",
        state=RequestState.DECLINED,
        decline_note="I am away this month; please ask again in a few weeks.",
        answered_at=now,
    )
    MentorOffer.objects.create(program=program, mentor=other, mentee=last, message="I would be glad to mentor you.")
    MentorOffer.objects.create(
        program=program, mentor=first, mentee=mentee, state=OfferState.DISMISSED, answered_at=now
    )
    MentorOffer.objects.create(program=program, mentor=first, mentee=last, state=OfferState.ACCEPTED, answered_at=now)
    return SessionRequest.objects.filter(program=program).count()
