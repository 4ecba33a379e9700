"""Booking from the mentor's profile, My Sessions, cancelling within the notice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organizations.models import Role
from sessions_app.models import Booking, BookingStatus, MentorshipSession, SessionSettings
from tests.factories import GroupFactory, member
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import in_days, make_session


def test_mentor_profile_shows_the_public_profile_and_bookable_sessions(client, program, mentor, mentee):
    mentor.user.bio, mentor.user.languages, mentor.user.location = "I help with CVs.", "English, French", "Toronto"
    mentor.user.save()
    make_session(mentor, day=in_days(5), seats=2)
    make_session(mentor, day=in_days(6), publish=False)  # a draft is not offered
    client.force_login(mentee.user)
    page = client.get(program_url(program, "sessions:mentor", mentor.pk)).content.decode()
    assert "Maria Mentor" in page and "I help with CVs." in page and "English, French" in page
    assert "America/Toronto" in page
    assert page.count("Book Session") == 1
    assert "2 seats left" in page
    assert "16:00 in Paris" in page  # 10:00 in Toronto, in the mentee's own zone too


def test_mentee_books_and_both_are_emailed_with_an_invitation(client, program, mentor, mentee, sent):
    session = make_session(mentor, day=in_days(5))
    client.force_login(mentee.user)
    with sent():
        response = client.post(program_url(program, "sessions:book", session.pk), follow=True)
    assert "The session is booked." in response.content.decode()
    assert Booking.objects.get().mentee == mentee
    session.refresh_from_db()
    assert session.seats_taken == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentee.user.email, mentor.user.email])
    for message in mail.outbox:
        [(filename, content, mimetype)] = message.attachments
        assert filename == "session.ics" and mimetype.startswith("text/calendar")
        assert "METHOD:REQUEST" in content


def test_both_modes_ask_which_one(client, program, mentor, mentee):
    session = make_session(mentor, in_person=True, day=in_days(5))
    client.force_login(mentee.user)
    page = client.get(program_url(program, "sessions:mentor", mentor.pk)).content.decode()
    assert "How will you attend?" in page
    response = client.post(program_url(program, "sessions:book", session.pk), follow=True)
    assert "Choose Online or In-Person to book this session." in response.content.decode()
    client.post(program_url(program, "sessions:book", session.pk), {"mode": "in_person"})
    assert Booking.objects.get().mode == "in_person"


def test_a_full_session_is_not_offered_and_cannot_be_booked(client, program, mentor, mentee):
    session = make_session(mentor, day=in_days(5), mentee=member(program, Role.MENTEE).memberships.get())
    client.force_login(mentee.user)
    assert "Book Session" not in client.get(program_url(program, "sessions:mentor", mentor.pk)).content.decode()
    response = client.post(program_url(program, "sessions:book", session.pk), follow=True)
    assert "This session has no seats left." in response.content.decode()
    assert Booking.objects.filter(mentee=mentee).count() == 0


def test_nobody_is_booked_twice(client, program, mentor, mentee):
    session = make_session(mentor, day=in_days(5), seats=3)
    client.force_login(mentee.user)
    client.post(program_url(program, "sessions:book", session.pk))
    response = client.post(program_url(program, "sessions:book", session.pk), follow=True)
    assert "You are already booked into this session." in response.content.decode()
    assert Booking.objects.count() == 1


def test_a_mentee_outside_the_groups_does_not_see_the_session_and_a_post_is_404(client, program, mentor, mentee):
    engineers = GroupFactory(program=program, name="Engineers")
    restricted = make_session(mentor, day=in_days(5), groups=[engineers])
    client.force_login(mentee.user)
    page = client.get(program_url(program, "sessions:mentor", mentor.pk)).content.decode()
    assert "Book Session" not in page
    assert client.post(program_url(program, "sessions:book", restricted.pk)).status_code == 404
    mentee.groups.add(engineers)
    assert "Book Session" in client.get(program_url(program, "sessions:mentor", mentor.pk)).content.decode()


def test_my_sessions_lists_both_roles_in_every_program(client, program, mentor, mentee):
    from tests.factories import MembershipFactory, ProgramFactory

    other_program = ProgramFactory(name="Second Program")
    as_mentor_elsewhere = MembershipFactory(user=mentee.user, program=other_program, role=Role.MENTOR)
    make_session(mentor, day=in_days(5), mentee=mentee)
    make_session(as_mentor_elsewhere, day=in_days(6))
    client.force_login(mentee.user)
    page = client.get(reverse("my_sessions")).content.decode()
    assert "Mentor: Maria Mentor" in page
    assert "Second Program" in page and "You mentor" in page
    assert "The meeting link appears here shortly before the start." in page
    assert "https://meet.example.org/room" not in page
    assert "Your calendar has not synced yet." in page


def test_my_sessions_shows_the_link_shortly_before_the_start(client, program, mentor, mentee):
    session = make_session(mentor, mentee=mentee)
    MentorshipSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() + timedelta(minutes=10), ends_at=timezone.now() + timedelta(minutes=70)
    )
    client.force_login(mentee.user)
    assert "https://meet.example.org/room" in client.get(reverse("my_sessions")).content.decode()


def test_a_mentee_cancels_up_to_the_programs_notice(client, program, mentor, mentee, sent):
    session = make_session(mentor, day=in_days(5), mentee=mentee)
    booking = session.bookings.get()
    client.force_login(mentee.user)
    SessionSettings.objects.create(program=program, cancel_notice_hours=24 * 6)
    response = client.post(program_url(program, "sessions:booking_cancel", booking.pk), follow=True)
    assert "Bookings can be cancelled up to 144 hours before the start." in response.content.decode()
    assert "Too close to the start to cancel here" in response.content.decode()
    SessionSettings.objects.update(cancel_notice_hours=24)
    with sent():
        client.post(program_url(program, "sessions:booking_cancel", booking.pk))
    booking.refresh_from_db()
    session.refresh_from_db()
    assert (booking.status, session.seats_taken) == (BookingStatus.CANCELLED, 0)
    assert sorted(m.subject for m in mail.outbox) == [
        "Paul Mentee cancelled their booking",
        "Your booking is cancelled",
    ]


def test_the_mentor_may_cancel_a_booking_within_the_notice(client, program, mentor, mentee):
    session = make_session(mentor, day=in_days(5), mentee=mentee)
    MentorshipSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() + timedelta(hours=2), ends_at=timezone.now() + timedelta(hours=3)
    )
    client.force_login(mentor.user)
    client.post(program_url(program, "sessions:booking_cancel", session.bookings.get().pk))
    assert session.bookings.get().status == BookingStatus.CANCELLED


def test_a_started_session_cannot_be_booked(client, program, mentor, mentee):
    session = make_session(mentor, day=in_days(5))
    MentorshipSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    client.force_login(mentee.user)
    response = client.post(program_url(program, "sessions:book", session.pk), follow=True)
    assert "This session has already started." in response.content.decode()


@pytest.mark.parametrize("field", ["seats_taken"])
def test_the_database_refuses_more_booked_than_seats(program, mentor, field):
    from django.db import IntegrityError, transaction

    session = make_session(mentor)
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorshipSession.objects.filter(pk=session.pk).update(**{field: 2})
