from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from organizations import selectors
from organizations.decorators import tenant_view
from organizations.models import OnboardingSignup, Role


@tenant_view(perm="organizations.view_organization")
def organization_detail(request: HttpRequest, organization: str) -> HttpResponse:
    programs = selectors.programs_for(request.organization)
    can_manage = request.user.has_perm("organizations.manage_organization", request.organization)
    signup = OnboardingSignup.objects.filter(organization=request.organization).select_related("slot").first()
    # Once a program is live the organization is past onboarding: the sign-up card would only be clutter.
    onboarding_done = any(program.is_live for program in programs)
    context = {"programs": programs, "can_manage": can_manage, "signup": signup, "onboarding_done": onboarding_done}
    return render(request, "organizations/organization_detail.html", context)


@tenant_view(perm="organizations.manage_organization")
def organization_members(request: HttpRequest, organization: str) -> HttpResponse:
    members = selectors.organization_members(request.organization)
    return render(request, "organizations/organization_members.html", {"members": members})


@tenant_view(perm="organizations.manage_program")
def program_people(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    members = list(selectors.program_members(request.program))
    for membership in members:
        membership.shown_capacity = request.program.mentor_capacity(membership.capacity)
    by_role = {
        role.label: [m for m in members if m.role == role] for role in (Role.PROGRAM_ADMIN, Role.MENTOR, Role.MENTEE)
    }
    context = {"by_role": by_role, "mentor_label": Role.MENTOR.label}
    return render(request, "organizations/program_people.html", context)
