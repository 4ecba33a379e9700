"""iCalendar for sessions: the invitation attached to emails, and each person's private feed.

Times are written in the session's own zone with its VTIMEZONE, so a calendar shows 10:00 at the place
whatever the daylight-saving rules; UID is stable per session and SEQUENCE rises with each change.
"""

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mentorship.mail import Attachment, absolute_url
from sessions_app.models import MentorshipSession, SessionStatus

PRODID = "-//Mentorship platform//Sessions//EN"
FEED_REFRESH = timedelta(hours=1)


def _calendar(method: str | None = None, name: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _summary(session: MentorshipSession) -> str:
    return f"{session.program.name}: {session.mentor.user.full_name}"


def _where(session: MentorshipSession) -> str:
    parts = []
    if session.in_person:
        parts.append(session.address or (session.location.address if session.location else ""))
    if session.online:
        parts.append(session.meeting_url)
    return " · ".join(p for p in parts if p)


def _person(user: User, role: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{user.email}")
    address.params["cn"] = icalendar.vText(user.full_name or user.email)
    address.params["role"] = icalendar.vText(role)
    return address


def session_event(session: MentorshipSession, attendees: Iterable[User], *, cancelled: bool = False) -> icalendar.Event:
    """The VEVENT of ``session`` with ``attendees``; ``cancelled`` for a CANCEL or a cancelled seat."""
    event = icalendar.Event()
    event.add("uid", f"session-{session.uid}@{urlsplit(settings.SITE_URL).hostname}")
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.local_start)
    event.add("dtend", session.ends_at.astimezone(session.zone))
    event.add("summary", _summary(session))
    event.add("location", _where(session))
    if session.online and session.meeting_url:
        event.add("url", session.meeting_url)
    if session.notes:
        event.add("description", session.notes)
    event.add("status", "CANCELLED" if cancelled or session.status == SessionStatus.CANCELLED else "CONFIRMED")
    event.add("organizer", _person(session.mentor.user, "CHAIR"))
    for user in attendees:
        event.add("attendee", _person(user, "REQ-PARTICIPANT"))
    return event


def invitation(session: MentorshipSession, attendees: Iterable[User], *, method: str = "REQUEST") -> Attachment:
    """An .ics to attach to an email: METHOD REQUEST (booked, changed) or CANCEL."""
    calendar = _calendar(method)
    calendar.add_component(session_event(session, attendees, cancelled=method == "CANCEL"))
    calendar.add_missing_timezones()
    return Attachment("session.ics", calendar.to_ical().decode(), f"text/calendar; method={method}")


def booked_users(session: MentorshipSession) -> list[User]:
    """The booked mentees of a session fetched with ``selectors.sessions_for`` (prefetched as ``booked``)."""
    return [booking.mentee.user for booking in getattr(session, "booked", [])]


def feed(user: User, sessions: Iterable[MentorshipSession]) -> bytes:
    """``user``'s private feed: their sessions, with refresh hints for calendar apps that subscribe."""
    calendar = _calendar(name=str(_("Mentorship sessions")))
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", FEED_REFRESH)
    for session in sessions:
        calendar.add_component(session_event(session, booked_users(session)))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_url(token: str) -> str:
    return absolute_url(reverse("calendar_feed", args=[token]))
