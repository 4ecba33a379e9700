"""A mentor's home: their waiting ranked requests (deadline in their time zone, a countdown, a link) and the
open "Request a Session" requests from mentees (F4.3, F6.1), in a constant number of queries."""

import zoneinfo

import pytest
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from matching.models import RequestState as RankedState
from matching.services.requests import select_mentors
from organizations.models import Role
from sessions_app.models import RequestState, SessionRequest
from tests.factories import MembershipFactory, ProgramFactory, member
from tests.helpers import assert_constant_queries, forget_kept

TORONTO = "America/Toronto"


@pytest.fixture
def program(db):
    return ProgramFactory(name="Career Starts", default_capacity=3)


@pytest.fixture
def mentor(program):
    return member(program, Role.MENTOR, full_name="Maria Mentor", timezone=TORONTO).memberships.get()


def mentee_of(program, name: str):
    return member(program, Role.MENTEE, full_name=name).memberships.get()


def ranked_request(program, mentor, mentee):
    selection = select_mentors(
        program=program, mentee=mentee, mentor_ids=[mentor.pk], allowed={mentor.pk: (70.0, [])}, by=None
    )
    return selection.requests.get()


def in_toronto(moment) -> str:
    return formats.date_format(moment.astimezone(zoneinfo.ZoneInfo(TORONTO)), "DATETIME_FORMAT")


def test_home_lists_the_waiting_requests_with_their_deadline_in_the_mentors_time_zone(client, program, mentor):
    waiting = ranked_request(program, mentor, mentee_of(program, "Paul Mentee"))
    answered = ranked_request(program, mentor, mentee_of(program, "Ann Answered"))
    type(answered).objects.filter(pk=answered.pk).update(state=RankedState.DECLINED)
    client.force_login(mentor.user)
    page = client.get(reverse("home")).content.decode()
    assert "Mentees waiting for your answer" in page
    assert "Paul Mentee asks you to be their mentor" in page
    assert "Ann Answered" not in page
    link = reverse("matching:request_detail", args=[program.organization.slug, program.slug, waiting.pk])
    assert f'href="{link}"' in page
    assert f"answer by {in_toronto(waiting.deadline)} (in 2\xa0days, 23\xa0hours)" in page
    assert in_toronto(waiting.deadline) != formats.date_format(
        waiting.deadline.astimezone(zoneinfo.ZoneInfo("UTC")), "DATETIME_FORMAT"
    )


def test_home_lists_open_session_requests_with_a_way_to_schedule(client, program, mentor):
    mentee = mentee_of(program, "Sam Session")
    request = SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor, message="Interviews")
    done = SessionRequest.objects.create(
        program=program, mentee=mentee_of(program, "Dan Declined"), mentor=mentor, state=RequestState.DECLINED
    )
    client.force_login(mentor.user)
    page = client.get(reverse("home")).content.decode()
    assert "Sam Session requests a session" in page and "Dan Declined" not in page
    create = reverse("sessions:create", args=[program.organization.slug, program.slug])
    assert f'href="{create}?request={request.pk}"' in page
    assert f"?request={done.pk}" not in page


def test_nothing_waits_for_someone_else(client, program, mentor):
    other = member(program, Role.MENTOR, full_name="Omar Other").memberships.get()
    mentee = mentee_of(program, "Paul Mentee")
    ranked_request(program, other, mentee)
    SessionRequest.objects.create(program=program, mentee=mentee, mentor=other)
    for person in (mentor.user, mentee.user):
        client.force_login(person)
        page = client.get(reverse("home")).content.decode()
        assert "Mentees waiting for your answer" not in page and "requests a session" not in page


def test_a_flow_switched_off_leaves_its_part_out(client, program, mentor):
    mentee = mentee_of(program, "Paul Mentee")
    ranked_request(program, mentor, mentee)
    SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor)
    program.ranked_matching_enabled = program.mentee_requests_enabled = False
    program.save()
    client.force_login(mentor.user)
    page = client.get(reverse("home")).content.decode()
    assert "Paul Mentee" not in page


def test_home_runs_a_constant_number_of_queries(client, program, mentor):
    second = ProgramFactory(organization=program.organization, default_capacity=3)
    mentor_in_second = MembershipFactory(user=mentor.user, program=second, role=Role.MENTOR)
    client.force_login(mentor.user)

    def add_rows(n: int) -> None:
        for i in range(n):
            target_program, target = (program, mentor) if i % 2 else (second, mentor_in_second)
            ranked_request(target_program, target, mentee_of(target_program, f"Ranked {i}"))
            SessionRequest.objects.create(
                program=target_program, mentee=mentee_of(target_program, f"Asking {i}"), mentor=target
            )
        forget_kept()  # as a new stamp would (the test's writes are never committed)

    assert_constant_queries(client, reverse("home"), add_rows, few=2, many=14)
    page = client.get(reverse("home")).content.decode()
    assert page.count("asks you to be their mentor") == 10 and "All your requests" in page
    assert page.count("requests a session") == 10 and "All session requests" in page


def test_the_words_of_each_row_escape_the_names_and_follow_the_language(client, program, mentor):
    mentee = mentee_of(program, "<b>Bo</b> & Co")
    ranked_request(program, mentor, mentee)
    SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor)
    client.force_login(mentor.user)
    page = client.get(reverse("home")).content.decode()
    assert "&lt;b&gt;Bo&lt;/b&gt; &amp; Co asks you to be their mentor" in page
    assert "&lt;b&gt;Bo&lt;/b&gt; &amp; Co requests a session" in page and "<b>Bo</b>" not in page
    mentor.user.language = "fr"
    mentor.user.save()
    page = client.get(reverse("home"), headers={"accept-language": "fr"}).content.decode()
    with translation.override("fr"):
        asks = _("%(name)s asks you to be their mentor") % {"name": "&lt;b&gt;Bo&lt;/b&gt; &amp; Co"}
        schedule = _("Schedule a session")
    assert asks != "&lt;b&gt;Bo&lt;/b&gt; &amp; Co asks you to be their mentor"
    assert asks in page and schedule in page
