"""How a session's time reads to one viewer: in their own zone, with the time at the other place."""

from datetime import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sessions_app.clock import city, in_zone
from sessions_app.models import MentorshipSession


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def when(session: MentorshipSession, zone: str) -> str:
    """ "Tuesday 10 March 2026, 16:00–17:00" in ``zone`` (the viewer's)."""
    start, end = in_zone(session.starts_at, zone), in_zone(session.ends_at, zone)
    return f"{date_format(start, 'l j F Y')}, {_clock(start)}–{_clock(end)}"


def places(session: MentorshipSession, zone: str) -> str:
    """ "10:00 in Toronto · 16:00 in Paris": the session's own zone, then the viewer's if it differs."""
    here = _("%(time)s in %(place)s") % {"time": _clock(session.local_start), "place": city(session.time_zone)}
    if zone == session.time_zone or in_zone(session.starts_at, zone).utcoffset() == session.local_start.utcoffset():
        return here
    there = _("%(time)s in %(place)s") % {"time": _clock(in_zone(session.starts_at, zone)), "place": city(zone)}
    return f"{here} · {there}"
