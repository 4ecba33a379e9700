"""Rate limits of "Request a Session", "I want to mentor you!" / "Send Request" and "Book Session" (issue 14):
per person and per address, from settings, and they reset once the period has passed."""

from django.core import mail

from organizations.models import Role
from sessions_app.models import Booking, MentorOffer, SessionRequest, SessionSettings
from tests.factories import member
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import in_days, make_session

LIMITED = "You have done this too many times in a short while"


def test_request_a_session_is_limited_per_mentee_keeps_the_text_and_resets(client, program, mentee, sent, rate_limits):
    rate_limits(session_request="2/h/user,10/h/ip")
    SessionSettings.objects.create(program=program, requests_per_day=10)
    mentors = [member(program, Role.MENTOR).memberships.get() for _ in range(4)]
    client.force_login(mentee.user)
    url = lambda m: program_url(program, "sessions:request_session", m.pk)  # noqa: E731
    with sent():
        for mentor in mentors[:2]:
            assert client.post(url(mentor), {"message": "Hello"}).status_code == 302
        response = client.post(url(mentors[2]), {"message": "Could we talk about interviews?"})
    page = response.content.decode()
    assert response.status_code == 429
    assert LIMITED in page and "Try again in at most 60 minutes." in page
    assert "Could we talk about interviews?" in page  # the form keeps what was typed
    assert SessionRequest.objects.count() == 2 and len(mail.outbox) == 2
    rate_limits.clock.advance(3601)
    with sent():
        assert client.post(url(mentors[2]), {"message": "Again"}).status_code == 302
    assert SessionRequest.objects.count() == 3 and len(mail.outbox) == 3


def test_send_request_is_limited_per_mentor_and_resets(client, program, mentor, sent, rate_limits):
    rate_limits(mentor_offer="1/h/user,10/h/ip")
    mentees = [member(program, Role.MENTEE).memberships.get() for _ in range(2)]
    client.force_login(mentor.user)
    url = lambda m: program_url(program, "sessions:offer_create", m.pk)  # noqa: E731
    with sent():
        assert client.post(url(mentees[0]), {"message": "Happy to help"}).status_code == 302
        response = client.post(url(mentees[1]), {"message": "I can help with interviews"})
    assert response.status_code == 429
    assert "I can help with interviews" in response.content.decode()
    assert MentorOffer.objects.count() == 1 and len(mail.outbox) == 1
    rate_limits.clock.advance(3601)
    assert client.post(url(mentees[1]), {"message": "x"}).status_code == 302
    assert MentorOffer.objects.count() == 2


def test_booking_is_limited_per_address_across_people_and_resets(client, program, mentor, mentee, sent, rate_limits):
    rate_limits(booking="10/h/user,2/h/ip")
    sessions = [make_session(mentor, day=in_days(3 + i)) for i in range(4)]
    other = member(program, Role.MENTEE).memberships.get()
    book = lambda s, **extra: client.post(program_url(program, "sessions:book", s.pk), **extra)  # noqa: E731
    client.force_login(mentee.user)
    with sent():
        assert book(sessions[0]).status_code == 302
        client.force_login(other.user)  # another person, the same address
        assert book(sessions[1]).status_code == 302
        response = book(sessions[2])
    assert response.status_code == 429
    page = response.content.decode()
    assert "<h1>Too many attempts</h1>" in page and "Nothing was sent this time." in page
    assert Booking.objects.count() == 2
    # From another address the same person may go on (their own limit is 10).
    assert book(sessions[2], REMOTE_ADDR="10.0.0.9").status_code == 302
    rate_limits.clock.advance(3601)
    assert book(sessions[3]).status_code == 302
    assert Booking.objects.count() == 4


def test_with_the_cache_down_booking_still_works_and_says_so_in_the_log(
    client, program, mentor, mentee, sent, rate_limits, settings, caplog
):
    """allauth's limiter refuses everything when it cannot reach Redis; our limits fail open instead."""
    rate_limits(booking="1/h/user,1/h/ip")
    session = make_session(mentor, day=in_days(3))
    client.force_login(mentee.user)
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    with caplog.at_level("INFO", logger="mentorship.security"), sent():
        response = client.post(program_url(program, "sessions:book", session.pk))
    assert response.status_code == 302
    assert Booking.objects.count() == 1
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("security_event=rate_limit_unavailable action=booking") for line in lines)


def test_giving_up_seats_is_limited_per_person_and_resets(client, program, mentor, mentee, sent, rate_limits):
    """A booking given up emails the mentor (session_change, like a session changed or cancelled)."""
    from sessions_app.services.bookings import booking_create

    rate_limits(session_change="1/h/user,10/h/ip")
    bookings = [booking_create(session=make_session(mentor, day=in_days(5 + i)), mentee=mentee) for i in range(2)]
    client.force_login(mentee.user)
    cancel = lambda b: client.post(program_url(program, "sessions:booking_cancel", b.pk))  # noqa: E731
    with sent():
        assert cancel(bookings[0]).status_code == 302
        response = cancel(bookings[1])
    assert response.status_code == 429 and "Nothing was sent this time." in response.content.decode()
    assert Booking.objects.get(pk=bookings[1].pk).cancelled_at is None
    rate_limits.clock.advance(3601)
    assert cancel(bookings[1]).status_code == 302
    assert Booking.objects.get(pk=bookings[1].pk).cancelled_at is not None


def test_cancelling_sessions_is_limited_per_mentor_and_keeps_the_page(
    client, program, mentor, mentee, sent, rate_limits
):
    from sessions_app.models import MentorshipSession, SessionStatus
    from sessions_app.services.bookings import booking_create

    rate_limits(session_change="1/h/user,10/h/ip")
    sessions = [make_session(mentor, day=in_days(5 + i)) for i in range(2)]
    for session in sessions:
        booking_create(session=session, mentee=mentee)
    client.force_login(mentor.user)
    cancel = lambda s: client.post(program_url(program, "sessions:cancel", s.pk))  # noqa: E731
    with sent():
        assert cancel(sessions[0]).status_code == 302
    mail.outbox.clear()
    with sent():
        response = cancel(sessions[1])
    assert response.status_code == 429 and LIMITED in response.content.decode()
    assert MentorshipSession.objects.get(pk=sessions[1].pk).status != SessionStatus.CANCELLED
    assert mail.outbox == []


def test_declining_session_requests_is_limited_per_mentor(client, program, mentor, sent, rate_limits):
    from sessions_app.services.requests import session_request_create

    rate_limits(request_answer="1/h/user,10/h/ip")
    mentees = [member(program, Role.MENTEE).memberships.get() for _ in range(2)]
    asked = [session_request_create(mentee=m, mentor=mentor, message="Hello") for m in mentees]
    client.force_login(mentor.user)
    decline = lambda r, note: client.post(  # noqa: E731
        program_url(program, "sessions:request_decline", r.pk), {"note": note}
    )
    mail.outbox.clear()
    with sent():
        assert decline(asked[0], "Busy").status_code == 302
        response = decline(asked[1], "Away until June, sorry")
    page = response.content.decode()
    assert response.status_code == 429 and LIMITED in page and "Away until June, sorry" in page
    assert [m.to for m in mail.outbox] == [[mentees[0].user.email]]
    assert SessionRequest.objects.get(pk=asked[1].pk).state == "open"
