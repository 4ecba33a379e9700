"""The program's settings page: every flow switch and number in one form, saved in one POST, and each flow
switched off from it leaves no page, button or URL behind (F6.4)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from matching.models import AutoPairRun
from matching.services.requests import select_mentors, sweep
from mentorship.pairings.models import PairingSettings
from organizations.models import Program, Role
from sessions_app.models import SessionSettings
from tests.factories import ProgramFactory, member
from tests.helpers import assert_constant_queries
from tests.sessions_app.factories import make_session

DEFAULTS = {
    "ranked_matching_enabled": True,
    "mentee_requests_enabled": True,
    "mentor_offers_enabled": True,
    "self_booking_enabled": True,
    "autopairing_enabled": True,
    "session_pairs": False,
    "requests_per_day": 3,
    "max_choices": 3,
    "response_days": 3,
    "reminder_enabled": True,
    "reminder_hours": 24,
    "recommendations_count": 5,
    "default_capacity": 2,
    "max_capacity": 5,
    "agreement_enabled": True,
    "quiet_days": 30,
    "feedback_shared_with_pair": False,
    "cycle_starts_on": "",
    "cycle_ends_on": "",
}


def posted(**changes) -> dict:
    """The form as a browser sends it: a checkbox that is off is not sent at all."""
    values = {**DEFAULTS, **changes}
    return {k: ("on" if v is True else v) for k, v in values.items() if v is not False}


@pytest.fixture
def program(db):
    return ProgramFactory()


@pytest.fixture
def program_admin(program):
    return member(program, Role.PROGRAM_ADMIN, full_name="Ada Admin")


@pytest.fixture
def mentor(program):
    return member(program, Role.MENTOR, full_name="Maria Mentor").memberships.get()


@pytest.fixture
def mentee(program):
    return member(program, Role.MENTEE, full_name="Paul Mentee").memberships.get()


def url(program, name="portal:program_settings", *args) -> str:
    return reverse(name, args=[program.organization.slug, program.slug, *args])


def switch_off(client, program, admin, flow: str) -> None:
    client.force_login(admin)
    response = client.post(url(program), posted(**{flow: False}))
    assert response.status_code == 302
    program.refresh_from_db()
    assert getattr(program, flow) is False


def test_the_page_shows_the_groups_and_the_current_values(client, program, program_admin):
    Program.objects.filter(pk=program.pk).update(max_choices=4, response_days=5)
    client.force_login(program_admin)
    page = client.get(url(program)).content.decode()
    for legend in ("Which flows are on", "Ranked selection", "Recommendations and capacities", "Life of a pairing"):
        assert f"<legend>{legend}</legend>" in page
    assert "\u201cRequest a Session\u201d" in page and "\u201cI want to mentor you!\u201d" in page
    assert "A session between them pairs them" in page
    assert re.search(r'name="max_choices" value="4"', page)
    assert re.search(r'name="response_days" value="5"', page)
    # Linked from the program navigation.
    overview = client.get(reverse("portal:program", args=[program.organization.slug, program.slug])).content.decode()
    assert f'href="{url(program)}">Program settings</a>' in overview


def test_saving_sets_the_program_its_requests_and_its_pairings(client, program, program_admin):
    client.force_login(program_admin)
    changes = {
        "ranked_matching_enabled": False,
        "session_pairs": True,
        "requests_per_day": 7,
        "max_choices": 5,
        "response_days": 4,
        "reminder_enabled": False,
        "reminder_hours": 12,
        "recommendations_count": 8,
        "default_capacity": 3,
        "max_capacity": 6,
        "agreement_enabled": False,
        "quiet_days": 14,
        "feedback_shared_with_pair": True,
        "cycle_starts_on": "2027-01-04",
        "cycle_ends_on": "2027-06-30",
    }
    response = client.post(url(program), posted(**changes), follow=True)
    assert "The settings are saved." in response.content.decode()
    program.refresh_from_db()
    assert (program.ranked_matching_enabled, program.max_choices, program.response_days) == (False, 5, 4)
    assert (program.reminder_enabled, program.reminder_hours, program.recommendations_count) == (False, 12, 8)
    assert (program.default_capacity, program.max_capacity) == (3, 6)
    assert (str(program.cycle_starts_on), str(program.cycle_ends_on)) == ("2027-01-04", "2027-06-30")
    assert program.mentee_requests_enabled and program.autopairing_enabled
    sessions = SessionSettings.objects.get(program=program)
    assert (sessions.requests_per_day, sessions.session_pairs) == (7, True)
    pairings = PairingSettings.objects.get(program=program)
    assert (pairings.agreement_enabled, pairings.quiet_days, pairings.feedback_shared_with_pair) == (False, 14, True)
    # Who changed it, and when, is recorded and shown.
    assert program.settings_changed_by == program_admin and program.settings_changed_at is not None
    assert "Last changed by Ada Admin" in response.content.decode()


def test_an_organization_admin_sets_them_too(client, program):
    org_admin = member(program, Role.ORGANIZATION_ADMIN)
    client.force_login(org_admin)
    assert client.post(url(program), posted(autopairing_enabled=False)).status_code == 302
    program.refresh_from_db()
    assert not program.autopairing_enabled


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"default_capacity": 6, "max_capacity": 5}, "default_capacity", "cannot be more than the most mentees"),
        ({"response_days": 1, "reminder_hours": 24}, "reminder_hours", "The reminder must come before the deadline"),
        ({"cycle_starts_on": "2027-06-30", "cycle_ends_on": "2027-01-04"}, "cycle_ends_on", "ends after it starts"),
        ({"max_choices": 11}, "max_choices", "less than or equal to 10"),
        ({"quiet_days": 0}, "quiet_days", "greater than or equal to 1"),
    ],
)
def test_a_wrong_value_shows_the_summary_and_keeps_what_was_typed(
    client, program, program_admin, changes, field, message
):
    client.force_login(program_admin)
    response = client.post(url(program), posted(ranked_matching_enabled=False, requests_per_day=9, **changes))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert f'href="#id_{field}"' in page
    assert 'name="requests_per_day" value="9"' in page
    assert not re.search(r'name="ranked_matching_enabled"[^>]*checked', page)
    program.refresh_from_db()
    assert program.ranked_matching_enabled and not SessionSettings.objects.filter(program=program).exists()


def test_mentors_and_mentees_are_refused_and_other_organizations_get_404(client, program, mentor, mentee):
    for person in (mentor.user, mentee.user):
        client.force_login(person)
        assert client.get(url(program)).status_code == 403
        assert client.post(url(program), posted(autopairing_enabled=False)).status_code == 403
    other = member(ProgramFactory(), Role.PROGRAM_ADMIN)
    client.force_login(other)
    assert client.get(url(program)).status_code == 404
    program.refresh_from_db()
    assert program.autopairing_enabled


def test_the_page_runs_a_constant_number_of_queries(client, program, program_admin):
    client.force_login(program_admin)
    client.post(url(program), posted())

    def add_people(n: int) -> None:
        for _ in range(n):
            member(program, Role.MENTOR)
            member(program, Role.MENTEE)

    assert assert_constant_queries(client, url(program), add_people, few=1, many=10) <= 12


# ------------------------------------------------------------------ each flow switched off from the page


def test_ranked_selection_off(client, program, program_admin, mentor, mentee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        selection = select_mentors(
            program=program, mentee=mentee, mentor_ids=[mentor.pk], allowed={mentor.pk: (50.0, [])}, by=None
        )
    token = re.search(r"/r/([^/]+)/", mail.outbox[0].body).group(1)
    request = selection.requests.get()
    switch_off(client, program, program_admin, "ranked_matching_enabled")
    assert client.get(url(program, "matching:requests_admin")).status_code == 404
    assert client.post(url(program, "matching:request_skip", request.pk)).status_code == 404
    client.force_login(mentor.user)
    assert client.get(url(program, "matching:my_requests")).status_code == 404
    assert client.get(url(program, "matching:request_detail", request.pk)).status_code == 404
    assert client.post(url(program, "matching:request_detail", request.pk), {"action": "accept"}).status_code == 404
    client.logout()
    assert client.get(reverse("request_token", args=[token])).status_code == 404
    assert client.post(reverse("request_token", args=[token]), {"action": "accept"}).status_code == 404
    request.refresh_from_db()
    assert request.state == "waiting"
    # Its emails are absent too: the sweep leaves an overdue request of the program alone, paused.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep(now=request.deadline + timedelta(hours=1))
    request.refresh_from_db()
    assert request.state == "waiting" and mail.outbox == []


def test_mentee_requests_off(client, program, program_admin, mentor, mentee):
    switch_off(client, program, program_admin, "mentee_requests_enabled")
    client.force_login(mentee.user)
    assert "Request a Session" not in client.get(url(program, "sessions:mentor", mentor.pk)).content.decode()
    assert client.get(url(program, "sessions:request_session", mentor.pk)).status_code == 404
    assert client.post(url(program, "sessions:request_session", mentor.pk), {"message": "Hi"}).status_code == 404
    client.force_login(mentor.user)
    assert "Session requests" not in client.get(url(program, "portal:program")).content.decode()
    assert client.get(url(program, "sessions:requests")).status_code == 404


def test_mentor_offers_off(client, program, program_admin, mentor, mentee):
    switch_off(client, program, program_admin, "mentor_offers_enabled")
    client.force_login(mentor.user)
    assert "Mentees looking for a mentor" not in client.get(url(program, "portal:program")).content.decode()
    assert client.get(url(program, "sessions:mentee_search")).status_code == 404
    assert client.post(url(program, "sessions:offer_create", mentee.pk), {"message": "Hi"}).status_code == 404
    client.force_login(mentee.user)
    assert "My Mentorship requests" not in client.get(url(program, "portal:program")).content.decode()
    assert client.get(url(program, "sessions:my_requests")).status_code == 404


def test_self_booking_off(client, program, program_admin, mentor, mentee):
    session = make_session(mentor, seats=2)
    switch_off(client, program, program_admin, "self_booking_enabled")
    client.force_login(mentee.user)
    assert "Book Session" not in client.get(url(program, "sessions:mentor", mentor.pk)).content.decode()
    assert client.post(url(program, "sessions:book", session.pk), {"mode": "online"}).status_code == 404
    assert not session.bookings.exists()


def test_auto_pairing_off(client, program, program_admin):
    run = AutoPairRun.objects.create(program=program, created_by=program_admin)
    switch_off(client, program, program_admin, "autopairing_enabled")
    page = client.get(url(program, "matching:pairing")).content.decode()
    assert "Auto-pair all" not in page
    assert client.post(url(program, "matching:autopair")).status_code == 404
    assert client.get(url(program, "matching:autopair_run", run.pk)).status_code == 404
    assert client.post(url(program, "matching:autopair_decide", run.pk), {"approve": "1"}).status_code == 404
    assert AutoPairRun.objects.filter(program=program).count() == 1
