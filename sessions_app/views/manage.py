"""Mentors' and program admins' pages: the Mentorship page, New Session, Edit, Duplicate, Bulk Duplicate, Cancel."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentorship.kept import kept, kept_until
from mentorship.ratelimits import limit_error
from mentorship.stamps import program_stamp
from organizations.decorators import tenant_view
from organizations.models import Role
from sessions_app import selectors
from sessions_app.clock import city
from sessions_app.forms import BulkDuplicateForm, CancelForm, FilterForm, SessionForm, initial_from
from sessions_app.models import MentorshipSession, SessionRequest, SessionStatus
from sessions_app.recurrence import Frequency
from sessions_app.services import series as series_service
from sessions_app.services.errors import SessionError
from sessions_app.services.requests import session_request_schedule
from sessions_app.services.sessions import Scope, session_cancel, session_save
from sessions_app.views.loaders import MENTEE_REQUESTS, require_flow, session_of_url

ACTIONS = {"draft": False, "publish": True, "publish_duplicate": True}
PAGE_SIZE = 50


def _may_manage(request: HttpRequest) -> bool:
    return request.user.has_perm("organizations.manage_program", request.program)


def _args(request: HttpRequest, *more) -> list:
    return [request.organization.slug, request.program.slug, *more]


@tenant_view(perm="sessions_app.view_mentorship")
def mentorship(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """The program's upcoming sessions: all of them for admins (filtered), a mentor's own, a mentee's bookable."""
    program_ = request.program
    # Read before any row: a committed write to the program's rows (a session, a booking, a group, a name) gives
    # it a new stamp, so what is kept under the old one is never shown again.
    stamp = program_stamp(program_)
    may_manage = _may_manage(request)
    may_create = request.user.has_perm("sessions_app.create_session", program_)
    filters = FilterForm(request.GET or None, program=program_) if may_manage or may_create else None
    # The page's rows, rendered, for this visitor (their sessions, their groups, their menus), query, language
    # and time zone; until the first listed session ends (it leaves the upcoming ones, and the pages shift).
    user = request.user
    asked = hashlib.sha256(repr(sorted(request.GET.lists())).encode()).hexdigest()[:32]
    shown_as = f"{translation.get_language()}:{getattr(user, 'timezone', '')}"
    key = f"sessions:mentorship:{program_.pk}:{user.pk}:{may_manage}:{may_create}:{shown_as}:{asked}"
    rows = kept_until(stamp, key, lambda: _mentorship_rows(request, filters, may_manage, may_create), shared=False)
    context = {
        "rows": rows.html,
        "sessions": Page([], rows.number, Paginator(range(rows.count), PAGE_SIZE)),
        "filter_fields": _filter_fields(request, filters, may_manage) if filters is not None else "",
        "may_create": may_create,
        "may_manage": may_manage,
    }
    return render(request, "sessions_app/mentorship.html", context)


@dataclass(frozen=True)
class _MentorshipRows:
    html: str
    count: int
    number: int


def _mentorship_rows(
    request: HttpRequest, filters: FilterForm | None, may_manage: bool, may_create: bool
) -> tuple[_MentorshipRows, datetime | None]:
    """A page of the Mentorship list as HTML, its count and number, and the moment the first listed session
    ends (None for a day's list, which time does not change)."""
    program_ = request.program
    asked = filters.filters() if filters is not None else {}
    if may_manage:
        sessions = selectors.mentorship_page(program_, **asked)
    elif may_create:
        mine = selectors.membership_of(request.user, program_, Role.MENTOR)
        sessions = selectors.mentorship_page(program_, **{**asked, "mentor": mine})
    else:
        mentee = selectors.membership_of(request.user, program_, Role.MENTEE)
        sessions = selectors.visible_to(selectors.mentorship_page(program_), mentee)
    summary = sessions.aggregate(count=Count("pk"), until=Min("ends_at"))
    paginator = Paginator(sessions, PAGE_SIZE)
    paginator.__dict__["count"] = summary["count"]  # a cached property: known, not counted again
    page = paginator.get_page(request.GET.get("page"))
    listed = list(page.object_list) if summary["count"] else []  # none counted: no query compiled to read none
    context = {"sessions": listed, "may_create": may_create, "may_manage": may_manage}
    html = render_to_string("sessions_app/_mentorship_rows.html", context, request=request)
    until = summary["until"] if asked.get("day") is None else None
    return _MentorshipRows(html, summary["count"], page.number), until


def _filter_fields(request: HttpRequest, filters: FilterForm, may_manage: bool) -> str:
    """The filters' fields, rendered: the select of every mentor of the program (thousands) for those who manage it.

    The same for the same query (the values it shows chosen) and language: kept in this process under the
    program's stamp, read before the form's choices, so a new mentor or a new name is listed at the next view.
    """

    def fields() -> str:
        context = {"filters": filters, "may_manage": may_manage}
        return render_to_string("sessions_app/_mentorship_filter.html", context)

    stamp = program_stamp(request.program)
    shown = [(name, request.GET.getlist(name)) for name in ("mentor", "status", "day")]
    asked = hashlib.sha256(repr((bool(request.GET), shown)).encode()).hexdigest()[:32]
    key = f"sessions:mentorship-filter:{request.program.pk}:{translation.get_language()}:{may_manage}:{asked}"
    return kept(stamp, key, fields, shared=False)


def _save(
    request: HttpRequest,
    form: SessionForm,
    session: MentorshipSession | None = None,
    session_request: SessionRequest | None = None,
) -> HttpResponse | None:
    """Save the form's session as the pressed button says; None (errors added to the form) if it cannot be."""
    action = request.POST.get("action", "draft")
    if action not in ACTIONS or not form.is_valid():
        return None
    if ACTIONS[action] and (limited := limit_error(request, "session_change")):  # a draft emails nobody
        form.add_error(None, limited)
        form.rate_limited = True
        return None
    scope = form.chosen_scope()
    try:
        saved = session_save(
            program=request.program,
            data=form.session_input(),
            by=request.user,
            publish=ACTIONS[action],
            session=session,
            scope=scope,
        )
    except SessionError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None
    if session_request is not None and ACTIONS[action] and saved.mentor_id == session_request.mentor_id:
        if form.cleaned_data.get("mentee") == session_request.mentee:
            session_request_schedule(request=session_request, session=saved)
    if action == "publish_duplicate":
        messages.success(request, _("The session is published. Enter the next one."))
        return redirect("sessions:duplicate", *_args(request, saved.pk))
    messages.success(request, _("The session is published.") if ACTIONS[action] else _("The draft is saved."))
    return redirect("sessions:mentorship", *_args(request))


def _form_page(request: HttpRequest, form: SessionForm, title: str, session=None, session_request=None) -> HttpResponse:
    context = {"form": form, "title": title, "session": session, "session_request": session_request}
    return render(
        request, "sessions_app/session_form.html", context, status=429 if getattr(form, "rate_limited", False) else 200
    )


def _answered_request(request: HttpRequest) -> SessionRequest | None:
    """The open session request New Session answers (``?request=<pk>``): the visitor's own (404 otherwise)."""
    pk = request.GET.get("request")
    if not pk:
        return None
    require_flow(request, MENTEE_REQUESTS)
    if not str(pk).isdigit():
        raise Http404
    return get_object_or_404(selectors.open_requests_of_mentor_user(request.program, request.user), pk=int(pk))


@tenant_view(perm="sessions_app.create_session")
def session_create(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """New Session; from a session request, pre-filled with that mentee (saving it marks the request scheduled)."""
    session_request = _answered_request(request)
    if session_request is not None:
        initial = {"mentor": session_request.mentor, "mentee": session_request.mentee}
    else:
        initial = _initial_mentee(request)
    form = SessionForm(
        request.POST or None,
        initial=initial,
        program=request.program,
        user=request.user,
        may_manage=_may_manage(request),
        also_mentee=session_request.mentee if session_request else None,
    )
    if request.method == "POST" and (response := _save(request, form, session_request=session_request)):
        return response
    return _form_page(request, form, _("New mentorship session"), session_request=session_request)


@tenant_view(perm="sessions_app.edit_session", obj=session_of_url)
def session_clone(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """ "Clone": New Session with the same mentor, mentee, place, duration and method, a week later (F6.3)."""
    source = session_of_url(request, pk)
    mentees = [booking.mentee for booking in source.booked]
    if not mentees:
        raise Http404
    initial = {**initial_from(source, next_date=True), "mentee": mentees[0]}
    form = SessionForm(
        request.POST or None,
        initial=initial,
        program=request.program,
        user=request.user,
        may_manage=_may_manage(request),
        also_mentee=mentees[0],
    )
    if request.method == "POST" and (response := _save(request, form)):
        return response
    return _form_page(request, form, _("New mentorship session"))


def _initial_mentee(request: HttpRequest) -> dict:
    """The mentee named in the query string, if the form may offer them (a mentor's own paired mentees)."""
    try:
        pk = int(request.GET.get("mentee", ""))
    except ValueError:
        return {}
    mentees = SessionForm.mentees_offered(request.program, request.user, _may_manage(request))
    mentee = mentees.filter(pk=pk).first()
    return {"mentee": mentee} if mentee else {}


@tenant_view(perm="sessions_app.edit_session", obj=session_of_url)
def session_edit(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    session = session_of_url(request, pk)
    form = SessionForm(
        request.POST or None,
        initial=initial_from(session),
        program=request.program,
        user=request.user,
        may_manage=_may_manage(request),
        in_series=session.series is not None,
    )
    if request.method == "POST" and (response := _save(request, form, session)):
        return response
    return _form_page(request, form, _("Edit mentorship session"), session)


@tenant_view(perm="sessions_app.edit_session", obj=session_of_url)
def session_duplicate(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """One copy with a new date and time; mentees already enrolled are not carried over."""
    source = session_of_url(request, pk)
    form = SessionForm(
        request.POST or None,
        initial=initial_from(source, next_date=True),
        program=request.program,
        user=request.user,
        may_manage=_may_manage(request),
    )
    if request.method == "POST" and (response := _save(request, form)):
        return response
    return _form_page(request, form, _("Duplicate mentorship session"), None)


@tenant_view(perm="sessions_app.edit_session", obj=session_of_url)
def session_bulk_duplicate(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """A regular schedule from this session: a preview of the dates first, then the copies."""
    source = session_of_url(request, pk)
    form = BulkDuplicateForm(request.POST or None, source=source)
    plan = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = series_service.series_plan(
            source=source,
            frequency=Frequency(data["frequency"]),
            count=data.get("count"),
            until=data.get("until"),
            zones=series_service.other_zones(source, request.user),
        )
        if "create" in request.POST and (limited := limit_error(request, "session_change")):
            form.add_error(None, limited)
        elif "create" in request.POST:
            created = series_service.series_create(
                source=source, plan=plan, keep_mentees=bool(data.get("keep_mentees")), by=request.user
            )
            count = len(created)
            messages.success(
                request,
                ngettext("%(count)s copy was created.", "%(count)s copies were created.", count) % {"count": count},
            )
            return redirect("sessions:mentorship", *_args(request))
    context = {
        "form": form,
        "source": source,
        "source_city": city(source.time_zone),
        "plan": plan,
        "creatable": sum(o.created for o in plan or []),
    }
    return render(request, "sessions_app/bulk_duplicate.html", context)


@tenant_view(perm="sessions_app.edit_session", obj=session_of_url)
def session_cancel_view(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    session = session_of_url(request, pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if session.series is None:
        del form.fields["scope"]
    if request.method == "POST" and form.is_valid() and (limited := limit_error(request, "session_change")):
        form.add_error(None, limited)
        return render(request, "sessions_app/session_cancel.html", {"session": session, "form": form}, status=429)
    if request.method == "POST" and form.is_valid() and session.status != SessionStatus.CANCELLED:
        scope = Scope(form.cleaned_data.get("scope") or Scope.THIS)
        cancelled = session_cancel(session=session, by=request.user, scope=scope)
        messages.success(
            request,
            ngettext("%(count)s session was cancelled.", "%(count)s sessions were cancelled.", len(cancelled))
            % {"count": len(cancelled)},
        )
        return redirect("sessions:mentorship", *_args(request))
    return render(request, "sessions_app/session_cancel.html", {"session": session, "form": form})
