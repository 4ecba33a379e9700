"""Editing a session never loses its bookings' count: seats stay never overbooked (F5.6) across edits."""

import pytest

from organizations.models import Role
from sessions_app.models import MentorshipSession
from sessions_app.services.bookings import booking_create
from sessions_app.services.errors import BookingError
from sessions_app.services.sessions import input_from, session_save
from tests.factories import member
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import in_days, make_session


def test_an_edit_opened_before_a_booking_and_saved_after_keeps_the_seat_taken(program, mentor, mentee):
    session = make_session(mentor, day=in_days(9), seats=2)
    opened = MentorshipSession.objects.get(pk=session.pk)  # the mentor opens Edit ...
    booking_create(session=session, mentee=mentee)  # ... a mentee books meanwhile ...
    session_save(  # ... and the mentor saves a new note
        program=program, data=input_from(opened, notes="Bring your CV"), by=mentor.user, publish=True, session=opened
    )
    saved = MentorshipSession.objects.get(pk=session.pk)
    assert (saved.notes, saved.seats_taken, saved.seats_left) == ("Bring your CV", 1, 1)
    second = member(program, Role.MENTEE).memberships.get()
    booking_create(session=saved, mentee=second)
    with pytest.raises(BookingError):
        booking_create(session=saved, mentee=member(program, Role.MENTEE).memberships.get())
    assert saved.bookings.filter(status="booked").count() == 2
    assert MentorshipSession.objects.get(pk=session.pk).seats_taken == 2


def test_fewer_seats_than_booked_is_refused_beside_the_field(client, program, mentor, mentee):
    session = make_session(mentor, day=in_days(9), seats=2)
    booking_create(session=session, mentee=mentee)
    booking_create(session=session, mentee=member(program, Role.MENTEE).memberships.get())
    client.force_login(mentor.user)
    data = {
        "mentor": mentor.pk,
        "local_date": session.local_date.isoformat(),
        "local_time": "10:00",
        "duration_minutes": 60,
        "enrollment": "online",
        "meeting_url": "https://meet.example.org/room",
        "seats": 1,
        "notes": "typed text",
        "action": "publish",
    }
    response = client.post(program_url(program, "sessions:edit", session.pk), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 seats are booked: keep at least that many." in page
    assert "typed text" in page  # nothing typed is lost
    assert MentorshipSession.objects.get(pk=session.pk).seats == 2
