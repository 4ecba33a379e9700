"""Demo oversight for seed_demo: an activity with a past weekly schedule and its attendance, one ahead, and a
mentor's observations, so that the dashboard, Activities and My mentees show a lived-in program."""

from datetime import time, timedelta

from django.utils import timezone

from accounts.models import User
from mentorship.oversight.models import Activity, AttendanceStatus, Visibility
from mentorship.oversight.services import DateInput, activity_save, attendance_record, observation_add
from organizations.models import Membership, Program

MARKS = [AttendanceStatus.PRESENT, AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED]


def seed_demo_oversight(program: Program, admin: User, mentors: list[Membership], mentees: list[Membership]) -> int:
    """Create the demo activities once (nothing if the program has some); returns how many activities exist."""
    if Activity.objects.filter(program=program).exists() or not mentors or not mentees:
        return Activity.objects.filter(program=program).count()
    today = timezone.localdate()
    attending = mentees[: max(1, (len(mentees) + 1) // 2)]
    club = activity_save(
        program=program,
        by=admin,
        name="Coding club",
        description="Python basics, one evening a week.",
        time_zone="America/Toronto",
        mentees=attending,
        mentors=mentors[:1],
        dates=[DateInput(today - timedelta(weeks=w), time(18), time(20), "Toronto office") for w in range(4, 0, -1)]
        + [DateInput(today + timedelta(weeks=w), time(18), time(20), "Toronto office") for w in (1, 2)],
    )
    for number, day in enumerate(d for d in club.dates.all() if d.local_date < today):
        marks = {m.pk: (MARKS[(number + i) % len(MARKS)], "") for i, m in enumerate(attending)}
        attendance_record(date=day, by=admin, marks=marks)
    activity_save(
        program=program,
        by=admin,
        name="Career workshop",
        description="CVs and interviews.",
        time_zone="Europe/Paris",
        mentees=mentees[-1:],
        mentors=mentors[-1:],
        dates=[DateInput(today + timedelta(days=10), time(14), time(16), "Paris office")],
    )
    first = attending[0]
    observation_add(
        author=mentors[0],
        mentee=first,
        observed_on=today - timedelta(weeks=1),
        text="Finished the loops exercise ahead of the group; ready for functions.",
        visibility=Visibility.SHARED,
        activity=club,
    )
    observation_add(
        author=mentors[0],
        mentee=first,
        observed_on=today - timedelta(weeks=2),
        text="Missed a session; check in about the evening schedule.",
        visibility=Visibility.PRIVATE,
    )
    return Activity.objects.filter(program=program).count()
