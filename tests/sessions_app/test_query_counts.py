"""The session pages run as many queries with 50 sessions as with 2."""

import zoneinfo
from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from organizations.models import Role
from sessions_app.services.bookings import booking_create
from tests.factories import GroupFactory, member
from tests.helpers import assert_constant_queries, forget_kept
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import in_days, make_session


@pytest.fixture
def add_sessions(program, mentor, mentee):
    group = GroupFactory(program=program)
    made = []

    def add(n: int, *, booked: bool = True) -> None:
        for _ in range(n):
            number = len(made)
            session = make_session(
                mentor,
                day=in_days(2 + number // 10),
                at=time(8 + number % 10),
                seats=3,
                in_person=number % 2 == 0,
                groups=[group] if number % 3 == 0 else [],
                mentee=mentee if booked else None,
            )
            if booked:
                other = member(program, Role.MENTEE).memberships.get()
                booking_create(session=session, mentee=other, mode=session.modes[0])
            made.append(session)

    mentee.groups.add(group)
    return add


def test_mentor_profile(client, program, mentor, mentee, add_sessions):
    client.force_login(mentee.user)
    assert_constant_queries(client, program_url(program, "sessions:mentor", mentor.pk), add_sessions)


def test_mentorship_page_for_an_admin(client, program, program_admin, add_sessions):
    client.force_login(program_admin)
    assert_constant_queries(client, program_url(program, "sessions:mentorship"), add_sessions)


def test_mentorship_page_for_a_mentee(client, program, mentee, add_sessions):
    client.force_login(mentee.user)
    assert_constant_queries(client, program_url(program, "sessions:mentorship"), add_sessions)


def test_my_sessions(client, mentee, add_sessions):
    client.force_login(mentee.user)
    assert_constant_queries(client, reverse("my_sessions"), add_sessions)


def test_program_overview_with_the_upcoming_panel(client, program, mentee, add_sessions):
    client.force_login(mentee.user)
    assert_constant_queries(client, program.get_absolute_url(), add_sessions)


def test_mentorship_page_for_an_admin_with_many_mentors(client, program, program_admin):
    """The mentor filter lists every mentor of the program from one query, kept until the next write, as are the
    list's rows and count (none here)."""
    client.force_login(program_admin)
    url = program_url(program, "sessions:mentorship")

    def views(n: int) -> tuple[int, int]:
        for _ in range(n):
            member(program, Role.MENTOR)
        forget_kept()  # as a new stamp would (the test's writes are never committed)
        computing = count_queries_of_one_get(client, url)
        return computing, count_queries_of_one_get(client, url)

    few, many = views(2), views(50)
    assert few == many and few[1] == few[0] - 2


def count_queries_of_one_get(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_upcoming_panel_lists_the_next_five_sessions_of_the_visitor_only(client, program, mentor, mentee):
    """As mentor (their own sessions) or mentee (the ones they booked), soonest first; not an unpublished one."""
    sessions = [make_session(mentor, day=in_days(2 + n), mentee=mentee) for n in range(6)]
    make_session(mentor, day=in_days(1), publish=False)
    other = member(program, Role.MENTOR, full_name="Olga Other").memberships.get()
    make_session(other, day=in_days(1))
    for person, shown in ((mentor.user, 5), (mentee.user, 5), (other.user, 1)):
        client.force_login(person)
        page = client.get(program.get_absolute_url()).content.decode()
        panel = page.split("Your upcoming sessions", 1)[1].split("</ul>", 1)[0]
        assert panel.count("<li>") == shown
    client.force_login(mentee.user)
    page = client.get(program.get_absolute_url()).content.decode()
    panel = page.split("Your upcoming sessions", 1)[1].split("</ul>", 1)[0]
    assert "Maria Mentor" in panel and "Olga Other" not in panel
    first = sessions[0].starts_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
    assert date_format(first, "l j F Y") in panel.split("</li>", 1)[0]
