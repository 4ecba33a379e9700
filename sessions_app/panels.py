"""What sessions add to the pages of a program (see ``mentorship.panels``)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship.panels import Link, Panel
from sessions_app import selectors
from sessions_app.models import BookingStatus, SessionStatus


def program_nav_links(request: HttpRequest) -> list[Link]:
    """The Mentorship page, for everyone taking part in the program."""
    if not request.user.has_perm("sessions_app.view_mentorship", request.program):
        return []
    args = [request.organization.slug, request.program.slug]
    return [Link(_("Mentorship"), reverse("sessions:mentorship", args=args))]


def upcoming_sessions(request: HttpRequest) -> Panel | None:
    """The visitor's next sessions in this program, as mentor or booked mentee."""
    sessions = selectors.sessions_for(request.program).filter(
        ends_at__gt=timezone.now(), status=SessionStatus.PUBLISHED
    )
    mine = sessions.filter(mentor__user=request.user) | sessions.filter(
        bookings__mentee__user=request.user, bookings__status=BookingStatus.BOOKED
    )
    upcoming = list(mine.distinct()[:5])
    if not upcoming:
        return None
    return Panel("sessions_app/_upcoming_panel.html", {"upcoming_sessions": upcoming})
