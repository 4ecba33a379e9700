"""The program navigation on every page inside a program, gathered from the apps' panels."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from matching import panels as matching_panels
from mentorship.oversight import panels as oversight_panels
from mentorship.pairings import panels as pairings_panels
from mentorship.panels import Link, LinkProvider, program_url
from organizations import panels as organizations_panels
from sessions_app import panels as sessions_panels


def dashboard_link(request: HttpRequest) -> list[Link]:
    """The program dashboard and the program's settings, for those who manage the program."""
    if not request.user.has_perm("organizations.manage_program", request.program):
        return []
    return [
        Link(_("Dashboard"), program_url(request, "portal:dashboard")),
        Link(_("Program settings"), program_url(request, "portal:program_settings")),
    ]


# After the program's overview, in this order; each app shows only what the visitor's roles reach.
PROGRAM_NAV: tuple[LinkProvider, ...] = (
    matching_panels.program_nav_links,
    sessions_panels.program_nav_links,
    oversight_panels.program_nav_links,
    pairings_panels.program_nav_links,
    organizations_panels.program_nav_links,
    dashboard_link,
)


def program_navigation(request: HttpRequest) -> dict:
    """``program_nav``: (link, is the current page) pairs, computed only if a template shows them."""
    if getattr(request, "program", None) is None or not request.user.is_authenticated:
        return {}
    return {"program_nav": SimpleLazyObject(lambda: _navigation(request))}


def _navigation(request: HttpRequest) -> list[tuple[Link, bool]]:
    overview = Link(_("Overview"), program_url(request, "portal:program"))
    links = [overview, *(link for provider in PROGRAM_NAV for link in provider(request))]
    # The longest link that starts the current path is the page one is on (a question's page is the builder's).
    current = max((link.url for link in links if request.path.startswith(link.url)), key=len, default=None)
    return [(link, link.url == current) for link in links]
