"""The lists kept under the program's stamp (issue 9) show a write on the next view: My mentees, attendance,
the program's session requests and a pair's conversation, each viewed, then written to (committed, as a
request's writes are), then viewed again."""

from datetime import date, time

import pytest
from django.urls import reverse

from matching.models import Pairing
from mentorship.oversight.models import Attendance
from mentorship.oversight.services import DateInput, activity_save, attendance_record
from mentorship.pairings.services import message_post
from organizations.models import Role
from sessions_app.services.requests import session_request_create
from tests.factories import ProgramFactory, member


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def people(db):
    program = ProgramFactory(mentee_requests_enabled=True)
    admin = member(program, Role.PROGRAM_ADMIN, full_name="Ada Admin")
    mentor = member(program, Role.MENTOR, full_name="Maria Mentor").memberships.get()
    mentee = member(program, Role.MENTEE, full_name="Paul Mentee").memberships.get()
    return program, admin, mentor, mentee


def _url(program, name: str, *args) -> str:
    return reverse(name, args=[program.organization.slug, program.slug, *args])


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _activity(program, admin, mentor, mentee):
    return activity_save(
        program=program,
        by=admin,
        name="Coding club",
        description="",
        time_zone="Europe/Paris",
        mentees=[mentee],
        mentors=[mentor],
        dates=[DateInput(date(2026, 3, 3), time(17), time(19), "Room 4")],
    )


def test_my_mentees_shows_a_new_mentee_and_a_new_mark(client, people, committed):
    program, admin, mentor, mentee = people
    with committed():
        activity = _activity(program, admin, mentor, mentee)
    client.force_login(mentor.user)
    url = _url(program, "oversight:my_mentees")
    assert "Activities: 0 present" in _page(client, url)
    with committed():
        attendance_record(date=activity.dates.get(), by=admin, marks={mentee.pk: ("present", "")})
    assert "Activities: 1 present, 0 absent, 0 excused." in _page(client, url)
    newcomer = member(program, Role.MENTEE, full_name="Nora Newcomer").memberships.get()
    assert "Nora Newcomer" not in _page(client, url)
    with committed():
        Pairing.objects.create(program=program, mentor=mentor, mentee=newcomer)
    assert "Nora Newcomer" in _page(client, url)


def test_attendance_shows_a_mark_saved_elsewhere(client, people, committed):
    program, admin, mentor, mentee = people
    with committed():
        activity = _activity(program, admin, mentor, mentee)
    day = activity.dates.get()
    client.force_login(admin)
    url = _url(program, "oversight:attendance", activity.pk, day.pk)
    assert 'value="excused" checked' not in _page(client, url)
    assert 'value="" checked> Not recorded' in _page(client, url)
    with committed():
        attendance_record(date=day, by=admin, marks={mentee.pk: ("excused", "Exam week")})
    assert Attendance.objects.get().status == "excused"
    page = _page(client, url)
    assert 'value="excused" checked>' in page and 'value="Exam week"' in page
    assert 'value="" checked> Not recorded' not in page


def test_the_programs_session_requests_show_a_new_request(client, people, committed):
    program, admin, mentor, mentee = people
    client.force_login(admin)
    url = _url(program, "sessions:requests_admin")
    assert "Paul Mentee" not in _page(client, url)
    with committed():
        session_request_create(mentee=mentee, mentor=mentor, message="Interviews?")
    page = _page(client, url)
    assert "Paul Mentee" in page and "Maria Mentor" in page


def test_a_conversation_shows_a_new_message(client, people, committed):
    program, admin, mentor, mentee = people
    with committed():
        pairing = Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
    client.force_login(mentor.user)
    url = _url(program, "pairings:conversation", pairing.pk)
    assert "See you on Tuesday" not in _page(client, url)
    with committed():
        message_post(pairing=pairing, author=mentee, body="See you on Tuesday")
    assert "See you on Tuesday" in _page(client, url)


def test_home_shows_a_new_request_and_a_new_pairing(client, people, committed):
    """Home keeps its next steps and the mentor's panels under the stamps of the person's programs."""
    program, admin, mentor, mentee = people
    client.force_login(mentor.user)
    page = _page(client, reverse("home"))
    assert "requests a session" not in page and "Your mentees: Paul Mentee" not in page
    with committed():
        session_request_create(mentee=mentee, mentor=mentor, message="Interviews?")
    assert "Paul Mentee requests a session" in _page(client, reverse("home"))
    with committed():
        Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
    page = _page(client, reverse("home"))
    assert "Your mentees: Paul Mentee" in page and "Schedule a session with Paul Mentee" in page
    client.force_login(mentee.user)
    assert "Your mentor: Maria Mentor" in _page(client, reverse("home"))
    with committed():
        mentor.user.full_name = "Maria Renamed"
        mentor.user.save()
    assert "Your mentor: Maria Renamed" in _page(client, reverse("home"))


def test_the_organizations_members_and_invitations_show_a_new_member_a_new_name_and_a_new_invitation(
    client, people, committed
):
    from organizations.services.invitations import invitation_issue

    program, admin, mentor, mentee = people
    with committed():
        boss = member(program, Role.ORGANIZATION_ADMIN, full_name="Olga Owner")
    client.force_login(boss)
    members = reverse("organizations:members", args=[program.organization.slug])
    invitations = reverse("organizations:invitations", args=[program.organization.slug])
    page = _page(client, members)
    assert "Olga Owner" in page and "Maria Mentor" in page
    assert "Nora Newcomer" not in page and "4 people" in page
    first = _page(client, invitations)
    with committed():
        member(program, Role.ORGANIZATION_ADMIN, full_name="Nora Newcomer")  # in no program
        mentor.user.full_name = "Maria Renamed"
        mentor.user.save()
        invitation_issue(
            organization=program.organization, email="ivy@example.org", role=Role.ORGANIZATION_ADMIN, program=None
        )
    page = _page(client, members)
    assert "Nora Newcomer" in page and "Maria Renamed" in page and "5 people" in page
    assert "ivy@example.org" in _page(client, invitations) and "ivy@example.org" not in first


def test_the_invitations_of_a_program_and_of_the_organization_show_a_resend_and_a_revoke(client, people, committed):
    from organizations.services.invitations import invitation_issue, invitation_resend, invitation_revoke

    program, admin, mentor, mentee = people
    with committed():
        boss = member(program, Role.ORGANIZATION_ADMIN, full_name="Olga Owner")
        to_program, _ = invitation_issue(
            organization=program.organization, email="pia@example.org", role=Role.MENTEE, program=program
        )
        to_organization, _ = invitation_issue(
            organization=program.organization, email="oz@example.org", role=Role.ORGANIZATION_ADMIN, program=None
        )
    client.force_login(boss)
    urls = [
        _url(program, "organizations:program_invitations"),
        reverse("organizations:invitations", args=[program.organization.slug]),
    ]
    for url in urls:
        assert "(2 times)" not in _page(client, url) and "Revoked" not in _page(client, url)
    with committed():
        invitation_resend(invitation=to_program)
        invitation_revoke(invitation=to_organization)
    program_page, organization_page = (_page(client, url) for url in urls)
    assert "(2 times)" in program_page and "oz@example.org" not in program_page
    assert "(2 times)" in organization_page and "Revoked" in organization_page


def test_program_settings_show_a_change_saved_elsewhere_and_in_the_viewers_language(client, people, committed):
    program, admin, mentor, mentee = people
    client.force_login(admin)
    url = _url(program, "portal:program_settings")
    assert 'name="max_choices" value="7"' not in _page(client, url)
    with committed():
        program.max_choices = 7  # another admin's save, or the Django admin's
        program.save()
    assert 'name="max_choices" value="7"' in _page(client, url)
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mentors qu’un mentoré peut classer" in french and 'name="max_choices" value="7"' in french
    assert "Mentors a mentee may rank" in _page(client, url)


def test_the_invitation_form_lists_a_program_made_since(client, people, committed):
    from tests.factories import ProgramFactory

    program, admin, mentor, mentee = people
    with committed():
        boss = member(program, Role.ORGANIZATION_ADMIN, full_name="Olga Owner")
    client.force_login(boss)
    url = reverse("organizations:invitations", args=[program.organization.slug])
    page = _page(client, url)
    assert f">{program.name}</option>" in page and ">Autumn Club</option>" not in page
    with committed():
        ProgramFactory(organization=program.organization, name="Autumn Club")
    assert ">Autumn Club</option>" in _page(client, url)


def test_the_program_page_shows_a_new_pairing_a_new_booking_and_a_new_name(client, people, committed):
    """The program page keeps its panels under the program's stamp, per visitor, language and time zone."""
    from sessions_app.services.bookings import booking_create
    from tests.sessions_app.factories import make_session

    program, admin, mentor, mentee = people
    url = reverse("portal:program", args=[program.organization.slug, program.slug])
    client.force_login(mentee.user)
    page = _page(client, url)
    assert "Your conversations" not in page and "Your upcoming sessions" not in page
    with committed():
        Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
        session = make_session(mentor)
    page = _page(client, url)
    assert "Message Maria Mentor" in page and "Your upcoming sessions" not in page  # not booked yet
    with committed():
        booking_create(session=session, mentee=mentee)
    assert "Your upcoming sessions" in _page(client, url)
    with committed():
        mentor.user.full_name = "Maria Renamed"
        mentor.user.save()
    assert "Message Maria Renamed" in _page(client, url)
    client.force_login(mentor.user)  # another visitor: their own panels
    page = _page(client, url)
    assert "Message Paul Mentee" in page and "Your upcoming sessions" in page


def test_the_program_page_drops_a_session_once_it_has_ended_with_no_write(client, people, committed):
    """The upcoming panel is kept until its first session ends: then the page reads again, with nothing written."""
    import time as clock
    from datetime import timedelta

    from django.utils import timezone

    from sessions_app.models import MentorshipSession
    from tests.sessions_app.factories import in_days, make_session

    program, admin, mentor, mentee = people
    with committed():
        make_session(mentor, day=in_days(10))
        soon = make_session(mentor, day=in_days(11))
    # The session under way ends in two seconds: moved by an update, which bumps no stamp, as time passing does.
    ends_at = timezone.now() + timedelta(seconds=2)
    MentorshipSession.objects.filter(pk=soon.pk).update(starts_at=ends_at - timedelta(hours=1), ends_at=ends_at)
    client.force_login(mentor.user)
    url = reverse("portal:program", args=[program.organization.slug, program.slug])
    panel = _page(client, url).split("Your upcoming sessions", 1)[1].split("</ul>", 1)[0]
    assert panel.count("<li>") == 2
    clock.sleep(max(0, (ends_at - timezone.now()).total_seconds()) + 0.05)
    panel = _page(client, url).split("Your upcoming sessions", 1)[1].split("</ul>", 1)[0]
    assert panel.count("<li>") == 1


def test_the_mentorship_page_shows_a_new_session_and_booking_and_drops_an_ended_session(client, people, committed):
    """The Mentorship page keeps its rows under the program's stamp per visitor, until the first session ends."""
    import time as clock
    from datetime import timedelta

    from django.utils import timezone

    from sessions_app.models import MentorshipSession
    from sessions_app.services.bookings import booking_create
    from tests.sessions_app.factories import in_days, make_session

    program, admin, mentor, mentee = people
    url = _url(program, "sessions:mentorship")
    client.force_login(admin)
    assert "No upcoming sessions." in _page(client, url)
    with committed():
        make_session(mentor, day=in_days(10), seats=2)
        soon = make_session(mentor, day=in_days(11), seats=2)
    page = _page(client, url)
    assert page.count("0/2") == 2 and "Paul Mentee" not in page
    with committed():
        booking_create(session=soon, mentee=mentee)
    # The booked session is under way and ends in two seconds: moved by an update, which bumps no stamp (as time
    # passing does), before the page is viewed again.
    ends_at = timezone.now() + timedelta(seconds=2)
    MentorshipSession.objects.filter(pk=soon.pk).update(starts_at=ends_at - timedelta(hours=1), ends_at=ends_at)
    page = _page(client, url)
    assert "1/2<br><small>Paul Mentee</small>" in page
    client.force_login(mentee.user)  # a mentee sees the sessions they may book, with no menu
    page = _page(client, url)
    assert page.count("Maria Mentor</a>") == 2 and "Bulk Duplicate" not in page
    client.force_login(admin)
    assert "1/2<br><small>Paul Mentee</small>" in _page(client, url)
    clock.sleep(max(0, (ends_at - timezone.now()).total_seconds()) + 0.05)
    page = _page(client, url)
    assert "Paul Mentee" not in page and page.count("0/2") == 1


def test_my_sessions_shows_a_new_booking_the_meeting_link_when_it_is_due_and_cancels_with_the_pages_token(
    people, committed
):
    """My Sessions keeps both lists under the stamps of the visitor's programs until something in them changes by
    itself: here the meeting link, shown from 15 minutes before the start, appears with nothing written."""
    import re
    import time as clock
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from sessions_app.models import Booking, BookingStatus, MentorshipSession
    from sessions_app.selectors import LINK_SHOWN_BEFORE
    from sessions_app.services.bookings import booking_create
    from tests.sessions_app.factories import in_days, make_session

    program, admin, mentor, mentee = people
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentee.user)
    assert "No upcoming sessions." in _page(client, reverse("my_sessions"))
    with committed():
        booking = booking_create(session=make_session(mentor, day=in_days(10)), mentee=mentee)
    page = _page(client, reverse("my_sessions"))
    assert "Mentor: Maria Mentor" in page
    # The cancel form's own token, in the kept list (not the layout's log-out form, rendered on each view).
    form = r'<form method="post" action="([^"]+)"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
    cancel, token = re.search(form, page).groups()
    with committed():
        assert client.post(cancel, {"csrfmiddlewaretoken": token}).status_code == 302
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED
    assert "No upcoming sessions." in _page(client, reverse("my_sessions"))
    with committed():
        session = make_session(mentor, day=in_days(11))
        booking_create(session=session, mentee=mentee)
    # The session starts in 15 minutes and 2 seconds: moved by an update, which bumps no stamp, as time passing.
    starts_at = timezone.now() + LINK_SHOWN_BEFORE + timedelta(seconds=2)
    MentorshipSession.objects.filter(pk=session.pk).update(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    page = _page(client, reverse("my_sessions"))
    assert "The meeting link appears here shortly before the start." in page and "Join the meeting" not in page
    clock.sleep(max(0, (starts_at - LINK_SHOWN_BEFORE - timezone.now()).total_seconds()) + 0.05)
    assert "Join the meeting" in _page(client, reverse("my_sessions"))


def test_a_value_kept_until_a_moment_is_computed_again_once_it_has_passed(db):
    """``kept_until``: the value holds until its moment, then is computed again (once), even when what it
    computes says it was true until a moment already gone."""
    from datetime import timedelta

    from django.utils import timezone

    from mentorship.kept import kept_until

    computed = []

    def compute(until):
        computed.append(until)
        return len(computed), until

    later = timezone.now() + timedelta(hours=1)
    assert kept_until("stamp", "test-until:a", lambda: compute(later)) == 1
    assert kept_until("stamp", "test-until:a", lambda: compute(later)) == 1  # kept
    gone = timezone.now() - timedelta(seconds=1)
    assert kept_until("stamp", "test-until:b", lambda: compute(gone)) == 3  # computed, then again after ``gone``
    assert kept_until("stamp", "test-until:b", lambda: compute(gone)) == 3  # and no more
    assert len(computed) == 3
