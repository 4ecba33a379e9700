"""What oversight adds to the pages of a program (see ``mentorship.panels``)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from mentorship.panels import Link, program_url


def program_nav_links(request: HttpRequest) -> list[Link]:
    """Activities for those who manage the program, My mentees for mentors, Your follow-up for mentees."""
    links = []
    if request.user.has_perm("oversight.manage_activities", request.program):
        links.append(Link(_("Activities"), program_url(request, "oversight:activities")))
    if request.user.has_perm("oversight.view_my_mentees", request.program):
        links.append(Link(_("My mentees"), program_url(request, "oversight:my_mentees")))
    if request.user.has_perm("oversight.view_own_follow_up", request.program):
        links.append(Link(_("Your follow-up"), program_url(request, "oversight:my_follow_up")))
    return links
