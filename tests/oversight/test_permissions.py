"""Mentors oversee and follow up; they never create or change activities, attendees or schedules (seed 003).

Every URL that changes an activity, its attendees, its schedule or its attendance, by every method, as the
activity's own assigned mentor: 403, and nothing changed.
"""

import pytest

from mentorship.oversight.models import Activity, ActivityDate, Attendance
from tests.oversight.conftest import url

CHANGING = ["oversight:activity_create", "oversight:activity_edit", "oversight:attendance", "oversight:settings"]


def _url_of(name, program, activity):
    if name == "oversight:activity_edit":
        return url(program, name, activity.pk)
    if name == "oversight:attendance":
        return url(program, name, activity.pk, activity.dates.first().pk)
    return url(program, name)


@pytest.mark.parametrize("name", CHANGING)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_the_assigned_mentor_cannot_change_activities(client, program, activity, mentor, mentee, name, method):
    client.force_login(mentor.user)
    before = list(ActivityDate.objects.values_list("pk", "local_date", "start_time"))
    data = {
        "name": "Hijacked",
        "time_zone": "UTC",
        "mentees": [],
        "mentors": [],
        f"status-{mentee.pk}": "absent",
        "dates-TOTAL_FORMS": "0",
        "dates-INITIAL_FORMS": "0",
    }
    response = getattr(client, method)(_url_of(name, program, activity), data)
    assert response.status_code == 403
    assert list(Activity.objects.values_list("name", flat=True)) == ["Coding club"]
    assert list(activity.mentees.all()) == [mentee]
    assert list(ActivityDate.objects.values_list("pk", "local_date", "start_time")) == before
    assert not Attendance.objects.exists()


def test_the_mentor_sees_the_activity_without_an_edit_link(client, program, activity, mentor):
    client.force_login(mentor.user)
    page = client.get(url(program, "oversight:activity", activity.pk)).content.decode()
    assert "Coding club" in page and "Room 4" in page
    assert "Edit activity" not in page and "Take attendance" not in page
    assert url(program, "oversight:activity_edit", activity.pk) not in page


def test_a_mentor_not_assigned_gets_403_on_the_activity(client, program, activity):
    from organizations.models import Role
    from tests.factories import member

    client.force_login(member(program, Role.MENTOR))
    assert client.get(url(program, "oversight:activity", activity.pk)).status_code == 403
