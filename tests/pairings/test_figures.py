"""The dashboard figures of pairings count what happened, and never carry a pair's text."""

from datetime import date, timedelta

from django.utils import timezone

from matching.models import Pairing
from mentorship.pairings import figures
from mentorship.pairings.models import Agreement, FeedbackRequest, Goal, Message
from organizations.models import Role
from tests.factories import member
from tests.pairings.test_feedback import ended_session


def test_figures(program, pairing, mentor, mentee):
    quiet_mentee = member(program, Role.MENTEE).memberships.get()
    quiet = Pairing.objects.create(program=program, mentor=mentor, mentee=quiet_mentee)
    Pairing.objects.filter(pk=quiet.pk).update(created_at=timezone.now() - timedelta(days=40))
    Message.objects.create(program=program, pairing=pairing, author=mentee, body="Secret words")
    agreement = Agreement.objects.create(program=program, pairing=pairing, learning="x", frequency="x", status="signed")
    for title, done in (("a", True), ("b", False)):
        Goal.objects.create(
            program=program,
            agreement=agreement,
            title=title,
            target_date=date.today(),
            done_at=timezone.now() if done else None,
        )
    session = ended_session(mentor, mentee)
    FeedbackRequest.objects.create(
        program=program, pairing=pairing, session=session, respondent=mentee, rating=3, answered_at=timezone.now()
    )
    FeedbackRequest.objects.create(
        program=program, pairing=pairing, session=session, respondent=mentor, rating=4, answered_at=timezone.now()
    )
    result = figures.program_figures(program)
    assert result == figures.PairingFigures(
        active_pairs=2,
        pairs_talked=1,
        agreements_signed=1,
        goals_total=2,
        goals_done=1,
        average_rating=3.5,
        feedback_answers=2,
        needs_check_in=1,
    )
    assert [p.pk for p in figures.needs_check_in_pairs(program)] == [quiet.pk]
    csv = figures.pairs_csv(program)
    assert "Paul Mentee" in csv and "Secret words" not in csv
