from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from organizations import selectors
from organizations.decorators import tenant_permission_required
from organizations.models import Role


@tenant_permission_required("organizations.view_organization")
def organization_detail(request: HttpRequest, organization: str) -> HttpResponse:
    programs = selectors.programs_for(request.organization)
    can_manage = request.user.has_perm("organizations.manage_organization", request.organization)
    return render(request, "organizations/organization_detail.html", {"programs": programs, "can_manage": can_manage})


@tenant_permission_required("organizations.manage_organization")
def organization_members(request: HttpRequest, organization: str) -> HttpResponse:
    members = selectors.organization_members(request.organization)
    return render(request, "organizations/organization_members.html", {"members": members})


@tenant_permission_required("organizations.view_program")
def program_detail(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    roles = [
        role for pid, role in selectors.tenant_roles(request.user, request.organization) if pid == request.program.pk
    ]
    context = {
        "my_roles": [Role(role).label for role in roles],
        "can_manage": request.user.has_perm("organizations.manage_program", request.program),
    }
    return render(request, "organizations/program_detail.html", context)


@tenant_permission_required("organizations.manage_program")
def program_people(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    members = selectors.program_members(request.program)
    by_role = {
        role.label: [m for m in members if m.role == role] for role in (Role.PROGRAM_ADMIN, Role.MENTOR, Role.MENTEE)
    }
    return render(request, "organizations/program_people.html", {"by_role": by_role})
