"""The program navigation on every page inside a program, gathered from the apps' panels."""

from collections import OrderedDict

from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from matching import panels as matching_panels
from mentorship.oversight import panels as oversight_panels
from mentorship.pairings import panels as pairings_panels
from mentorship.panels import Link, LinkProvider, program_url
from organizations import panels as organizations_panels
from organizations.selectors import tenant_roles
from sessions_app import panels as sessions_panels


def dashboard_link(request: HttpRequest) -> list[Link]:
    """The program dashboard and the program's settings, for those who manage the program."""
    if not request.user.has_perm("organizations.manage_program", request.program):
        return []
    return [
        Link(_("Dashboard"), program_url(request, "portal:dashboard")),
        Link(_("Program settings"), program_url(request, "portal:program_settings")),
    ]


# After the program's overview, in this order; each app shows only what the visitor's roles reach. A provider
# reads only the request's program (its row), its organization's slug, the visitor's roles in the organization
# and their account's flags: the links are kept in this process by exactly those (``_links``).
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
    links = _links(request)
    # The longest link that starts the current path is the page one is on (a question's page is the builder's).
    current = max((link.url for link in links if request.path.startswith(link.url)), key=len, default=None)
    return [(link, link.url == current) for link in links]


# (what the links are made of) -> the links: a few per program and set of roles, each a few hundred bytes.
_KEPT: OrderedDict[tuple, tuple[Link, ...]] = OrderedDict()
KEPT_ENTRIES = 1024


def _links(request: HttpRequest) -> tuple[Link, ...]:
    """The program's links for the visitor, kept in this process by everything the providers read, all of it
    at hand on the request (no query, no stamp): the program's row (its flags, its slug), the organization's
    slug, the visitor's roles and account flags, the language and the URLconf. Making them took up to a
    millisecond of every page of a program: about fifteen permission checks and as many links (issue 9)."""
    program, user = request.program, request.user
    key = (
        repr([getattr(program, field.attname) for field in program._meta.concrete_fields]),
        request.organization.slug,
        tenant_roles(user, request.organization),
        (user.is_active, user.is_staff, user.is_superuser),
        translation.get_language(),
        get_script_prefix(),
        get_urlconf(),
    )
    links = _KEPT.get(key)
    if links is None:
        overview = Link(_("Overview"), program_url(request, "portal:program"))
        links = (overview, *(link for provider in PROGRAM_NAV for link in provider(request)))
    _KEPT[key] = links
    _KEPT.move_to_end(key)
    while len(_KEPT) > KEPT_ENTRIES:
        _KEPT.popitem(last=False)
    return links


def clear_kept_links() -> None:
    """Forget the kept links (tests: primary keys and rows repeat across rolled-back tests)."""
    _KEPT.clear()
