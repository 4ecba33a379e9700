"""Demo life of pairings (issue 16): pairs with a conversation, an agreement, feedback, and one quiet pair."""

from datetime import time, timedelta

from django.utils import timezone

from matching.models import Pairing, PairingSource, PairingStatus
from mentorship.devtools.demo_sessions import _input
from mentorship.pairings.models import Agreement, AgreementStatus, FeedbackRequest, Goal, Message
from organizations.models import Membership, Program
from sessions_app.models import MentorshipSession
from sessions_app.services.bookings import booking_create
from sessions_app.services.sessions import session_save


def _pair(program: Program, mentor: Membership, mentee: Membership) -> Pairing:
    existing = Pairing.objects.filter(program=program, mentee=mentee, status=PairingStatus.ACTIVE).first()
    return existing or Pairing.objects.create(
        program=program, mentor=mentor, mentee=mentee, source=PairingSource.MANUAL
    )


def seed_demo_pairings(program: Program, mentors: list[Membership], mentees: list[Membership]) -> int:
    """Create the demo pairs once (nothing if the program has messages); returns how many pairs are active."""
    active = Pairing.objects.filter(program=program, status=PairingStatus.ACTIVE)
    if Message.objects.filter(program=program).exists() or not mentors or len(mentees) < 2:
        return active.count()
    now = timezone.now()
    talking = _pair(program, mentors[0], mentees[0])
    lines = [
        (talking.mentee, "Hello! Thank you for taking me on. Could we talk about public speaking?"),
        (talking.mentor, "Gladly. Here is a talk I like: https://example.org/talks/speaking"),
        (talking.mentee, "Thanks, I will watch it before our session."),
    ]
    for minutes, (author, body) in zip((90, 60, 30), lines, strict=True):
        message = Message.objects.create(program=program, pairing=talking, author=author, body=body)
        Message.objects.filter(pk=message.pk).update(created_at=now - timedelta(minutes=minutes), notified_at=now)
    agreement = Agreement.objects.create(
        program=program,
        pairing=talking,
        learning="Speak with confidence in meetings and at one public event.",
        frequency="Every two weeks",
        meeting_format="Online, one hour",
        status=AgreementStatus.SIGNED,
        signed_at=now,
    )
    for order, (title, days, done) in enumerate(
        [("Give a five-minute talk at the team meeting", 20, True), ("Speak at a local meetup", 75, False)]
    ):
        Goal.objects.create(
            program=program,
            agreement=agreement,
            order=order,
            title=title,
            target_date=(now + timedelta(days=days)).date(),
            done_at=now if done else None,
        )
    # A past session between the two, with both people's feedback.
    session = session_save(
        data=_input(talking.mentor, timezone.localdate() + timedelta(days=2), time(9)),
        program=program,
        by=talking.mentor.user,
        publish=True,
    )
    booking_create(session=session, mentee=talking.mentee)
    start = now - timedelta(days=3)
    MentorshipSession.objects.filter(pk=session.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=1), local_date=start.date()
    )
    for person, rating, note in ((talking.mentee, 4, "Very helpful."), (talking.mentor, 3, "")):
        FeedbackRequest.objects.create(
            program=program,
            pairing=talking,
            session=session,
            respondent=person,
            asks_fit=True,
            rating=rating,
            went_well="Clear next steps",
            private_note=note,
            fit="good",
            answered_at=now - timedelta(days=2),
        )
    # A pair that went quiet: paired 45 days ago, nothing since.
    quiet = _pair(program, mentors[-1], mentees[1])
    Pairing.objects.filter(pk=quiet.pk).update(created_at=now - timedelta(days=45))
    return active.count()
