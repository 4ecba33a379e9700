"""iCalendar: the invitations attached to emails and the private feed, parsed back with icalendar."""

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.services import calendar_token_reset
from sessions_app.models import Booking, MentorshipSession
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import make_session

TORONTO = ZoneInfo("America/Toronto")


def _event(ics: str | bytes) -> icalendar.Event:
    [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return event


def test_booking_email_carries_a_request_in_the_locations_zone(client, program, mentor, mentee, sent):
    session = make_session(mentor, day=date(2027, 3, 15), at=time(10))
    client.force_login(mentee.user)
    with sent():
        client.post(program_url(program, "sessions:book", session.pk))
    message = next(m for m in mail.outbox if m.to == [mentee.user.email])
    calendar = icalendar.Calendar.from_ical(message.attachments[0][1])
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Toronto"]
    event = _event(message.attachments[0][1])
    assert event.decoded("DTSTART") == datetime(2027, 3, 15, 10, tzinfo=TORONTO)
    assert event.decoded("DTSTART").astimezone(ZoneInfo("UTC")).hour == 14  # after Toronto's change
    assert event["UID"] == f"session-{session.uid}@testserver"
    assert event["SEQUENCE"] == 0
    assert str(event["ORGANIZER"]) == f"mailto:{mentor.user.email}"
    assert str(event["ATTENDEE"]) == f"mailto:{mentee.user.email}"


def test_a_change_raises_the_sequence_and_a_cancel_keeps_the_uid(client, program, mentor, mentee, sent):
    session = make_session(mentor, day=date(2027, 3, 8), at=time(10), mentee=mentee)
    client.force_login(mentor.user)
    data = {
        "mentor": mentor.pk,
        "local_date": "2027-03-15",
        "local_time": "10:00",
        "duration_minutes": 60,
        "enrollment": "online",
        "meeting_url": "https://meet.example.org/room",
        "seats": 1,
        "action": "publish",
    }
    with sent():
        client.post(program_url(program, "sessions:edit", session.pk), data)
        client.post(program_url(program, "sessions:cancel", session.pk), {})
    changed, cancelled = (m.attachments[0][1] for m in mail.outbox)
    assert (_event(changed)["SEQUENCE"], _event(cancelled)["SEQUENCE"]) == (1, 2)
    assert _event(changed)["UID"] == _event(cancelled)["UID"] == f"session-{session.uid}@testserver"
    assert icalendar.Calendar.from_ical(cancelled)["METHOD"] == "CANCEL"
    assert _event(cancelled)["STATUS"] == "CANCELLED"
    # Across Toronto's change on 14 March: 10:00 there both weeks, 15:00 then 14:00 UTC.
    assert _event(changed).decoded("DTSTART") == datetime(2027, 3, 15, 10, tzinfo=TORONTO)


def _feed_url(user: User) -> str:
    return reverse("calendar_feed", args=[calendar_token_reset(user=user)])


def test_the_feed_lists_a_persons_sessions_as_plain_crlf_icalendar(client, program, mentor, mentee):
    make_session(mentor, day=date(2027, 3, 8), mentee=mentee)
    make_session(mentor, day=date(2027, 3, 15), mentee=mentee)
    url = _feed_url(mentee.user)
    for headers in ({}, {"HTTP_ACCEPT": "text/html"}, {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}):
        response = client.get(url, **headers)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert "Content-Encoding" not in response
        body = response.content
        assert b"\r\n" in body and b"\n" not in body.replace(b"\r\n", b"")
    calendar = icalendar.Calendar.from_ical(body)
    assert "REFRESH-INTERVAL" in calendar and "X-PUBLISHED-TTL" in calendar
    starts = sorted(e.decoded("DTSTART").astimezone(ZoneInfo("UTC")).hour for e in calendar.walk("VEVENT"))
    assert starts == [14, 15]  # 10:00 in Toronto on each side of the change


def test_the_feed_token_is_hashed_at_rest_and_reset_stops_the_old_address(client, mentee):
    url = _feed_url(mentee.user)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    mentee.user.refresh_from_db()
    assert token not in mentee.user.calendar_token_hash and len(mentee.user.calendar_token_hash) == 64
    assert mentee.user.email not in url and str(mentee.user.pk) not in token
    assert client.get(url).status_code == 200
    _feed_url(mentee.user)
    assert client.get(url).status_code == 404


def test_profile_edit_resets_the_calendar_address_and_shows_it_once(client, mentee):
    client.force_login(mentee.user)
    page = client.post(reverse("calendar_reset")).content.decode()
    assert "copy it now: it is shown only once" in page
    assert "http://testserver/calendar/" in page
    assert "http://testserver/calendar/" not in client.get(reverse("profile_edit")).content.decode()


def test_a_fetched_feed_is_recorded_and_changes_then_go_by_email_too(client, program, mentor, mentee, sent):
    mentee.user.notify_sessions = False
    mentee.user.save()
    session = make_session(mentor, day=date(2027, 3, 8), mentee=mentee)
    client.get(_feed_url(mentee.user))
    mentee.user.refresh_from_db()
    assert mentee.user.calendar_fetched_at is not None
    client.force_login(mentee.user)
    assert "Your calendar last synced:" in client.get(reverse("my_sessions")).content.decode()
    client.force_login(mentor.user)
    with sent():
        client.post(program_url(program, "sessions:cancel", session.pk), {})
    assert [m.to for m in mail.outbox] == [[mentee.user.email]]


def test_the_feed_of_a_person_with_500_sessions_runs_in_constant_queries(client, program, mentor, mentee):
    url = _feed_url(mentee.user)
    make_session(mentor, day=date(2027, 1, 4), mentee=mentee)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    source = MentorshipSession.objects.get()
    copies = []
    for n in range(499):
        copy = MentorshipSession.objects.get(pk=source.pk)
        copy.pk, copy.uid = None, uuid.uuid4()
        copy.starts_at = copy.starts_at + timedelta(hours=2 * (n + 1))
        copy.ends_at = copy.starts_at + copy.duration
        copies.append(copy)
    created = MentorshipSession.objects.bulk_create(copies)
    Booking.objects.bulk_create([Booking(session=s, mentee=mentee, mode="online") for s in created])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == 500
    assert len(many.captured_queries) == len(few.captured_queries)
