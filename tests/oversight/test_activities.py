"""Program admins' activity pages: create and edit with a schedule, attendees and mentors; attendance per date."""

from datetime import UTC, date, datetime, time

from mentorship.oversight.models import Activity, ActivityDate, Attendance
from organizations.models import Role
from tests.factories import member
from tests.oversight.conftest import url


def _form(mentees=(), mentors=(), **more) -> dict:
    data = {
        "name": "Robotics workshop",
        "description": "Build a rover",
        "time_zone": "America/Toronto",
        "mentees": [m.pk for m in mentees],
        "mentors": [m.pk for m in mentors],
        "dates-TOTAL_FORMS": "3",
        "dates-INITIAL_FORMS": "0",
        "dates-MIN_NUM_FORMS": "0",
        "dates-MAX_NUM_FORMS": "200",
    }
    data.update(more)
    return data


def test_an_admin_creates_an_activity_with_schedule_attendees_and_mentors(client, program, admin, mentor, mentee):
    client.force_login(admin)
    response = client.post(
        url(program, "oversight:activity_create"),
        _form(
            [mentee],
            [mentor],
            **{
                "dates-0-local_date": "2026-03-14",
                "dates-0-start_time": "09:30",
                "dates-0-end_time": "11:00",
                "dates-0-place": "Lab 2",
            },
        ),
        follow=True,
    )
    activity = Activity.objects.get(name="Robotics workshop")
    assert [m.pk for m in activity.mentees.all()] == [mentee.pk]
    assert [m.pk for m in activity.mentors.all()] == [mentor.pk]
    day = activity.dates.get()
    # 09:30 in Toronto in March (EDT from 8 March 2026) is 13:30 UTC.
    assert day.starts_at == datetime(2026, 3, 14, 13, 30, tzinfo=UTC)
    page = response.content.decode()
    assert "Robotics workshop" in page and "Lab 2" in page and "Paul Mentee" in page and "Maria Mentor" in page
    assert "Take attendance for 14 Mar" in page


def test_bad_schedule_keeps_what_was_typed(client, program, admin):
    client.force_login(admin)
    response = client.post(
        url(program, "oversight:activity_create"),
        _form(**{"dates-0-local_date": "2026-03-14", "dates-0-start_time": "11:00", "dates-0-end_time": "10:00"}),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "The end must be after the start." in page
    assert 'value="Robotics workshop"' in page and 'value="2026-03-14"' in page
    assert not Activity.objects.exists()


def test_a_half_filled_date_and_a_duplicate_name_are_refused(client, program, admin, activity):
    client.force_login(admin)
    page = client.post(
        url(program, "oversight:activity_create"), _form(name="coding CLUB", **{"dates-0-local_date": "2026-03-14"})
    ).content.decode()
    assert "The program already has an activity with this name." in page
    assert "Give this date a day, a start and an end." in page
    assert Activity.objects.count() == 1


def test_editing_changes_removes_and_adds_dates(client, program, admin, activity, mentee):
    first, second = activity.dates.all()
    client.force_login(admin)
    data = _form(
        [],
        [],
        name="Coding club",
        **{
            "dates-TOTAL_FORMS": "3",
            "dates-INITIAL_FORMS": "2",
            "dates-0-id": first.pk,
            "dates-0-local_date": "2026-03-03",
            "dates-0-start_time": "18:00",
            "dates-0-end_time": "20:00",
            "dates-0-place": "Room 5",
            "dates-1-id": second.pk,
            "dates-1-local_date": "2026-03-10",
            "dates-1-start_time": "17:00",
            "dates-1-end_time": "19:00",
            "dates-1-remove": "on",
            "dates-2-local_date": "2026-03-24",
            "dates-2-start_time": "17:00",
            "dates-2-end_time": "19:00",
        },
    )
    assert client.post(url(program, "oversight:activity_edit", activity.pk), data).status_code == 302
    dates = list(ActivityDate.objects.filter(activity=activity).values_list("local_date", "start_time", "place"))
    assert dates == [(date(2026, 3, 3), time(18), "Room 5"), (date(2026, 3, 24), time(17), "")]
    assert not activity.mentees.exists()


def test_attendance_for_a_date_in_one_post(client, program, admin, activity, mentee):
    other = member(program, Role.MENTEE, full_name="Zoe Second").memberships.get()
    activity.mentees.add(other)
    day = activity.dates.first()
    client.force_login(admin)
    page = client.get(url(program, "oversight:attendance", activity.pk, day.pk)).content.decode()
    assert "Paul Mentee" in page and "Zoe Second" in page and "Excused" in page
    response = client.post(
        url(program, "oversight:attendance", activity.pk, day.pk),
        {f"status-{mentee.pk}": "present", f"status-{other.pk}": "excused", f"note-{other.pk}": "Doctor"},
        follow=True,
    )
    assert "Attendance is saved: 2 of 2 marked." in response.content.decode()
    marks = dict(Attendance.objects.filter(date=day).values_list("mentee__user__full_name", "status"))
    assert marks == {"Paul Mentee": "present", "Zoe Second": "excused"}
    assert Attendance.objects.get(mentee=other).note == "Doctor"
    # Saving again changes marks in place, and an empty choice clears one.
    client.post(url(program, "oversight:attendance", activity.pk, day.pk), {f"status-{mentee.pk}": "absent"})
    assert dict(Attendance.objects.filter(date=day).values_list("mentee_id", "status")) == {mentee.pk: "absent"}


def test_attendance_refuses_a_made_up_status_and_keeps_the_notes(client, program, admin, activity, mentee):
    day = activity.dates.first()
    client.force_login(admin)
    response = client.post(
        url(program, "oversight:attendance", activity.pk, day.pk),
        {f"status-{mentee.pk}": "asleep", f"note-{mentee.pk}": "Late bus"},
    )
    page = response.content.decode()
    assert "There is a problem" in page and 'value="Late bus"' in page
    assert not Attendance.objects.exists()


def test_a_date_of_another_activity_is_404(client, program, admin, activity):
    other = Activity.objects.create(program=program, name="Other")
    client.force_login(admin)
    day = activity.dates.first()
    assert client.get(url(program, "oversight:attendance", other.pk, day.pk)).status_code == 404


def test_attendance_25_attendees_a_page_each_page_saved_then_the_next(client, program, admin, activity, mentee):
    """At a real program's size an activity has hundreds of attendees (issue 9): each page is saved in one POST,
    which leaves the other pages' marks alone and goes on to the next page (the activity after the last)."""
    others = [member(program, Role.MENTEE, full_name=f"Attendee {n:02}").memberships.get() for n in range(25)]
    activity.mentees.add(*others)
    day = activity.dates.first()
    Attendance.objects.create(date=day, mentee=mentee, status="absent", note="Ill")  # Paul Mentee: page 2
    client.force_login(admin)
    address = url(program, "oversight:attendance", activity.pk, day.pk)
    first = client.get(address).content.decode()
    assert "Attendee 00" in first and "Attendee 24" in first and "Paul Mentee" not in first
    assert "Page 1 of 2" in first
    response = client.post(address, {f"status-{others[0].pk}": "present", f"status-{mentee.pk}": "present"})
    assert response.status_code == 302 and response["Location"] == f"{address}?page=2"
    second = client.get(response["Location"]).content.decode()
    assert "Attendance is saved: 2 of 26 marked." in second
    assert "Paul Mentee" in second and 'value="Ill"' in second and "Attendee 24" not in second
    # Page 1's POST named Paul Mentee, who is on page 2: his mark is untouched.
    marks = dict(Attendance.objects.filter(date=day).values_list("mentee_id", "status"))
    assert marks == {others[0].pk: "present", mentee.pk: "absent"}
    last = client.post(f"{address}?page=2", {f"status-{mentee.pk}": "excused"})
    assert last["Location"] == url(program, "oversight:activity", activity.pk)
    assert Attendance.objects.get(date=day, mentee=mentee).status == "excused"
