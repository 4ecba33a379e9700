"""Bulk Duplicate: the preview (skips, daylight-saving warnings), the rows it makes, and series edits."""

from datetime import date, time

import pytest
from django.core import mail

from sessions_app.models import Booking, MentorshipSession, SessionStatus
from tests.sessions_app.conftest import program_url
from tests.sessions_app.factories import make_session

MONDAY = date(2027, 3, 1)  # Toronto moves its clocks on 14 March 2027, Paris on 28 March 2027


@pytest.fixture
def source(mentor, mentee):
    return make_session(mentor, day=MONDAY, at=time(10), mentee=mentee)


def _bulk(client, program, source, **data):
    return client.post(program_url(program, "sessions:bulk_duplicate", source.pk), {"frequency": "weekly", **data})


def test_preview_lists_dates_skips_overlaps_and_warns_where_daylight_saving_moves_the_time(
    client, program, mentor, source
):
    make_session(mentor, day=date(2027, 3, 22), at=time(10, 30))
    client.force_login(mentor.user)
    page = _bulk(client, program, source, count=5, preview=1).content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert [r.split("<td>")[1].split("</td>")[0] for r in rows] == [
        "Monday 8 March 2027",
        "Monday 15 March 2027",
        "Monday 22 March 2027",
        "Monday 29 March 2027",
        "Monday 5 April 2027",
    ]
    assert "Daylight saving" not in rows[0]
    assert "15:00 in Paris this week (usually 16:00)" in rows[1]  # Toronto moved, Paris not yet
    assert "Skipped" in rows[2] and "already has a published session then: 22 March 2027 at 10:30" in rows[2]
    assert "Daylight saving" not in rows[3] and "Daylight saving" not in rows[4]  # Paris moved too
    assert "Create 4 copies" in page
    assert MentorshipSession.objects.count() == 2  # a preview makes nothing


def test_create_stores_rows_of_their_own_in_one_series_at_the_same_local_time(client, program, mentor, source):
    client.force_login(mentor.user)
    _bulk(client, program, source, count=8, create=1)
    copies = list(MentorshipSession.objects.exclude(pk=source.pk).order_by("starts_at"))
    source.refresh_from_db()
    assert len(copies) == 8
    assert {c.series for c in copies} == {source.series} and source.series is not None
    assert {(c.local_time, c.time_zone, c.status) for c in copies} == {(time(10), "America/Toronto", "published")}
    assert [c.starts_at.hour for c in copies] == [15, 14, 14, 14, 14, 14, 14, 14]  # UTC moves, 10:00 stays
    assert Booking.objects.exclude(session=source).count() == 0  # mentees are not carried over unless asked


def test_keep_the_booked_mentee_for_a_recurring_series(client, program, mentor, mentee, source, sent):
    client.force_login(mentor.user)
    with sent():
        _bulk(client, program, source, count=3, keep_mentees="on", create=1)
    assert Booking.objects.filter(mentee=mentee).count() == 4
    assert len([m for m in mail.outbox if m.to == [mentee.user.email]]) == 3


def test_an_end_date_bounds_the_series(client, program, mentor, source):
    client.force_login(mentor.user)
    _bulk(client, program, source, until="2027-03-20", create=1)
    assert sorted(s.local_date for s in MentorshipSession.objects.exclude(pk=source.pk)) == [
        date(2027, 3, 8),
        date(2027, 3, 15),
    ]


def test_count_or_end_date_is_required(client, program, mentor, source):
    client.force_login(mentor.user)
    page = _bulk(client, program, source, count="", preview=1).content.decode()
    assert "Give a number of copies or an end date." in page


def _series(client, program, source, count=4):
    _bulk(client, program, source, count=count, create=1)
    return list(MentorshipSession.objects.filter(series=MentorshipSession.objects.get(pk=source.pk).series))


def _edit(client, program, session, scope, at="11:00"):
    data = {
        "mentor": session.mentor_id,
        "local_date": session.local_date.isoformat(),
        "local_time": at,
        "duration_minutes": 60,
        "enrollment": "online",
        "meeting_url": "https://meet.example.org/room",
        "seats": 1,
        "scope": scope,
        "action": "publish",
    }
    return client.post(program_url(program, "sessions:edit", session.pk), data)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("this", [time(10), time(10), time(11), time(10), time(10)]),
        ("following", [time(10), time(10), time(11), time(11), time(11)]),
        ("all", [time(11)] * 5),
    ],
)
def test_a_series_is_edited_one_this_and_following_or_all(client, program, mentor, source, scope, expected):
    client.force_login(mentor.user)
    sessions = _series(client, program, source)
    assert _edit(client, program, sessions[2], scope).status_code == 302
    after = list(MentorshipSession.objects.filter(series=sessions[0].series).order_by("local_date"))
    assert [s.local_time for s in after] == expected
    assert [s.local_date for s in after] == [s.local_date for s in sessions]  # each keeps its date, none added


def test_this_and_following_cancels_only_from_that_occurrence(client, program, mentor, source):
    client.force_login(mentor.user)
    sessions = _series(client, program, source)
    client.post(program_url(program, "sessions:cancel", sessions[3].pk), {"scope": "following"})
    states = list(
        MentorshipSession.objects.filter(series=sessions[0].series)
        .order_by("local_date")
        .values_list("status", flat=True)
    )
    assert states == [SessionStatus.PUBLISHED] * 3 + [SessionStatus.CANCELLED] * 2
