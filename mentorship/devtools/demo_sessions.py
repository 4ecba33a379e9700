"""Demo sessions for seed_demo: places, published sessions (some booked, one restricted to a group), and a
weekly series that crosses the next daylight-saving change in Toronto."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from organizations.models import Group, Membership, Program
from sessions_app.models import Location, MentorshipSession
from sessions_app.recurrence import Frequency
from sessions_app.services.bookings import booking_create
from sessions_app.services.series import series_create, series_plan
from sessions_app.services.sessions import SessionInput, session_save

TORONTO = "America/Toronto"


def next_dst_change(zone: str, after: date) -> date:
    """The first day after ``after`` whose UTC offset in ``zone`` differs from the day before."""
    tz = ZoneInfo(zone)
    day = after
    offset = datetime(day.year, day.month, day.day, 12, tzinfo=tz).utcoffset()
    for _ in range(400):
        day += timedelta(days=1)
        if datetime(day.year, day.month, day.day, 12, tzinfo=tz).utcoffset() != offset:
            return day
    return after


def _input(mentor: Membership, day: date, at: time, **fields) -> SessionInput:
    values = {
        "duration_minutes": 60,
        "online": True,
        "in_person": False,
        "meeting_url": "https://meet.example.org/demo",
    }
    return SessionInput(mentor=mentor, local_date=day, local_time=at, **{**values, **fields})


def seed_demo_sessions(program: Program, mentors: list[Membership], mentees: list[Membership]) -> int:
    """Create the demo sessions once (nothing if the program has some); returns how many sessions exist."""
    if MentorshipSession.objects.filter(program=program).exists() or not mentors:
        return MentorshipSession.objects.filter(program=program).count()
    toronto, _ = Location.objects.get_or_create(
        program=program, name="Toronto office", defaults={"time_zone": TORONTO, "address": "100 King St W, Toronto"}
    )
    Location.objects.get_or_create(
        program=program, name="Paris office", defaults={"time_zone": "Europe/Paris", "address": "1 rue de Rivoli"}
    )
    engineers, _ = Group.objects.get_or_create(program=program, name="Engineers")
    first = mentors[0]
    if first.user.timezone == "UTC":
        first.user.timezone = TORONTO
        first.user.save(update_fields=["timezone"])
    if mentees:
        mentees[0].groups.add(engineers)
    today = timezone.localdate()
    save = {"program": program, "by": first.user, "publish": True}
    booked = session_save(data=_input(first, today + timedelta(days=3), time(10), mentee=None), **save)
    in_person = session_save(
        data=_input(first, today + timedelta(days=4), time(14), location=toronto, in_person=True, seats=3), **save
    )
    other = mentors[1] if len(mentors) > 1 else first
    session_save(
        data=_input(other, today + timedelta(days=5), time(16), groups=[engineers]),
        **{**save, "by": other.user},
    )
    for mentee in mentees[:1]:
        booking_create(session=booked, mentee=mentee)
    for mentee in mentees[1:3]:  # two of its three seats taken
        booking_create(session=in_person, mentee=mentee, mode=in_person.modes[-1])
    _weekly_series(program, first, today)
    return MentorshipSession.objects.filter(program=program).count()


def _weekly_series(program: Program, mentor: Membership, today: date) -> None:
    change = next_dst_change(TORONTO, today)
    start = max(today + timedelta(days=1), change - timedelta(weeks=3))
    source = session_save(program=program, data=_input(mentor, start, time(9)), by=mentor.user, publish=True)
    plan = series_plan(source=source, frequency=Frequency.WEEKLY, count=7, until=None, zones=["Europe/Paris"])
    series_create(source=source, plan=plan, keep_mentees=False, by=mentor.user)
