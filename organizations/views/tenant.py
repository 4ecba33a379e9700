from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorship.kept import kept_count_page
from mentorship.stamps import program_stamp
from organizations import selectors
from organizations.decorators import tenant_view
from organizations.forms import DefaultLanguageForm, PeopleFilterForm
from organizations.models import OnboardingSignup, Program, Role
from organizations.signals import PeopleColumn, people_columns


@tenant_view(perm="organizations.view_organization")
def organization_detail(request: HttpRequest, organization: str, language_form=None) -> HttpResponse:
    programs = selectors.programs_for(request.organization)
    can_manage = request.user.has_perm("organizations.manage_organization", request.organization)
    signup = OnboardingSignup.objects.filter(organization=request.organization).select_related("slot").first()
    # Once a program is live the organization is past onboarding: the sign-up card would only be clutter.
    onboarding_done = any(program.is_live for program in programs)
    context = {
        "programs": programs,
        "can_manage": can_manage,
        "signup": signup,
        "onboarding_done": onboarding_done,
        "language_form": language_form or DefaultLanguageForm(instance=request.organization) if can_manage else None,
    }
    return render(request, "organizations/organization_detail.html", context, status=400 if language_form else 200)


@tenant_view(perm="organizations.manage_organization")
@require_POST
def organization_language(request: HttpRequest, organization: str) -> HttpResponse:
    """The organization's default language: for its people who chose none and whose browser asks for none of ours."""
    form = DefaultLanguageForm(request.POST, instance=request.organization)
    if not form.is_valid():
        return organization_detail(request, organization=organization, language_form=form)
    form.save()
    messages.success(request, _("The organization's default language is saved."))
    return redirect("organizations:detail", organization=request.organization.slug)


PAGE_SIZE = 25


@tenant_view(perm="organizations.manage_organization")
def organization_members(request: HttpRequest, organization: str) -> HttpResponse:
    form = PeopleFilterForm(request.GET, roles=list(Role))
    filters = form.filters()
    members = selectors.organization_members(request.organization, search=filters["search"], role=filters["role"])
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "filtered": any(filters.values()), "page": page}
    return render(request, "organizations/organization_members.html", context)


@tenant_view(perm="organizations.manage_program")
def program_people(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    stamp = program_stamp(request.program)  # before any row
    form = PeopleFilterForm(request.GET, roles=[Role.PROGRAM_ADMIN, Role.MENTOR, Role.MENTEE])
    filters = form.filters()
    members = selectors.program_members(request.program, search=filters["search"], role=filters["role"])
    # The count of the program's people (of one role) is kept under the stamp; a search's is counted.
    key = f"program-people:{request.program.pk}:{filters['role']}"
    page = kept_count_page(None if filters["search"] else stamp, key, members, PAGE_SIZE, request.GET.get("page"))
    rows = selectors.with_groups(list(page.object_list))
    for membership in rows:
        membership.shown_capacity = request.program.mentor_capacity(membership.capacity)
    mentors = [m for m in rows if m.role == Role.MENTOR]
    columns = _mentor_columns(request.program, mentors)
    for membership in rows:
        membership.extra_cells = [column.cells.get(membership.pk, "") for column in columns]
    context = {
        "mentor_columns": columns,
        "form": form,
        "filtered": any(filters.values()),
        "page": page,
        "rows": rows,
        "has_mentors": bool(mentors),
        "mentor_role": Role.MENTOR.value,
    }
    return render(request, "organizations/program_people.html", context)


def _mentor_columns(program: Program, mentors: list) -> list[PeopleColumn]:
    """The columns the apps add for the page's mentors (``signals.people_columns``), when there are any."""
    if not mentors:
        return []
    responses = people_columns.send(sender=Program, program=program, mentors=mentors)
    return [column for _receiver, column in responses if column is not None]
