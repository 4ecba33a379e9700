"""The pairing pages run as many queries with 50 rows as with 2."""

from datetime import date

from django.utils import timezone

from matching.models import Pairing
from mentorship.pairings.models import Agreement, FeedbackRequest, Goal, Message
from organizations.models import Role
from tests.factories import member
from tests.helpers import assert_constant_queries
from tests.pairings.conftest import program_url
from tests.pairings.test_feedback import ended_session


def test_conversation(client, program, pairing, mentee):
    def add(n):
        Message.objects.bulk_create(
            Message(program=program, pairing=pairing, author=mentee, body=f"m{i}") for i in range(n)
        )

    client.force_login(mentee.user)
    assert_constant_queries(client, program_url(program, "pairings:conversation", pairing.pk), add)


def test_activity(client, program, mentor, program_admin):
    def add(n):
        for _ in range(n):
            mentee = member(program, Role.MENTEE).memberships.get()
            pairing = Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
            message = Message.objects.create(program=program, pairing=pairing, author=mentee, body="x")
            Message.objects.filter(pk=message.pk).update(reported_at=timezone.now(), reported_by=mentor.user)
            agreement = Agreement.objects.create(program=program, pairing=pairing, learning="x", frequency="x")
            Goal.objects.create(program=program, agreement=agreement, title="g", target_date=date.today())

    client.force_login(program_admin)
    assert_constant_queries(client, program_url(program, "pairings:activity"), add)


def test_agreement(client, program, pairing, mentee):
    agreement = Agreement.objects.create(program=program, pairing=pairing, learning="x", frequency="x")

    def add(n):
        Goal.objects.bulk_create(
            Goal(program=program, agreement=agreement, title=f"g{i}", target_date=date.today()) for i in range(n)
        )

    client.force_login(mentee.user)
    assert_constant_queries(client, program_url(program, "pairings:agreement", pairing.pk), add)


def test_feedback_overview(client, program, mentor, program_admin):
    def add(n):
        for _ in range(n):
            mentee = member(program, Role.MENTEE).memberships.get()
            own_mentor = member(program, Role.MENTOR).memberships.get()  # sessions of one mentor may not overlap
            pairing = Pairing.objects.create(program=program, mentor=own_mentor, mentee=mentee)
            session = ended_session(own_mentor, mentee)
            FeedbackRequest.objects.create(
                program=program,
                pairing=pairing,
                session=session,
                respondent=mentee,
                rating=3,
                answered_at=timezone.now(),
            )

    client.force_login(program_admin)
    assert_constant_queries(client, program_url(program, "pairings:feedback_overview"), add)


def test_feedback_form(client, program, pairing, mentor, mentee):
    from mentorship.pairings.models import FeedbackQuestion

    session = ended_session(mentor, mentee)
    asked = FeedbackRequest.objects.create(program=program, pairing=pairing, session=session, respondent=mentee)

    def add(n):
        FeedbackQuestion.objects.bulk_create(FeedbackQuestion(program=program, text=f"q{i}") for i in range(n))

    client.force_login(mentee.user)
    assert_constant_queries(client, program_url(program, "pairings:feedback", asked.pk), add)


def test_program_overview_with_conversations(client, program, mentor):
    def add(n):
        for _ in range(n):
            mentee = member(program, Role.MENTEE).memberships.get()
            Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)

    client.force_login(mentor.user)
    assert_constant_queries(client, program_url(program, "portal:program"), add)


def test_cycle_page(client, program, mentor, program_admin):
    from mentorship.pairings.models import CycleSurvey

    def add(n):
        for _ in range(n):
            mentee = member(program, Role.MENTEE).memberships.get()
            Pairing.objects.create(
                program=program,
                mentor=mentor,
                mentee=mentee,
                status="ended",
                end_reason="completed",
                ended_at=timezone.now(),
            )
            CycleSurvey.objects.create(
                program=program,
                respondent=mentee,
                cycle_ends_on=date.today(),
                satisfaction=9,
                answered_at=timezone.now(),
            )

    client.force_login(program_admin)
    assert_constant_queries(client, program_url(program, "pairings:cycle"), add)
