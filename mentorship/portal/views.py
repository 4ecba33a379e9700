"""Pages that gather from several apps: a person's home and a program's overview."""

from collections.abc import Callable
from datetime import datetime
from itertools import groupby
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation

from matching import panels as matching_panels
from matching.selectors import next_steps
from mentorship.kept import kept, kept_until, stamp_key
from mentorship.pairings import panels as pairings_panels
from mentorship.panels import Panel, PanelProvider
from mentorship.stamps import program_stamp, program_stamps
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

# A mentor's part of home, below their programs: what waits for their answer. Each as the rows read by the
# person's id (kept) and the panel made of them on each view (with the times that move by themselves).
MENTOR_HOME_PANELS: tuple[tuple[Callable[[int], Any], Callable[[Any], Panel | None]], ...] = (
    (matching_panels.mentor_waiting_rows, matching_panels.mentor_waiting_requests),
    (sessions_panels.mentor_open_session_rows, sessions_panels.mentor_open_session_requests),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = organizations_selectors.memberships_of(request.user)
    # The next steps and the mentor's panels are read from the rows of the programs listed (the panels' queries
    # keep to them too): kept in this process under those programs' stamps, read before the rows, so a committed
    # write to any of them (a request, an answer, a pairing, a name) shows on the next view. The programs' ids
    # are in the key: a membership of a new program reads afresh.
    program_ids = sorted({m.program_id for m in memberships if m.program_id})
    stamp = stamp_key(program_stamps(program_ids).values())
    language, zone = translation.get_language(), timezone.get_current_timezone_name()
    key = f"home:{request.user.pk}:{program_ids}:{language}:{zone}"
    steps, links, rows = kept(stamp, key, lambda: _home_parts(request.user, memberships), shared=False)
    for membership in memberships:
        membership.next_step = steps.get(membership.pk)
        membership.next_step_links = links.get(membership.pk, ())
    organizations = [
        (organization, list(rows)) for organization, rows in groupby(memberships, key=lambda m: m.organization)
    ]
    panels = (panel(found) for (_rows, panel), found in zip(MENTOR_HOME_PANELS, rows, strict=True))
    mentor_panels = [render_to_string(p.template, dict(p.context), request=request) for p in panels if p]
    return render(request, "portal/home.html", {"organizations": organizations, "mentor_panels": mentor_panels})


def _home_parts(user, memberships: list) -> tuple[dict, dict, list]:
    """What home shows of the programs' rows: each membership's next step and its links to schedule a session,
    and the rows of the mentor's panels."""
    steps = next_steps(user, memberships)
    links = {}
    for membership in memberships:
        step = steps.get(membership.pk)
        if step and step.pairings:
            links[membership.pk] = sessions_panels.schedule_links(membership, step.pairings)
    return steps, links, [read(user.pk) for read, _panel in MENTOR_HOME_PANELS]


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
        "panels": _kept_panels(request, PROGRAM_PANELS),
    }
    return render(request, "portal/program.html", context)


def _kept_panels(request: HttpRequest, providers: tuple[PanelProvider, ...]) -> list[str]:
    """The panels of the visitor's program page, rendered: kept in this process under the program's stamp (read
    before their rows: each panel reads the program's rows, its people's names and the visitor's own) per visitor,
    language and time zone, until the first moment a panel shows changes by itself (a session ends)."""
    stamp = program_stamp(request.program)
    language, zone = translation.get_language(), timezone.get_current_timezone_name()
    key = f"program-panels:{request.program.pk}:{request.user.pk}:{language}:{zone}"
    return kept_until(stamp, key, lambda: _rendered_panels(request, providers), shared=False)


def _rendered_panels(request: HttpRequest, providers: tuple[PanelProvider, ...]) -> tuple[list[str], datetime | None]:
    panels = [panel for panel in (provider(request) for provider in providers) if panel is not None]
    html = [render_to_string(p.template, dict(p.context), request=request) for p in panels]
    return html, min((p.until for p in panels if p.until is not None), default=None)
