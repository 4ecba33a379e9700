"""What organizations adds to the pages of a program (see ``mentorship.panels``)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from mentorship.panels import Link


def program_nav_links(request: HttpRequest) -> list[Link]:
    """People and Invitations in the program navigation, for those who manage the program."""
    if not request.user.has_perm("organizations.manage_program", request.program):
        return []
    args = [request.organization.slug, request.program.slug]
    return [
        Link(_("People"), reverse("organizations:program_people", args=args)),
        Link(_("Invitations"), reverse("organizations:program_invitations", args=args)),
    ]
