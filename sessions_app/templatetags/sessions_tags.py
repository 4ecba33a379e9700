"""Template filters of sessions' pages: a session's time for the viewer."""

from django import template

from sessions_app import display
from sessions_app.models import MentorshipSession

register = template.Library()


def _zone(viewer) -> str:
    return getattr(viewer, "timezone", None) or "UTC"


@register.filter
def when_for(session: MentorshipSession, viewer) -> str:
    return display.when(session, _zone(viewer))


@register.filter
def places_for(session: MentorshipSession, viewer) -> str:
    return display.places(session, _zone(viewer))
