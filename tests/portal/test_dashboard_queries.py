"""The dashboards, My mentees and the attendance page run as many queries with many rows as with few."""

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import Answer, Pairing, Question
from mentorship import stamps
from mentorship.oversight.models import Attendance
from mentorship.oversight.services import DateInput, activity_save, observation_add
from mentorship.pairings.models import Agreement, CheckIn, CycleSurvey, FeedbackRequest, Goal, Message
from organizations.models import Invitation, Role
from sessions_app.models import Booking, MentorshipSession
from tests.factories import ProgramFactory, member
from tests.helpers import assert_constant_queries
from tests.sessions_app.factories import in_days, make_session


@pytest.fixture
def world(db):
    program = ProgramFactory(cycle_ends_on=date(2027, 6, 30))
    admin = member(program, Role.PROGRAM_ADMIN)
    mentor = member(program, Role.MENTOR).memberships.get()
    question = Question.objects.create(program=program, kind="text", text="Goals?", required=True)
    activity = activity_save(
        program=program,
        by=admin,
        name="Club",
        description="",
        time_zone="UTC",
        mentees=[],
        mentors=[mentor],
        dates=[DateInput(date(2026, 1, 5), time(10), time(11))],
    )
    return program, admin, mentor, question, activity


def _add(world):
    program, admin, mentor, question, activity = world
    day = activity.dates.get()
    made = []

    def add(n: int) -> None:
        for _ in range(n):
            number = len(made)
            mentee = member(program, Role.MENTEE).memberships.get()
            mentor_n = member(program, Role.MENTOR).memberships.get()
            Answer.objects.create(membership=mentee, question=question, value="yes")
            pairing = Pairing.objects.create(program=program, mentor=mentor if number % 2 else mentor_n, mentee=mentee)
            activity.mentees.add(mentee)
            Attendance.objects.create(date=day, mentee=mentee, status="present")
            Invitation.objects.create(
                organization=program.organization,
                program=program,
                email=f"i{number}@example.org",
                role=Role.MENTEE,
                token_hash=f"hash-{number}",
                expires_at=timezone.now() + timedelta(days=3),
            )
            session = make_session(mentor_n, day=in_days(2 + number), mentee=mentee)
            start = timezone.now() - timedelta(days=number + 1)
            MentorshipSession.objects.filter(pk=session.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
            Booking.objects.filter(session=session).update(attendance="attended")
            # The life of the pairing: a message, a signed agreement with goals, feedback, a survey answer,
            # and every other pair quiet (made long ago) and reminded.
            Message.objects.create(program=program, pairing=pairing, author=mentee, body="Hello")
            agreement = Agreement.objects.create(
                program=program, pairing=pairing, learning="x", frequency="x", status="signed", signed_at=start
            )
            for done in (start, None):
                Goal.objects.create(
                    program=program, agreement=agreement, title="g", target_date=date(2027, 1, 1), done_at=done
                )
            FeedbackRequest.objects.create(
                program=program, pairing=pairing, session=session, respondent=mentee, rating=3, answered_at=start
            )
            CycleSurvey.objects.create(
                program=program, respondent=mentee, cycle_ends_on=date(2027, 6, 30), satisfaction=9, answered_at=start
            )
            if number % 2:
                Pairing.objects.filter(pk=pairing.pk).update(created_at=start - timedelta(days=90))
                Message.objects.filter(pairing=pairing).update(created_at=start - timedelta(days=90))
                FeedbackRequest.objects.filter(pairing=pairing).update(answered_at=start - timedelta(days=90))
                CheckIn.objects.create(program=program, pairing=pairing, reminded_at=start)
            observation_add(
                author=mentor, mentee=mentee, observed_on=date(2026, 1, 5), text="Fine", visibility="shared"
            )
            made.append(mentee)

    return add


def _committed(capture, add):
    """``add`` with its writes committed, as a request's are: the programs' stamps are new (issue 9)."""

    def committed(n: int) -> None:
        with capture(execute=True):
            add(n)

    return committed


def _computed_queries(client, url: str, capture, programs) -> int:
    """The queries of a view that computes the figures: the first after a write to the programs."""
    client.get(url)
    with capture(execute=True):
        stamps.bump_programs([p.pk for p in programs])
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_program_dashboard(client, world, django_capture_on_commit_callbacks):
    program, admin = world[0], world[1]
    client.force_login(admin)
    url = reverse("portal:dashboard", args=[program.organization.slug, program.slug])
    add = _committed(django_capture_on_commit_callbacks, _add(world))
    add(2)
    computed = _computed_queries(client, url, django_capture_on_commit_callbacks, [program])
    queries = assert_constant_queries(client, url, add, few=0, many=23)
    assert queries <= 10, queries  # the figures kept: the stamp, the page's own rows
    assert _computed_queries(client, url, django_capture_on_commit_callbacks, [program]) == computed
    assert computed <= 30, computed
    text = client.get(url).content.decode()
    # The rows the page counted: 12 of the 25 pairs went quiet, every pair talked and signed.
    assert "number of quiet days (30): 12;" in text
    assert '<th scope="row">Active pairs that have talked</th><td>25</td>' in text


def test_organization_dashboard(client, world, django_capture_on_commit_callbacks):
    program = world[0]
    client.force_login(member(program, Role.ORGANIZATION_ADMIN))
    url = reverse("portal:organization_dashboard", args=[program.organization.slug])
    add_rows = _add(world)

    def add_with_programs(n: int) -> None:
        add_rows(n)
        for _ in range(n // 5 + 1):
            member(ProgramFactory(organization=program.organization), Role.MENTEE)

    add = _committed(django_capture_on_commit_callbacks, add_with_programs)
    programs = program.organization.programs
    add(2)
    computed = _computed_queries(client, url, django_capture_on_commit_callbacks, programs.all())
    assert_constant_queries(client, url, add, few=0, many=23)
    assert _computed_queries(client, url, django_capture_on_commit_callbacks, programs.all()) == computed
    text = client.get(url).content.decode()
    assert text.count('<th scope="row">Program ') == programs.count() == 8  # 1, then 1, 1 and 5 more


def test_my_mentees(client, world):
    program, mentor = world[0], world[2]
    client.force_login(mentor.user)
    url = reverse("oversight:my_mentees", args=[program.organization.slug, program.slug])
    assert_constant_queries(client, url, _add(world), few=2, many=25)


def test_a_mentees_follow_up_page(client, world):
    """One mentee with few and many dates, sessions and observations."""
    program, admin, mentor, _question, activity = world
    mentee = member(program, Role.MENTEE).memberships.get()
    activity.mentees.add(mentee)
    Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
    client.force_login(mentor.user)
    made = []

    def add(n: int) -> None:
        for _ in range(n):
            number = len(made)
            activity_save(
                program=program,
                by=admin,
                name=f"Act {number}",
                description="",
                time_zone="UTC",
                mentees=[mentee],
                mentors=[mentor],
                dates=[DateInput(date(2026, 2, 1) + timedelta(days=number), time(9), time(10))],
            )
            make_session(mentor, day=in_days(2 + number), mentee=mentee)
            observation_add(
                author=mentor, mentee=mentee, observed_on=date(2026, 1, 5), text="Fine", visibility="shared"
            )
            made.append(number)

    url = reverse("oversight:mentee", args=[program.organization.slug, program.slug, mentee.pk])
    assert_constant_queries(client, url, add, few=2, many=20)


def test_the_attendance_page(client, world):
    program, admin, _mentor, _question, activity = world
    day = activity.dates.get()
    client.force_login(admin)

    def add(n: int) -> None:
        for _ in range(n):
            mentee = member(program, Role.MENTEE).memberships.get()
            activity.mentees.add(mentee)
            Attendance.objects.create(date=day, mentee=mentee, status="absent", note="Ill")

    url = reverse("oversight:attendance", args=[program.organization.slug, program.slug, activity.pk, day.pk])
    assert_constant_queries(client, url, add, few=2, many=50)


def test_the_activities_page(client, world):
    program, admin, mentor = world[0], world[1], world[2]
    client.force_login(admin)
    made = []

    def add(n: int) -> None:
        for _ in range(n):
            made.append(
                activity_save(
                    program=program,
                    by=admin,
                    name=f"Act {len(made)}",
                    description="",
                    time_zone="UTC",
                    mentees=[],
                    mentors=[mentor],
                    dates=[DateInput(date(2026, 2, 1), time(9), time(10))],
                )
            )

    url = reverse("oversight:activities", args=[program.organization.slug, program.slug])
    assert_constant_queries(client, url, add, few=2, many=30)


def test_the_observations_page(client, world):
    program, admin = world[0], world[1]
    client.force_login(admin)
    url = reverse("oversight:observations", args=[program.organization.slug, program.slug])
    assert_constant_queries(client, url, _add(world), few=2, many=20)
