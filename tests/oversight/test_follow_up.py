"""A mentor's My mentees and a mentee's follow-up; observations with their 24 hours and kept versions; what a
mentee sees, and who looked; attendance of mentorship sessions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import Pairing
from mentorship.oversight.models import FollowUpView, Observation, ObservationRevision, OversightSettings
from mentorship.oversight.services import attendance_record, observation_add
from organizations.models import Role
from sessions_app.models import Booking, MentorshipSession
from sessions_app.services.sessions import session_cancel
from tests.factories import member
from tests.oversight.conftest import url
from tests.sessions_app.factories import in_days, make_session


@pytest.fixture
def paired(program, mentor):
    """A second mentee, paired with the mentor (not in the activity)."""
    mentee = member(program, Role.MENTEE, full_name="Nora Paired").memberships.get()
    Pairing.objects.create(program=program, mentor=mentor, mentee=mentee)
    return mentee


def _held_session(mentor, mentee, days_ago=3):
    session = make_session(mentor, day=in_days(5), mentee=mentee)
    start = timezone.now() - timedelta(days=days_ago)
    MentorshipSession.objects.filter(pk=session.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    session.refresh_from_db()
    return session


def test_my_mentees_lists_paired_and_activity_mentees_with_their_rate(
    client, program, admin, activity, mentor, mentee, paired
):
    first, second = activity.dates.all()
    attendance_record(date=first, by=admin, marks={mentee.pk: ("present", "")})
    attendance_record(date=second, by=admin, marks={mentee.pk: ("absent", "")})
    session = _held_session(mentor, mentee)
    Booking.objects.filter(session=session).update(attendance="attended")
    stranger = member(program, Role.MENTEE, full_name="Sam Stranger")
    client.force_login(mentor.user)
    page = client.get(url(program, "oversight:my_mentees")).content.decode()
    assert "Paul Mentee" in page and "Nora Paired" in page and "Sam Stranger" not in page
    # Present once, absent once (activity), attended once (session): 2 of 3.
    assert "67 %" in page
    assert "Activities: 1 present, 1 absent, 0 excused. Sessions: 1 attended, 0 no-show." in page
    assert "Your mentee (pairing)" in page and "Coding club" in page
    assert stranger.full_name not in page


def test_a_mentor_sees_the_schedule_and_attendance_and_adds_an_observation(
    client, program, admin, activity, mentor, mentee
):
    first = activity.dates.first()
    attendance_record(date=first, by=admin, marks={mentee.pk: ("excused", "Exam")})
    client.force_login(mentor.user)
    page = client.get(url(program, "oversight:mentee", mentee.pk)).content.decode()
    assert "Coding club" in page and "Excused" in page and "Exam" in page and "Not recorded" in page
    response = client.post(
        url(program, "oversight:observation_add", mentee.pk),
        {"observed_on": "2026-03-04", "text": "Asks good questions.", "visibility": "shared", "activity": activity.pk},
        follow=True,
    )
    assert "The observation is added." in response.content.decode()
    observation = Observation.objects.get()
    assert (observation.author, observation.mentee, observation.activity) == (mentor, mentee, activity)
    assert "Asks good questions." in response.content.decode()


def test_an_empty_observation_is_refused_with_a_message(client, program, activity, mentor, mentee):
    client.force_login(mentor.user)
    response = client.post(url(program, "oversight:observation_add", mentee.pk), {"observed_on": "2026-03-04"})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page and "This field is required." in page
    assert not Observation.objects.exists()


def test_a_mentor_cannot_follow_a_mentee_they_do_not_mentor(client, program, mentor):
    stranger = member(program, Role.MENTEE).memberships.get()
    client.force_login(mentor.user)
    assert client.get(url(program, "oversight:mentee", stranger.pk)).status_code == 403
    assert client.post(url(program, "oversight:observation_add", stranger.pk), {"text": "x"}).status_code == 403


def test_the_author_edits_for_24_hours_and_each_edit_is_kept(client, program, activity, mentor, mentee):
    observation = observation_add(
        author=mentor, mentee=mentee, observed_on=in_days(0), text="First words", visibility="private"
    )
    client.force_login(mentor.user)
    edit = url(program, "oversight:observation_edit", observation.pk)
    client.post(edit, {"observed_on": str(in_days(0)), "text": "Second words", "visibility": "shared"})
    client.post(edit, {"observed_on": str(in_days(0)), "text": "Third words", "visibility": "shared"})
    observation.refresh_from_db()
    assert observation.text == "Third words"
    assert list(ObservationRevision.objects.order_by("pk").values_list("text", "visibility")) == [
        ("First words", "private"),
        ("Second words", "shared"),
    ]
    page = client.get(edit).content.decode()
    assert "First words" in page and "Second words" in page
    Observation.objects.filter(pk=observation.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert client.get(edit).status_code == 403
    assert (
        client.post(edit, {"observed_on": str(in_days(0)), "text": "Late", "visibility": "shared"}).status_code == 403
    )
    assert Observation.objects.get().text == "Third words"


def test_another_mentor_cannot_edit_an_observation(client, program, activity, mentor, mentee):
    observation = observation_add(
        author=mentor, mentee=mentee, observed_on=in_days(0), text="Mine", visibility="shared"
    )
    other = member(program, Role.MENTOR)
    activity.mentors.add(other.memberships.get())
    client.force_login(other)
    assert client.get(url(program, "oversight:observation_edit", observation.pk)).status_code == 403


def test_program_admins_see_every_observation(client, program, admin, activity, mentor, mentee):
    observation_add(author=mentor, mentee=mentee, observed_on=in_days(0), text="Private note", visibility="private")
    client.force_login(admin)
    page = client.get(url(program, "oversight:mentee", mentee.pk)).content.decode()
    # They see the mentor's private note, cannot edit it, and may add their own (test_admin_observations.py).
    assert "Private note" in page and "Add an observation" in page and "Edit observation" not in page


def test_a_mentee_sees_only_shared_observations_and_who_looked(client, program, admin, activity, mentor, mentee):
    observation_add(author=mentor, mentee=mentee, observed_on=in_days(0), text="Shared praise", visibility="shared")
    observation_add(author=mentor, mentee=mentee, observed_on=in_days(0), text="Private worry", visibility="private")
    client.force_login(mentor.user)
    client.get(url(program, "oversight:mentee", mentee.pk))
    client.force_login(admin)
    client.get(url(program, "oversight:mentee", mentee.pk))
    client.force_login(mentee.user)
    page = client.get(url(program, "oversight:my_follow_up")).content.decode()
    assert "Shared praise" in page and "Private worry" not in page
    assert "Maria Mentor" in page and "Ada Admin" in page
    assert FollowUpView.objects.filter(mentee=mentee).count() == 2
    # The mentee's own visit is not a look by someone else.
    client.get(url(program, "oversight:my_follow_up"))
    assert FollowUpView.objects.filter(mentee=mentee).count() == 2


def test_the_program_may_keep_observations_from_mentees(client, program, admin, activity, mentor, mentee):
    observation_add(author=mentor, mentee=mentee, observed_on=in_days(0), text="Shared praise", visibility="shared")
    client.force_login(admin)
    client.post(url(program, "oversight:settings"), {})  # the box unticked
    assert OversightSettings.objects.get(program=program).mentees_see_observations is False
    client.force_login(mentee.user)
    page = client.get(url(program, "oversight:my_follow_up")).content.decode()
    assert "Shared praise" not in page and "This program does not show observations to mentees." in page


def test_the_mentor_records_session_attendance(client, program, mentor, mentee, paired):
    session = _held_session(mentor, mentee)
    booking = session.bookings.get()
    client.force_login(mentor.user)
    page = client.get(url(program, "oversight:session_attendance", session.pk)).content.decode()
    assert "Paul Mentee" in page and "No-show" in page
    client.post(url(program, "oversight:session_attendance", session.pk), {f"attendance-{booking.pk}": "no_show"})
    booking.refresh_from_db()
    assert booking.attendance == "no_show" and booking.attendance_recorded_at is not None


def test_a_cancelled_session_has_empty_attendance_not_no_show(client, program, mentor, mentee):
    session = _held_session(mentor, mentee)
    Booking.objects.filter(session=session).update(attendance="no_show")
    session_cancel(session=session, by=mentor.user)
    assert Booking.objects.get(session=session).attendance == ""
    client.force_login(mentor.user)
    response = client.post(
        url(program, "oversight:session_attendance", session.pk), {f"attendance-{session.bookings.get().pk}": "no_show"}
    )
    assert "This session was cancelled: it has no attendance." in response.content.decode()
    assert Booking.objects.get(session=session).attendance == ""


def test_a_session_not_started_takes_no_attendance(client, program, mentor, mentee):
    session = make_session(mentor, day=in_days(5), mentee=mentee)
    client.force_login(mentor.user)
    response = client.post(
        url(program, "oversight:session_attendance", session.pk),
        {f"attendance-{session.bookings.get().pk}": "attended"},
    )
    assert "Attendance is recorded once the session has started." in response.content.decode()
    assert Booking.objects.get(session=session).attendance == ""


def test_program_admins_list_every_observation_of_the_program(client, program, admin, activity, mentor, mentee, paired):
    observation_add(author=mentor, mentee=mentee, observed_on=in_days(0), text="Private note", visibility="private")
    observation_add(author=mentor, mentee=paired, observed_on=in_days(0), text="Shared note", visibility="shared")
    client.force_login(admin)
    page = client.get(url(program, "oversight:observations")).content.decode()
    assert "Private note" in page and "Shared note" in page and "Nora Paired" in page


def test_my_mentees_25_a_page_each_with_its_activities(client, program, activity, mentor):
    """Pairings and an activity's attendees, by name, 25 a page (issue 9): a page's rows name their activities."""
    for number in range(26):
        person = member(program, Role.MENTEE, full_name=f"Mentee {number:02}").memberships.get()
        if number % 2:
            Pairing.objects.create(program=program, mentor=mentor, mentee=person)
        else:
            activity.mentees.add(person)
    client.force_login(mentor.user)
    first = client.get(url(program, "oversight:my_mentees")).content.decode()
    second = client.get(url(program, "oversight:my_mentees"), {"page": 2}).content.decode()
    assert "Mentee 00" in first and "Mentee 24" in first and "Mentee 25" not in first
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    # Mentee 25 is paired; Paul Mentee (sorted after the Mentee rows) attends the activity.
    assert "Mentee 25" in second and "Paul Mentee" in second and "Mentee 24" not in second
    rows = second.split("<tr>")
    assert "Your mentee (pairing)" in next(r for r in rows if "Mentee 25" in r)
    assert "Coding club" in next(r for r in rows if "Paul Mentee" in r)
    assert second.count("<tr>") == 3  # the header and two rows
    assert FollowUpView.objects.filter(viewer=mentor.user).count() == 27  # each mentee shown, looked at once


def test_a_look_outside_any_transaction_is_committed_and_the_next_transaction_waits_for_the_disk_again(
    transactional_db, client, program, admin, activity, mentor, mentee
):
    """Outside the test's transaction (a real request's autocommit), a look commits without waiting for the disk
    (mentorship.oversight.services.looks_record): it is there at once, and only its own transaction was so."""
    from django.db import connection

    client.force_login(mentor.user)
    assert client.get(url(program, "oversight:my_mentees")).status_code == 200
    (look,) = FollowUpView.objects.filter(mentee=mentee, viewer=mentor.user)
    assert look.program_id == program.pk
    assert abs(look.viewed_at - timezone.now()) < timedelta(minutes=1)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    client.force_login(mentee.user)
    assert "Maria Mentor" in client.get(url(program, "oversight:my_follow_up")).content.decode()
