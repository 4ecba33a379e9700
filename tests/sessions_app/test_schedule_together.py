"""A paired mentor and mentee each schedule a session with the other, from their home and program pages (F5.5).

The mentee's next step links to the mentor's profile in the program, where they book; the mentor's to New
Session with the mentee already chosen.
"""

import html
import re

from django.core import mail
from django.urls import reverse

from matching.models import Pairing
from organizations.models import Role
from sessions_app.models import Booking, BookingStatus
from tests.factories import MembershipFactory, ProgramFactory, member
from tests.helpers import assert_constant_queries
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import in_days, make_session


def links(page: str) -> dict[str, str]:
    return {
        html.unescape(text): html.unescape(href) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)
    }


def test_a_paired_mentee_books_from_the_link_on_their_home_page(client, program, mentor, mentee, sent):
    Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
    make_session(mentor, day=in_days(5))
    client.force_login(mentee.user)
    home = links(client.get(reverse("home")).content.decode())
    profile = program_url(program, "sessions:mentor", mentor.pk)
    assert home["Schedule a session together."] == profile
    assert links(client.get(program.get_absolute_url()).content.decode())["Schedule a session together."] == profile

    page = client.get(profile).content.decode()
    assert "Maria Mentor" in page and "Book Session" in page
    form_action = re.search(r'<form method="post" action="([^"]+/book/)"', page).group(1)
    with sent():
        assert client.post(form_action).status_code == 302
    assert Booking.objects.get().mentee == mentee
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentor.user.email, mentee.user.email])


def test_a_paired_mentor_opens_new_session_with_the_mentee_chosen(client, program, mentor, mentee, sent):
    Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
    client.force_login(mentor.user)
    new_session = f"{program_url(program, 'sessions:create')}?mentee={mentee.pk}"
    assert links(client.get(reverse("home")).content.decode())["Schedule a session with Paul Mentee"] == new_session
    program_page = links(client.get(program.get_absolute_url()).content.decode())
    assert program_page["Schedule a session with Paul Mentee"] == new_session

    form = client.get(new_session).content.decode()
    assert re.search(rf'<option value="{mentee.pk}" selected>Paul Mentee</option>', form)
    data = {
        "mentor": mentor.pk,
        "mentee": mentee.pk,
        "local_date": in_days(6).isoformat(),
        "local_time": "10:00",
        "duration_minutes": 60,
        "enrollment": "online",
        "meeting_url": "https://meet.example.org/maria",
        "seats": 1,
        "action": "publish",
    }
    with sent():
        assert client.post(program_url(program, "sessions:create"), data).status_code == 302
    booking = Booking.objects.get()
    assert (booking.mentee, booking.status, booking.added_by_mentor) == (mentee, BookingStatus.BOOKED, True)
    assert mentee.user.email in [m.to[0] for m in mail.outbox]
    client.force_login(mentee.user)
    assert "Maria Mentor" in client.get(reverse("my_sessions")).content.decode()


def test_new_session_ignores_a_mentee_the_mentor_is_not_paired_with(client, program, mentor, mentee):
    stranger = member(program, Role.MENTEE, full_name="Sam Stranger").memberships.get()
    client.force_login(mentor.user)
    base = program_url(program, "sessions:create")
    for query in (f"?mentee={stranger.pk}", f"?mentee={mentee.pk}", "?mentee=abc", "?mentee="):
        page = client.get(base + query).content.decode()
        assert " selected>Paul Mentee" not in page and "Sam Stranger" not in page


def test_unpaired_people_get_no_schedule_link(client, program, mentor, mentee):
    for user in (mentor.user, mentee.user):
        client.force_login(user)
        assert "Schedule a session" not in client.get(reverse("home")).content.decode()
        assert "Schedule a session" not in client.get(program.get_absolute_url()).content.decode()


def test_home_with_schedule_links_runs_the_same_queries_for_few_and_many_pairings(client, db):
    mentor = member(ProgramFactory(), Role.MENTOR, full_name="Maria Mentor")
    client.force_login(mentor)

    def add_rows(count):
        for _ in range(count):
            program = ProgramFactory()
            mentor_membership = MembershipFactory(user=mentor, program=program, role=Role.MENTOR)
            mentee = member(program, Role.MENTEE).memberships.get()
            Pairing.objects.create(program=program, mentor=mentor_membership, mentee=mentee)

    assert_constant_queries(client, reverse("home"), add_rows, few=2, many=12)
