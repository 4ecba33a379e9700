"""Sessions for the tests: made through the service, as a mentor would, so every row is what the app makes."""

from datetime import date, time, timedelta

from django.utils import timezone

from organizations.models import Membership
from sessions_app.models import Location, MentorshipSession
from sessions_app.services.sessions import SessionInput, session_save


def in_days(days: int) -> date:
    return (timezone.now() + timedelta(days=days)).date()


def make_session(
    mentor: Membership,
    *,
    day: date | None = None,
    at: time = time(10, 0),
    minutes: int = 60,
    publish: bool = True,
    location: Location | None = None,
    online: bool = True,
    in_person: bool = False,
    seats: int = 1,
    groups=(),
    mentee: Membership | None = None,
) -> MentorshipSession:
    data = SessionInput(
        mentor=mentor,
        local_date=day or in_days(10),
        local_time=at,
        duration_minutes=minutes,
        online=online,
        in_person=in_person,
        location=location,
        meeting_url="https://meet.example.org/room" if online else "",
        address="1 Main Street" if in_person else "",
        seats=seats,
        groups=list(groups),
        mentee=mentee,
    )
    return session_save(program=mentor.program, data=data, by=mentor.user, publish=publish)
