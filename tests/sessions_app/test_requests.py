"""Requests in both directions (F6): "Request a Session", "I want to mentor you!", limits, flow switches, Clone."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.timesince import timesince

from matching.models import Pairing, PairingSource
from organizations.models import Role
from sessions_app.models import (
    MentorOffer,
    OfferState,
    RequestState,
    SessionRequest,
    SessionSettings,
)
from sessions_app.services.requests import mentor_offer_dismiss
from tests.factories import member
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import in_days, make_session


@pytest.fixture
def other_mentor(program):
    return member(program, Role.MENTOR, full_name="Omar Other", timezone="Europe/London").memberships.get()


def _request(client, program, mentor, message="Could we talk about interviews?"):
    return client.post(program_url(program, "sessions:request_session", mentor.pk), {"message": message})


def _session_post(mentee, day=None):
    return {
        "mentor": "",
        "mentee": mentee.pk,
        "local_date": (day or in_days(5)).isoformat(),
        "local_time": "14:00",
        "duration_minutes": 45,
        "enrollment": "online",
        "meeting_url": "https://meet.example.org/a",
        "seats": 1,
        "action": "publish",
    }


# ------------------------------------------------------------------ mentee → mentor


def test_a_mentee_requests_a_session_and_the_mentor_is_emailed(client, program, mentor, mentee, sent):
    client.force_login(mentee.user)
    page = client.get(program_url(program, "sessions:mentor", mentor.pk))
    assert "Request a Session" in page.content.decode()
    with sent():
        response = _request(client, program, mentor)
    assert response.status_code == 302
    request = SessionRequest.objects.get()
    assert (request.mentee, request.mentor, request.state) == (mentee, mentor, RequestState.OPEN)
    assert request.message == "Could we talk about interviews?"
    [email] = mail.outbox
    assert email.to == [mentor.user.email]
    assert "Paul Mentee requests a session with you" in email.subject
    assert "Could we talk about interviews?" in email.body


def test_one_open_request_per_mentee_and_mentor(client, program, mentor, mentee):
    client.force_login(mentee.user)
    _request(client, program, mentor)
    response = _request(client, program, mentor, message="Again")
    page = response.content.decode()
    assert response.status_code == 200
    assert "You already have an open request with this mentor" in page
    assert "Again" in page  # the form keeps what was typed
    assert SessionRequest.objects.count() == 1


def test_the_daily_limit_is_the_programs(client, program, mentor, mentee):
    SessionSettings.objects.create(program=program, requests_per_day=2)
    mentors = [member(program, Role.MENTOR).memberships.get() for _ in range(3)]
    client.force_login(mentee.user)
    for other in mentors[:2]:
        assert _request(client, program, other).status_code == 302
    response = _request(client, program, mentors[2])
    assert "the most this program allows" in response.content.decode()
    assert SessionRequest.objects.count() == 2
    # A day later the mentee may ask again.
    SessionRequest.objects.update(created_at=SessionRequest.objects.first().created_at - timedelta(days=1, minutes=1))
    assert _request(client, program, mentors[2]).status_code == 302


def test_the_mentor_schedules_the_request_from_new_session(client, program, mentor, mentee, sent):
    request = SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor, message="Hi")
    client.force_login(mentor.user)
    listing = client.get(program_url(program, "sessions:requests")).content.decode()
    assert "Paul Mentee" in listing and "Schedule a session" in listing
    url = program_url(program, "sessions:create") + f"?request={request.pk}"
    form = client.get(url)
    assert f'<option value="{mentee.pk}" selected>' in form.content.decode()  # pre-filled with the mentee
    with sent():
        response = client.post(url, {**_session_post(mentee), "mentor": mentor.pk})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.SCHEDULED
    assert request.session.bookings.get().mentee == mentee
    assert any(e.to == [mentee.user.email] and "added you to a session" in e.body for e in mail.outbox)


def test_the_mentor_declines_with_a_note(client, program, mentor, mentee, sent):
    request = SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor)
    client.force_login(mentor.user)
    url = program_url(program, "sessions:request_decline", request.pk)
    assert client.get(url).status_code == 200
    with sent():
        client.post(url, {"note": "I am away this month."})
    request.refresh_from_db()
    assert (request.state, request.decline_note) == (RequestState.DECLINED, "I am away this month.")
    [email] = mail.outbox
    assert email.to == [mentee.user.email] and "I am away this month." in email.body
    # Answered once: a second decline changes nothing.
    client.post(url, {"note": "again"})
    request.refresh_from_db()
    assert request.decline_note == "I am away this month."


def test_another_mentors_request_is_not_theirs_to_answer(client, program, mentor, mentee, other_mentor):
    request = SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor)
    client.force_login(other_mentor.user)
    assert client.get(program_url(program, "sessions:request_decline", request.pk)).status_code == 403
    url = program_url(program, "sessions:create") + f"?request={request.pk}"
    assert client.get(url).status_code == 404


# ------------------------------------------------------------------ mentor → mentee


def test_a_mentor_offers_and_the_mentee_sees_it_pending(client, program, mentor, mentee, sent):
    client.force_login(mentor.user)
    profile = client.get(program_url(program, "sessions:mentee", mentee.pk)).content.decode()
    assert "I want to mentor you!" in profile
    assert "Send Request" in client.get(program_url(program, "sessions:offer_create", mentee.pk)).content.decode()
    with sent():
        client.post(program_url(program, "sessions:offer_create", mentee.pk), {"message": "Happy to help"})
    offer = MentorOffer.objects.get()
    assert (offer.state, offer.message) == (OfferState.PENDING, "Happy to help")
    [email] = mail.outbox
    assert email.to == [mentee.user.email] and "Maria Mentor wants to mentor you" in email.subject
    client.force_login(mentee.user)
    page = client.get(program_url(program, "sessions:my_requests")).content.decode()
    assert "Maria Mentor" in page and "Pending" in page


def test_dismissing_leaves_the_list_and_tells_nobody(client, program, mentor, mentee, sent):
    offer = MentorOffer.objects.create(program=program, mentor=mentor, mentee=mentee)
    client.force_login(mentee.user)
    with sent():
        client.post(program_url(program, "sessions:offer_dismiss", offer.pk))
    offer.refresh_from_db()
    assert offer.state == OfferState.DISMISSED
    assert mail.outbox == []
    assert "Maria Mentor" not in client.get(program_url(program, "sessions:my_requests")).content.decode()


def test_booking_the_mentors_session_accepts_the_offer(client, program, mentor, mentee):
    offer = MentorOffer.objects.create(program=program, mentor=mentor, mentee=mentee)
    session = make_session(mentor, seats=2)
    client.force_login(mentee.user)
    client.post(program_url(program, "sessions:book", session.pk), {"mode": "online"})
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED
    assert "Accepted" in client.get(program_url(program, "sessions:my_requests")).content.decode()


def test_requesting_a_session_accepts_the_offer(client, program, mentor, mentee):
    offer = MentorOffer.objects.create(program=program, mentor=mentor, mentee=mentee)
    client.force_login(mentee.user)
    _request(client, program, mentor)
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED


def test_one_pending_offer_per_mentor_and_mentee(client, program, mentor, mentee):
    client.force_login(mentor.user)
    url = program_url(program, "sessions:offer_create", mentee.pk)
    client.post(url, {"message": "one"})
    response = client.post(url, {"message": "two"})
    assert "still pending" in response.content.decode()
    assert MentorOffer.objects.count() == 1


def test_a_mentee_of_another_program_is_404(client, program, mentor):
    from tests.factories import ProgramFactory

    stranger = member(ProgramFactory(organization=program.organization), Role.MENTEE).memberships.get()
    client.force_login(mentor.user)
    assert client.get(program_url(program, "sessions:mentee", stranger.pk)).status_code == 404


def test_another_organizations_request_and_offer_are_404(client, program, mentor, mentee):
    from tests.factories import ProgramFactory

    elsewhere = ProgramFactory()
    their_mentor = member(elsewhere, Role.MENTOR).memberships.get()
    their_mentee = member(elsewhere, Role.MENTEE).memberships.get()
    request = SessionRequest.objects.create(program=elsewhere, mentee=their_mentee, mentor=their_mentor)
    offer = MentorOffer.objects.create(program=elsewhere, mentor=their_mentor, mentee=their_mentee)
    client.force_login(mentor.user)
    assert client.get(program_url(program, "sessions:request_decline", request.pk)).status_code == 404
    client.force_login(mentee.user)
    assert client.get(program_url(program, "sessions:offer", offer.pk)).status_code == 404


# ------------------------------------------------------------------ pairing (point 5)


def test_a_scheduled_request_pairs_them_when_the_program_says_so(client, program, mentor, mentee):
    SessionSettings.objects.create(program=program, session_pairs=True)
    request = SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor)
    client.force_login(mentor.user)
    client.post(
        program_url(program, "sessions:create") + f"?request={request.pk}",
        {**_session_post(mentee), "mentor": mentor.pk},
    )
    pairing = Pairing.objects.get()
    assert (pairing.mentor, pairing.mentee, pairing.source) == (mentor, mentee, PairingSource.SESSION)


def test_off_by_default_no_pairing(client, program, mentor, mentee):
    offer = MentorOffer.objects.create(program=program, mentor=mentor, mentee=mentee)
    client.force_login(mentee.user)
    client.post(program_url(program, "sessions:book", make_session(mentor).pk), {"mode": "online"})
    offer.refresh_from_db()
    assert offer.state == OfferState.ACCEPTED
    assert not Pairing.objects.exists()


def test_an_accepted_offer_respects_the_mentors_capacity(client, program, mentor, mentee):
    SessionSettings.objects.create(program=program, session_pairs=True)
    mentor.capacity = 1
    mentor.save()
    first = member(program, Role.MENTEE).memberships.get()
    Pairing.objects.create(program=program, mentor=mentor, mentee=first)
    MentorOffer.objects.create(program=program, mentor=mentor, mentee=mentee)
    client.force_login(mentee.user)
    client.post(program_url(program, "sessions:book", make_session(mentor).pk), {"mode": "online"})
    assert MentorOffer.objects.get().state == OfferState.ACCEPTED
    assert list(Pairing.objects.values_list("mentee", flat=True)) == [first.pk]  # no room: not paired


# ------------------------------------------------------------------ flows switched off (point 4)


def test_mentee_requests_off(client, program, mentor, mentee):
    program.mentee_requests_enabled = False
    program.save()
    request = SessionRequest.objects.create(program=program, mentee=mentee, mentor=mentor)
    client.force_login(mentee.user)
    assert "Request a Session" not in client.get(program_url(program, "sessions:mentor", mentor.pk)).content.decode()
    assert client.get(program_url(program, "sessions:request_session", mentor.pk)).status_code == 404
    assert _request(client, program, mentor).status_code == 404
    client.force_login(mentor.user)
    assert client.get(program_url(program, "sessions:requests")).status_code == 404
    assert client.get(program_url(program, "sessions:request_decline", request.pk)).status_code == 404
    assert client.get(program_url(program, "sessions:create") + f"?request={request.pk}").status_code == 404
    assert "Session requests" not in client.get(program_url(program, "portal:program")).content.decode()


def test_mentor_offers_off(client, program, mentor, mentee):
    program.mentor_offers_enabled = False
    program.save()
    offer = MentorOffer.objects.create(program=program, mentor=mentor, mentee=mentee)
    client.force_login(mentor.user)
    assert "Mentees looking for a mentor" not in client.get(program_url(program, "portal:program")).content.decode()
    for name, args in (("mentee_search", ()), ("mentee", (mentee.pk,)), ("offer_create", (mentee.pk,))):
        assert client.get(program_url(program, f"sessions:{name}", *args)).status_code == 404
    client.force_login(mentee.user)
    assert "My Mentorship requests" not in client.get(program_url(program, "portal:program")).content.decode()
    assert client.get(program_url(program, "sessions:my_requests")).status_code == 404
    assert client.get(program_url(program, "sessions:offer", offer.pk)).status_code == 404
    assert client.post(program_url(program, "sessions:offer_dismiss", offer.pk)).status_code == 404


def test_self_booking_off(client, program, mentor, mentee):
    program.self_booking_enabled = False
    program.save()
    session = make_session(mentor, seats=2)
    client.force_login(mentee.user)
    page = client.get(program_url(program, "sessions:mentor", mentor.pk)).content.decode()
    assert "Book Session" not in page and "Sessions you can book" not in page
    assert client.post(program_url(program, "sessions:book", session.pk), {"mode": "online"}).status_code == 404
    assert not session.bookings.exists()


# ------------------------------------------------------------------ Clone (point 3)


def test_clone_opens_new_session_for_the_next_week(client, program, mentor, mentee):
    session = make_session(mentor, mentee=mentee, minutes=45)
    client.force_login(mentor.user)
    menu = client.get(program_url(program, "sessions:mentorship")).content.decode()
    assert "Clone" in menu
    page = client.get(program_url(program, "sessions:clone", session.pk)).content.decode()
    assert f'<option value="{mentee.pk}" selected>' in page
    assert (session.local_date + timedelta(weeks=1)).isoformat() in page
    assert 'value="45"' in page and "https://meet.example.org/room" in page
    client.post(
        program_url(program, "sessions:clone", session.pk),
        {**_session_post(mentee, day=session.local_date + timedelta(weeks=1)), "mentor": mentor.pk},
    )
    clone = mentor.mentored_sessions.exclude(pk=session.pk).get()
    assert clone.bookings.get().mentee == mentee


def test_a_session_without_a_mentee_has_no_clone(client, program, mentor):
    session = make_session(mentor)
    client.force_login(mentor.user)
    assert client.get(program_url(program, "sessions:clone", session.pk)).status_code == 404


def test_the_settings_page_sets_the_limit_and_pairing(client, program, program_admin):
    client.force_login(program_admin)
    url = program_url(program, "sessions:settings")
    page = client.get(url).content.decode()
    assert "a session between them pairs them" in page.lower()
    client.post(url, {"save_settings": 1, "cancel_notice_hours": 24, "requests_per_day": 5, "session_pairs": "on"})
    settings = SessionSettings.objects.get(program=program)
    assert (settings.requests_per_day, settings.session_pairs) == (5, True)
    response = client.post(url, {"save_settings": 1, "cancel_notice_hours": 24, "requests_per_day": 0})
    assert response.status_code == 200 and "greater than or equal to 1" in response.content.decode()


@pytest.mark.parametrize(
    ("booking", "requests", "next_step"),
    [
        (True, True, "Book one of their sessions or request a session with them."),
        (True, False, "Book one of their sessions."),
        (False, True, "Request a session with them."),
        (False, False, "Visit their profile."),
    ],
)
def test_the_offer_names_only_the_ways_the_program_has_on(
    client, program, mentor, mentee, sent, booking, requests, next_step
):
    program.self_booking_enabled, program.mentee_requests_enabled = booking, requests
    program.save()
    client.force_login(mentor.user)
    with sent():
        client.post(program_url(program, "sessions:offer_create", mentee.pk), {"message": "Happy to help"})
    [email] = mail.outbox
    assert next_step in email.body
    assert ("Book one of their sessions" in email.body) == booking
    assert ("request a session with them" in email.body.lower()) == requests
    client.force_login(mentee.user)
    page = client.get(program_url(program, "sessions:offer", MentorOffer.objects.get().pk)).content.decode()
    assert ("Booking one of their sessions" in page) == booking
    assert ("equesting a session with them" in page) == requests


def test_my_mentorship_requests_show_a_change_on_the_next_view_and_ages_as_they_grow(
    client, program, mentor, mentee, django_capture_on_commit_callbacks
):
    """The rows are kept under the program's stamp: a committed change shows on the next view, and each row's age
    is worked out on each view."""
    offer = MentorOffer.objects.create(program=program, mentor=mentor, mentee=mentee)
    client.force_login(mentee.user)
    mine = program_url(program, "sessions:my_requests")
    assert "Maria Mentor" in client.get(mine).content.decode()
    later = timezone.now() + timedelta(days=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert f"{timesince(offer.created_at, later)} ago" in client.get(mine).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        mentor_offer_dismiss(offer=offer)
    assert "Maria Mentor" not in client.get(mine).content.decode()
