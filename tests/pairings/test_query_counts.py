"""The pairing pages run as many queries with 50 rows as with 2."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching.models import Pairing
from mentorship.pairings.models import Agreement, FeedbackRequest, Goal, Message
from organizations.models import Membership, Role
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


def test_program_overview_reads_the_visitor_s_pairings_once(client, program, mentor):
    """The next steps, the conversations panel and the schedule links list the same active pairings: one read."""
    mentees = [member(program, Role.MENTEE, full_name=name).memberships.get() for name in ("Ada One", "Bea Two")]
    for mentee in mentees:
        Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
    client.force_login(mentor.user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(program_url(program, "portal:program")).content.decode()
    for mentee in mentees:  # a link to schedule with each (in the page's language), and each in the conversations
        assert f"?mentee={mentee.pk}" in page and page.count(mentee.user.full_name) >= 2
    pairing_reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "matching_pairing"."id"')]
    assert len(pairing_reads) == 1  # the visitor's, for every panel


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


def test_cycle_survey_page(client, program, mentee):
    from mentorship.pairings.models import CycleSurvey

    survey = CycleSurvey.objects.create(program=program, respondent=mentee, cycle_ends_on=date.today())

    def add(n):
        for _ in range(n):  # other people's surveys and the mentee's of earlier cycles
            other = member(program, Role.MENTOR).memberships.get()
            CycleSurvey.objects.create(program=program, respondent=other, cycle_ends_on=date.today())
            earliest = CycleSurvey.objects.filter(respondent=mentee).order_by("cycle_ends_on").first().cycle_ends_on
            CycleSurvey.objects.create(program=program, respondent=mentee, cycle_ends_on=earliest - timedelta(days=1))

    client.force_login(mentee.user)
    assert_constant_queries(client, program_url(program, "pairings:cycle_survey", survey.pk), add)


def test_feedback_form_shared_with_the_pair(client, program, pairing, mentor, mentee):
    from mentorship.pairings.models import FeedbackQuestion, PairingSettings

    PairingSettings.objects.create(program=program, feedback_shared_with_pair=True)
    session = ended_session(mentor, mentee)
    now = timezone.now()
    mine = FeedbackRequest.objects.create(
        program=program, pairing=pairing, session=session, respondent=mentee, rating=3, answered_at=now
    )
    theirs = FeedbackRequest.objects.create(
        program=program, pairing=pairing, session=session, respondent=mentor, rating=4, answered_at=now
    )

    def add(n):
        questions = FeedbackQuestion.objects.bulk_create(
            FeedbackQuestion(program=program, text=f"q{i}") for i in range(n)
        )
        theirs.answers.update({str(q.pk): "yes" for q in questions})
        theirs.save(update_fields=["answers"])

    client.force_login(mentee.user)
    url = program_url(program, "pairings:feedback", mine.pk)
    assert_constant_queries(client, url, add)
    assert "q47" in client.get(url).content.decode()


def _previous_cycle_of(program):
    from mentorship.pairings.models import ProgramCycle
    from organizations.models import Program

    old = Program.objects.create(organization=program.organization, name="Before", slug="before")
    ProgramCycle.objects.create(program=program, previous=old, first=old)
    Program.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))
    return old


def test_cycle_page_with_alumni(client, program, program_admin):
    old = _previous_cycle_of(program)

    def add(n):
        for _ in range(n):
            user = member(old, Role.MENTEE)
            Membership.objects.create(organization=program.organization, program=program, user=user, role=Role.MENTEE)
            member(old, Role.MENTOR)

    client.force_login(program_admin)
    assert_constant_queries(client, program_url(program, "pairings:cycle"), add)


def test_cycle_invite_review(client, program, program_admin):
    old = _previous_cycle_of(program)

    def add(n):
        for _ in range(n):
            member(old, Role.MENTEE)
            member(old, Role.MENTOR)

    client.force_login(program_admin)
    assert_constant_queries(client, program_url(program, "pairings:cycle_invite"), add)


def test_cycle_new_form(client, program, program_admin):
    from mentorship.pairings.models import FeedbackQuestion
    from tests.factories import Survey

    def add(n):
        for _ in range(n // 4 or 1):
            Survey(program)
        FeedbackQuestion.objects.bulk_create(FeedbackQuestion(program=program, text=f"q{i}") for i in range(n))

    client.force_login(program_admin)
    assert_constant_queries(client, program_url(program, "pairings:cycle_new"), add)
