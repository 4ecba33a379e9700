"""Pages that gather from several apps: a person's home and a program's overview."""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from matching import panels as matching_panels
from matching.selectors import next_steps
from mentorship.pairings import panels as pairings_panels
from mentorship.panels import PanelProvider
from organizations import selectors as organizations_selectors
from organizations.decorators import tenant_view
from organizations.models import AccessRequest, Role
from organizations.services.onboarding import can_request_access
from sessions_app import panels as sessions_panels

# The program overview's panels, top to bottom (its links are in the program navigation: context_processors).
PROGRAM_PANELS: tuple[PanelProvider, ...] = (
    matching_panels.participant_next_steps,
    sessions_panels.open_session_requests,
    pairings_panels.my_conversations,
    sessions_panels.schedule_together,
    sessions_panels.upcoming_sessions,
)

# A mentor's part of home, below their programs: what waits for their answer.
MENTOR_HOME_PANELS: tuple[PanelProvider, ...] = (
    matching_panels.mentor_waiting_requests,
    sessions_panels.mentor_open_session_requests,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = organizations_selectors.memberships_of(request.user)
    steps = next_steps(request.user, memberships)
    for membership in memberships:
        membership.next_step = steps.get(membership.pk)
        if membership.next_step and membership.next_step.pairings:
            membership.next_step_links = sessions_panels.schedule_links(membership, membership.next_step.pairings)
    organizations = [
        (organization, list(rows)) for organization, rows in groupby(memberships, key=lambda m: m.organization)
    ]
    context = {"organizations": organizations, "mentor_panels": _rendered_panels(request, MENTOR_HOME_PANELS)}
    return render(request, "portal/home.html", context)


@tenant_view(perm="organizations.view_program")
def program_overview(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    roles = [
        role
        for pid, role in organizations_selectors.tenant_roles(request.user, request.organization)
        if pid == request.program.pk
    ]
    can_manage_organization = request.user.has_perm("organizations.manage_organization", request.organization)
    # Shown to the organization's admins only, and only until the program is live: no query for anyone else.
    access_request = None
    if can_manage_organization and not request.program.is_live:
        access_request = AccessRequest.objects.filter(program=request.program).first()
    can_request = can_request_access(request.program)
    may_request = can_request and (access_request is None or access_request.status == "denied")
    context = {
        "my_roles": [Role(role).label for role in roles],
        "can_manage_organization": can_manage_organization,
        "can_request_access": can_request,
        "show_request_access": can_manage_organization and may_request,
        "access_request": access_request,
        "panels": _rendered_panels(request, PROGRAM_PANELS),
    }
    return render(request, "portal/program.html", context)


def _rendered_panels(request: HttpRequest, providers: tuple[PanelProvider, ...]) -> list[str]:
    panels = (provider(request) for provider in providers)
    return [render_to_string(p.template, dict(p.context), request=request) for p in panels if p is not None]
