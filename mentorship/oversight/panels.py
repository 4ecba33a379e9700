"""What oversight adds to the pages of a program (see ``mentorship.panels``)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from mentorship.panels import Link


def program_nav_links(request: HttpRequest) -> list[Link]:
    """Activities for those who manage the program, My mentees for mentors, Your follow-up for mentees."""
    args = [request.organization.slug, request.program.slug]
    links = []
    if request.user.has_perm("oversight.manage_activities", request.program):
        links.append(Link(_("Activities"), reverse("oversight:activities", args=args)))
    if request.user.has_perm("oversight.view_my_mentees", request.program):
        links.append(Link(_("My mentees"), reverse("oversight:my_mentees", args=args)))
    if request.user.has_perm("oversight.view_own_follow_up", request.program):
        links.append(Link(_("Your follow-up"), reverse("oversight:my_follow_up", args=args)))
    return links
