from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentorship.kept import kept, kept_count_page
from mentorship.panels import pk_urls
from mentorship.stamps import organization_stamp, program_stamp
from organizations import selectors
from organizations.decorators import tenant_view
from organizations.forms import DefaultLanguageForm, PeopleFilterForm
from organizations.models import Program, Role
from organizations.signals import PeopleColumn, people_columns


@tenant_view(perm="organizations.view_organization")
def organization_detail(request: HttpRequest, organization: str, language_form=None) -> HttpResponse:
    programs = selectors.programs_for(request.organization)
    can_manage = request.user.has_perm("organizations.manage_organization", request.organization)
    signup = selectors.onboarding_signup_of(request.organization)
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
    # Every row of the organization (its programs' and those in none) is under its stamp, read before them: the
    # count of its people (of one role) and a page of them are kept in this process; a search's are read.
    stamp = organization_stamp(request.organization)
    form = PeopleFilterForm(request.GET, roles=list(Role))
    filters = form.filters()
    members = selectors.organization_members(request.organization, search=filters["search"], role=filters["role"])
    key = f"organization-members:{request.organization.pk}:{filters['role']}"
    stamp = None if filters["search"] else stamp
    page = kept_count_page(stamp, key, members, PAGE_SIZE, request.GET.get("page"))
    rows = kept(stamp, f"{key}:rows:{page.number}", lambda: list(page.object_list), shared=False)
    context = {"form": form, "filtered": any(filters.values()), "page": page, "rows": _member_rows(rows)}
    return render(request, "organizations/organization_members.html", context)


def _member_rows(members) -> SafeString:
    """The organization's page of members, the HTML its template wrote (every value escaped)."""
    e = conditional_escape
    roles = {value: e(label) for value, label in Role.choices}
    html = [
        f"<tr><td>{e(m.user.full_name)}</td><td>{e(m.user.email)}</td><td>{roles.get(m.role) or e(m.role)}</td>"
        f"<td>{e(getattr(m.program, 'name', '')) or '—'}</td></tr>"
        for m in members
    ]
    # Every value above is escaped, or is a fixed string.
    return mark_safe("\n".join(html))  # nosec B308 B703


@tenant_view(perm="organizations.manage_program")
def program_people(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    stamp = program_stamp(request.program)  # before any row
    form = PeopleFilterForm(request.GET, roles=[Role.PROGRAM_ADMIN, Role.MENTOR, Role.MENTEE])
    filters = form.filters()
    members = selectors.program_members(request.program, search=filters["search"], role=filters["role"])
    # The count of the program's people (of one role) is kept under the stamp; a search's is counted.
    key = f"program-people:{request.program.pk}:{filters['role']}"
    page = kept_count_page(None if filters["search"] else stamp, key, members, PAGE_SIZE, request.GET.get("page"))

    def read() -> tuple[list, list[PeopleColumn]]:
        rows = selectors.with_groups(list(page.object_list))
        return rows, _mentor_columns(request.program, [m for m in rows if m.role == Role.MENTOR])

    # The page's rows, their groups and the apps' columns (the mentors' response records) are all the program's
    # rows, kept in this process under its stamp (read first: a committed write to them gives a new one) with
    # the filter, the page and the language of the columns' words; a search's are read.
    language = translation.get_language()
    rows_key = f"{key}:rows:{page.number}:{language}"
    rows, columns = kept(None if filters["search"] else stamp, rows_key, read, shared=False)
    mentors = [m for m in rows if m.role == Role.MENTOR]
    context = {
        "mentor_columns": columns,
        "form": form,
        "filtered": any(filters.values()),
        "page": page,
        "rows": _people_rows(request, rows, columns, has_mentors=bool(mentors)),
        "has_mentors": bool(mentors),
    }
    return render(request, "organizations/program_people.html", context)


def _people_rows(request: HttpRequest, rows: list, columns: list[PeopleColumn], *, has_mentors: bool) -> SafeString:
    """The page's rows, the HTML its template wrote (every value escaped): a mentor's row, with its
    capacity form, was some forty template nodes. Words are translated and the form's URL reversed once a page."""
    e = conditional_escape
    program = request.program
    capacity_url = pk_urls("matching:capacity", request.organization.slug, program.slug)
    csrf = csrf_input(request)
    roles = {value: e(label) for value, label in Role.choices}
    capacity_of, save = _("Capacity of %(name)s"), e(_("Save"))
    max_capacity = program.max_capacity
    html = []
    for membership in rows:
        pk, name = membership.pk, e(membership.user.full_name)
        groups = ", ".join(e(group) for group in membership.group_names) or "—"
        cells = [f"<td>{name}</td><td>{e(membership.user.email)}</td>"]
        cells.append(f"<td>{roles.get(membership.role) or e(membership.role)}</td><td>{groups}</td>")
        if has_mentors and membership.role == Role.MENTOR:
            capacity = program.mentor_capacity(membership.capacity)
            cells.append(
                f'<td><form method="post" class="inline capacity" action="{capacity_url(pk)}">'
                f'{csrf}\n<label class="visually-hidden" for="capacity-{pk}">{capacity_of % {"name": name}}</label>\n'
                f'<input type="number" id="capacity-{pk}" name="capacity" min="1" max="{max_capacity}" '
                f'value="{capacity}">\n<button type="submit" class="secondary">{save}</button>\n</form></td>'
            )
        elif has_mentors:
            cells.append("<td>—</td>")
        cells.extend(f"<td>{e(column.cells.get(pk, '')) or '—'}</td>" for column in columns)
        html.append(f"<tr>{''.join(cells)}</tr>")
    # Every value above is escaped, or is a fixed string, a URL reversed here, or a number.
    return mark_safe("\n".join(html))  # nosec B308 B703


def _mentor_columns(program: Program, mentors: list) -> list[PeopleColumn]:
    """The columns the apps add for the page's mentors (``signals.people_columns``), when there are any."""
    if not mentors:
        return []
    responses = people_columns.send(sender=Program, program=program, mentors=mentors)
    return [column for _receiver, column in responses if column is not None]
