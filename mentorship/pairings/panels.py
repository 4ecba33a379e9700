"""What the life of a pairing adds to the pages of a program (see ``mentorship.panels``)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from matching.selectors import visitor_active_pairings
from mentorship.pairings import selectors
from mentorship.panels import Link, Panel, program_url


def program_nav_links(request: HttpRequest) -> list[Link]:
    """Pair activity, for the program's admins."""
    if not request.user.has_perm("pairings.oversee", request.program):
        return []
    return [
        Link(_("Pair activity"), program_url(request, "pairings:activity")),
        Link(_("Session feedback"), program_url(request, "pairings:feedback_overview")),
        Link(_("Program cycle"), program_url(request, "pairings:cycle")),
    ]


def my_conversations(request: HttpRequest) -> Panel | None:
    """The visitor's active pairings in this program, each with a link to its conversation."""
    pairings = visitor_active_pairings(request)
    if not pairings:
        return None
    for pairing in pairings:
        pairing.other = pairing.mentee if pairing.mentor.user_id == request.user.pk else pairing.mentor
    open_feedback = list(selectors.open_feedback_of_user(request.program, request.user)[:5])
    return Panel("pairings/_conversations_panel.html", {"my_pairings": pairings, "open_feedback": open_feedback})
