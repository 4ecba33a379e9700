"""Staff add and cancel bookings in the Django admin through the booking service: seats stay counted."""

from datetime import time

from django.core import mail
from django.urls import reverse

from organizations.models import Role
from sessions_app.models import Booking, BookingStatus, MentorshipSession
from tests.factories import UserFactory, member
from tests.sessions_app.factories import in_days, make_session


def _staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_add_a_booking_counted_and_emailed_and_a_full_session_refuses(client, program, mentor, mentee, sent):
    session = make_session(mentor, day=in_days(6))
    _staff(client)
    add = reverse("admin:sessions_app_booking_add")
    with sent():
        response = client.post(add, {"session": session.pk, "mentee": mentee.pk, "mode": "online"})
    assert response.status_code == 302
    assert MentorshipSession.objects.get(pk=session.pk).seats_taken == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentor.user.email, mentee.user.email])

    other = member(program, Role.MENTEE).memberships.get()
    page = client.post(add, {"session": session.pk, "mentee": other.pk, "mode": "online"}).content.decode()
    assert "This session has no seats left." in page
    assert Booking.objects.count() == 1


def test_staff_cancel_bookings_with_the_action_and_cannot_edit_or_delete_them(client, program, mentor, mentee):
    session = make_session(mentor, day=in_days(6), mentee=mentee)
    booking = Booking.objects.get()
    _staff(client)
    change = client.get(reverse("admin:sessions_app_booking_change", args=[booking.pk])).content.decode()
    assert 'name="status"' not in change and 'name="mentee"' not in change
    assert client.get(reverse("admin:sessions_app_booking_delete", args=[booking.pk])).status_code == 403
    response = client.post(
        reverse("admin:sessions_app_booking_changelist"),
        {"action": "cancel_bookings", "_selected_action": [booking.pk]},
        follow=True,
    )
    assert "1 booking cancelled." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert MentorshipSession.objects.get(pk=session.pk).seats_taken == 0


def test_a_session_moved_in_the_admin_is_checked_and_whoever_booked_is_told(client, program, mentor, mentee, sent):
    session = make_session(mentor, day=in_days(6), mentee=mentee)
    make_session(mentor, day=in_days(6), at=time(14))
    _staff(client)
    url = reverse("admin:sessions_app_mentorshipsession_change", args=[session.pk])
    page = client.get(url).content.decode()
    assert 'name="bookings-0-status"' not in page  # the inline is read-only
    data = {
        "local_date": session.local_date.isoformat(),
        "local_time": "14:30",
        "duration_minutes": 60,
        "bookings-TOTAL_FORMS": 1,
        "bookings-INITIAL_FORMS": 1,
        "bookings-MIN_NUM_FORMS": 0,
        "bookings-MAX_NUM_FORMS": 0,
        "bookings-0-id": Booking.objects.get().pk,
        "bookings-0-session": session.pk,
    }
    page = client.post(url, data).content.decode()
    assert "Maria Mentor already has a published session then" in page
    mail.outbox.clear()
    with sent():
        assert client.post(url, {**data, "local_time": "16:00"}).status_code == 302
    moved = MentorshipSession.objects.get(pk=session.pk)
    assert (moved.local_time, moved.sequence, moved.seats_taken) == (time(16), 1, 1)
    assert [m.to for m in mail.outbox] == [[mentee.user.email]]
    assert "Date and time" in mail.outbox[0].body
