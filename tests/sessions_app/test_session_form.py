"""New Session, Edit, Duplicate, Publish & Duplicate, Cancel: what the mentor sees, the rows, the mail."""

import uuid
from datetime import date, time

import pytest
from django.core import mail

from organizations.models import Role
from sessions_app.models import Booking, Location, MentorshipSession, SessionStatus
from tests.factories import GroupFactory, member
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import in_days, make_session


def _form(mentor, **changes) -> dict:
    data = {
        "mentor": mentor.pk,
        "local_date": in_days(20).isoformat(),
        "local_time": "10:00",
        "duration_minutes": 60,
        "enrollment": "online",
        "meeting_url": "https://meet.example.org/maria",
        "seats": 1,
        "action": "publish",
    }
    return {**data, **changes}


@pytest.fixture
def mentor_client(client, mentor):
    client.force_login(mentor.user)
    return client


def test_mentor_publishes_an_online_session_in_their_own_zone(mentor_client, program, mentor):
    response = mentor_client.post(program_url(program, "sessions:create"), _form(mentor, local_date="2027-07-01"))
    assert response.status_code == 302
    session = MentorshipSession.objects.get()
    assert (session.status, session.time_zone, session.local_time) == ("published", "America/Toronto", time(10))
    assert session.starts_at.isoformat() == "2027-07-01T14:00:00+00:00"  # EDT is UTC-4


def test_session_at_a_location_takes_the_locations_zone(mentor_client, program, mentor):
    paris = Location.objects.create(program=program, name="Paris office", time_zone="Europe/Paris", address="1 rue")
    data = _form(mentor, location=paris.pk, enrollment="in_person", meeting_url="", local_date="2027-07-01")
    assert mentor_client.post(program_url(program, "sessions:create"), data).status_code == 302
    session = MentorshipSession.objects.get()
    assert (session.time_zone, session.address, session.online) == ("Europe/Paris", "1 rue", False)
    assert session.starts_at.isoformat() == "2027-07-01T08:00:00+00:00"


def test_draft_is_not_published(mentor_client, program, mentor):
    mentor_client.post(program_url(program, "sessions:create"), _form(mentor, action="draft"))
    assert MentorshipSession.objects.get().status == SessionStatus.DRAFT


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"meeting_url": ""}, "meeting_url", "A Meeting URL is required when the session is offered Online."),
        ({"meeting_url": "ftp://x.org"}, "meeting_url", "Enter a valid web address starting with https://"),
        ({"meeting_url": "not a url"}, "meeting_url", "Enter a valid web address"),
        ({"enrollment": "both"}, "address", "An address is required when the session is offered In-Person."),
        ({"seats": 0}, "seats", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_errors_are_shown_beside_their_field_and_input_is_kept(mentor_client, program, mentor, changes, field, message):
    data = _form(mentor, notes="Bring your CV", **changes)
    response = mentor_client.post(program_url(program, "sessions:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error">{message}' in html
    assert "Bring your CV" in html
    assert MentorshipSession.objects.count() == 0


def test_a_time_the_clocks_skip_is_refused_with_a_clear_message(mentor_client, program, mentor):
    data = _form(mentor, local_date="2027-03-14", local_time="02:30")  # Toronto springs forward at 02:00
    response = mentor_client.post(program_url(program, "sessions:create"), data)
    assert "02:30 does not exist on 14 March 2027 in Toronto: the clocks move forward that night." in (
        response.content.decode()
    )
    assert MentorshipSession.objects.count() == 0


def test_a_time_that_happens_twice_is_refused_with_a_clear_message(mentor_client, program, mentor):
    data = _form(mentor, local_date="2027-11-07", local_time="01:30")  # Toronto falls back at 02:00
    response = mentor_client.post(program_url(program, "sessions:create"), data)
    assert "01:30 happens twice on 7 November 2027 in Toronto: the clocks move back that night." in (
        response.content.decode()
    )
    assert MentorshipSession.objects.count() == 0


def test_an_overlapping_published_session_is_named_in_the_form(mentor_client, program, mentor):
    make_session(mentor, day=date(2027, 7, 1), at=time(9, 30))
    response = mentor_client.post(program_url(program, "sessions:create"), _form(mentor, local_date="2027-07-01"))
    assert 'id="id_local_time_error">Maria Mentor already has a published session then: 1 July 2027 at 09:30' in (
        response.content.decode()
    )
    assert MentorshipSession.objects.count() == 1
    mentor_client.post(program_url(program, "sessions:create"), _form(mentor, local_date="2027-07-01", action="draft"))
    assert MentorshipSession.objects.count() == 2  # a draft may overlap: it is not on offer


def test_the_database_refuses_overlapping_published_sessions(mentor):
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    first = make_session(mentor, day=date(2027, 7, 1))
    copy = MentorshipSession.objects.get(pk=first.pk)
    copy.pk, copy.uid = None, uuid.uuid4()
    with pytest.raises(IntegrityError, match="session_mentor_no_overlap"), transaction.atomic():
        copy.save()


def test_mentor_adds_their_paired_mentee_who_sees_it_and_is_emailed(mentor_client, program, mentor, mentee, sent):
    from matching.models import Pairing

    Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
    with sent():
        mentor_client.post(program_url(program, "sessions:create"), _form(mentor, mentee=mentee.pk))
    booking = Booking.objects.get()
    assert (booking.mentee, booking.added_by_mentor, booking.session.seats_taken) == (mentee, True, 1)
    to_mentee = [m for m in mail.outbox if m.to == [mentee.user.email]]
    assert [m.subject for m in to_mentee] == ["Session booked with Maria Mentor"]
    assert "Maria Mentor added you to a session" in to_mentee[0].body


def test_a_mentor_cannot_add_a_mentee_they_are_not_paired_with(mentor_client, program, mentor, mentee):
    response = mentor_client.post(program_url(program, "sessions:create"), _form(mentor, mentee=mentee.pk))
    assert "Select a valid choice." in response.content.decode()


def test_editing_a_booked_session_tells_the_mentee_what_changed(mentor_client, program, mentor, mentee, sent):
    session = make_session(mentor, day=date(2027, 7, 1), mentee=mentee)
    with sent():
        response = mentor_client.post(
            program_url(program, "sessions:edit", session.pk), _form(mentor, local_date="2027-07-02")
        )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.local_date, session.sequence) == (date(2027, 7, 2), 1)
    [message] = mail.outbox
    assert message.to == [mentee.user.email]
    assert message.subject == "Your session with Maria Mentor has changed"
    assert "- Date and time" in message.body
    assert "Friday 2 July 2027, 16:00–17:00 (10:00 in Toronto · 16:00 in Paris)" in message.body


def test_cancelling_tells_whoever_booked(mentor_client, program, mentor, mentee, sent):
    session = make_session(mentor, mentee=mentee)
    with sent():
        mentor_client.post(program_url(program, "sessions:cancel", session.pk), {})
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert [(m.to, m.subject) for m in mail.outbox] == [([mentee.user.email], "Session with Maria Mentor cancelled")]


def test_duplicate_is_prefilled_a_week_later_without_the_mentee(mentor_client, program, mentor, mentee):
    session = make_session(mentor, day=date(2027, 7, 1), mentee=mentee)
    response = mentor_client.get(program_url(program, "sessions:duplicate", session.pk))
    assert 'value="2027-07-08"' in response.content.decode()
    mentor_client.post(program_url(program, "sessions:duplicate", session.pk), _form(mentor, local_date="2027-07-08"))
    copy = MentorshipSession.objects.exclude(pk=session.pk).get()
    assert (copy.local_date, copy.bookings.count()) == (date(2027, 7, 8), 0)


def test_publish_and_duplicate_opens_the_form_for_the_next(mentor_client, program, mentor):
    response = mentor_client.post(
        program_url(program, "sessions:create"), _form(mentor, local_date="2027-07-01", action="publish_duplicate")
    )
    session = MentorshipSession.objects.get()
    assert session.status == SessionStatus.PUBLISHED
    assert response.url == program_url(program, "sessions:duplicate", session.pk)
    page = mentor_client.get(response.url).content.decode()
    assert 'value="2027-07-08"' in page and "https://meet.example.org/maria" in page


def test_a_mentor_cannot_edit_another_mentors_session_but_an_admin_can(client, program, mentor, program_admin):
    other = member(program, Role.MENTOR).memberships.get()
    session = make_session(other)
    client.force_login(mentor.user)
    assert client.get(program_url(program, "sessions:edit", session.pk)).status_code == 403
    assert client.post(program_url(program, "sessions:cancel", session.pk)).status_code == 403
    client.force_login(program_admin)
    assert client.get(program_url(program, "sessions:edit", session.pk)).status_code == 200


def test_another_organizations_session_is_404(client, program, mentor):
    from tests.factories import ProgramFactory

    elsewhere = ProgramFactory()
    foreign = make_session(member(elsewhere, Role.MENTOR).memberships.get())
    client.force_login(mentor.user)
    assert client.get(program_url(program, "sessions:edit", foreign.pk)).status_code == 404
    assert client.get(program_url(elsewhere, "sessions:edit", foreign.pk)).status_code == 404


def test_admin_creates_for_any_mentor_and_filters_the_mentorship_page(client, program, mentor, program_admin):
    other = member(program, Role.MENTOR, full_name="Omar Other").memberships.get()
    make_session(other, day=in_days(5))
    make_session(mentor, day=in_days(6), publish=False)
    client.force_login(program_admin)
    page = client.get(program_url(program, "sessions:mentorship")).content.decode()
    assert "Omar Other" in page and "Maria Mentor" in page and "New Session" in page
    page = client.get(program_url(program, "sessions:mentorship"), {"status": "draft"}).content.decode()
    assert "Maria Mentor" in page and "Omar Other" not in page.split("<tbody>")[1]
    response = client.post(program_url(program, "sessions:create"), _form(other, local_date=in_days(9).isoformat()))
    assert response.status_code == 302
    assert MentorshipSession.objects.filter(mentor=other).count() == 2


def test_the_context_menu_offers_edit_duplicate_bulk_duplicate_cancel(mentor_client, program, mentor):
    make_session(mentor)
    page = mentor_client.get(program_url(program, "sessions:mentorship")).content.decode()
    for label in ("Edit", "Duplicate", "Bulk Duplicate", "Cancel"):
        assert f">{label}</a>" in page
    assert "<details" in page  # opens without JavaScript


def test_restricted_session_form_lists_the_groups(mentor_client, program, mentor):
    group = GroupFactory(program=program, name="Engineers")
    page = mentor_client.get(program_url(program, "sessions:create")).content.decode()
    assert "Restrict session to groups" in page and "Engineers" in page
    mentor_client.post(program_url(program, "sessions:create"), _form(mentor, groups=[group.pk]))
    assert list(MentorshipSession.objects.get().groups.all()) == [group]


def test_a_program_admin_adds_a_location_and_sets_the_cancellation_notice(client, program, program_admin):
    from sessions_app.models import SessionSettings

    client.force_login(program_admin)
    url = program_url(program, "sessions:settings")
    response = client.post(url, {"add_location": 1, "name": "", "time_zone": "Europe/Paris"})
    assert 'id="id_name_error"' in response.content.decode()
    client.post(url, {"add_location": 1, "name": "Paris office", "time_zone": "Europe/Paris", "address": "1 rue"})
    client.post(url, {"save_settings": 1, "cancel_notice_hours": 48})
    assert list(Location.objects.values_list("name", "time_zone")) == [("Paris office", "Europe/Paris")]
    assert SessionSettings.objects.get(program=program).cancel_notice_hours == 48
    assert "Paris office" in client.get(url).content.decode()
