"""What organizations adds to the pages of a program (see ``mentorship.panels``)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from mentorship.panels import Link, program_url


def program_nav_links(request: HttpRequest) -> list[Link]:
    """People and Invitations in the program navigation, for those who manage the program."""
    if not request.user.has_perm("organizations.manage_program", request.program):
        return []
    return [
        Link(_("People"), program_url(request, "organizations:program_people")),
        Link(_("Invitations"), program_url(request, "organizations:program_invitations")),
    ]
