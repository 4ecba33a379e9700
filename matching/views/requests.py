"""Ranked mentor requests: the mentor's request page (signed in, or from the email's token link), their
requests list, and the program admins' requests page with Skip and Extend.

GET never changes anything (mail scanners open links); Accept, Decline, Skip and Extend are POSTs.
"""

from datetime import datetime, time
from functools import partial
from typing import NamedTuple

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timeuntil
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_scopes import scopes_disabled

from matching.fragments import kept_fragment
from matching.models import MentorRequest, RequestEvent, RequestState, SelectionState
from matching.services import requests as service
from mentorship.kept import kept, kept_count_page
from mentorship.panels import pk_urls, words
from mentorship.prepared import Prepared
from mentorship.ratelimits import over_limit, too_many
from mentorship.security import client_ip, security_event
from mentorship.stamps import program_stamp
from organizations.decorators import tenant_view
from organizations.models import Program
from organizations.selectors import program_membership_ids

PAGE_SIZE = 50
MINE_PAGE_SIZE = 25  # a mentor's own requests


def ranked_program(request: HttpRequest, **_url_kwargs) -> Program:
    """The program, or 404 when it has switched ranked requests off (F6.4: a flow that is off has no URLs)."""
    if not request.program.ranked_matching_enabled:
        raise Http404
    return request.program


def _sent_requests(program_id: int, pk: int):
    with scopes_disabled():  # filtered by the program's id here, not by the scope of the request that compiles it
        return (
            MentorRequest.objects.select_related("mentee__user", "mentor__user")
            .exclude(state=RequestState.PENDING)
            .filter(program_id=program_id, pk=pk)[:1]
        )


# Compiled once a process (mentorship.prepared): building this query of three joins cost the ORM more than
# PostgreSQL takes to run it.
_SENT_REQUEST = Prepared(_sent_requests, program_id=int, pk=int)


def request_of_url(request: HttpRequest, pk: int) -> MentorRequest:
    """The program's sent request named by the URL; 404 for anyone but its mentor (and platform staff).

    Read once a request: the permission check (``tenant_view``'s loader) and the view share it.
    """
    ranked_program(request)
    loaded = getattr(request, "_request_of_url", None)
    if loaded is not None and str(loaded.pk) == str(pk):
        return loaded
    found = _SENT_REQUEST.fetch(program_id=request.program.pk, pk=int(pk))
    if not found:
        raise Http404
    mentor_request = found[0]
    if mentor_request.mentor.user_id != request.user.pk and not request.user.is_staff:
        raise Http404
    mentor_request.program = request.program
    request._request_of_url = mentor_request
    return mentor_request


def _answer(request: HttpRequest, mentor_request: MentorRequest) -> service.Answer:
    action = request.POST.get("action")
    if action == "accept":
        return service.request_accept(
            request_id=mentor_request.pk, by=request.user if request.user.is_authenticated else None
        )
    if action == "decline":
        return service.request_decline(
            request_id=mentor_request.pk,
            by=request.user if request.user.is_authenticated else None,
            reason=request.POST.get("reason", "")[:2000],
        )
    raise Http404


def _context(mentor_request: MentorRequest, **extra) -> dict:
    return {"mentor_request": mentor_request, "waiting": mentor_request.state == RequestState.WAITING, **extra}


@tenant_view(perm="matching.answer_request", obj=request_of_url)
@require_http_methods(["GET", "HEAD", "POST"])
def request_detail(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    mentor_request = request_of_url(request, pk)
    if request.method == "POST":
        if over_limit(request, "request_answer"):
            return too_many(request, "request_answer")
        answer = _answer(request, mentor_request)
        (messages.success if answer.ok else messages.warning)(request, answer.message)
        return redirect("matching:request_detail", organization, program, pk)
    return render(request, "matching/request_detail.html", _context(mentor_request, token=None))


@require_http_methods(["GET", "HEAD", "POST"])
def request_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: that one waiting request, and nothing else, for a mentor who is not signed in."""
    with scopes_disabled():
        mentor_request = service.request_for_token(token)
        if mentor_request is None:
            # Never the token itself in the log: a used, answered or unknown link.
            security_event("link_reuse", kind="mentor_request", reason="unknown_or_used", ip=client_ip(request))
        if mentor_request is None or not mentor_request.program.ranked_matching_enabled:
            return render(request, "matching/request_gone.html", status=404)
        if request.method == "POST":
            if over_limit(request, "request_answer_by_link"):
                return too_many(request, "request_answer_by_link")
            answer = _answer(request, mentor_request)
            mentor_request.refresh_from_db()
            return render(request, "matching/request_detail.html", _context(mentor_request, token=token, answer=answer))
        return render(request, "matching/request_detail.html", _context(mentor_request, token=token))


@tenant_view(perm="matching.answer_requests", obj=ranked_program)
def my_requests(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    number = request.GET.get("page")
    mine = program_membership_ids(request.user, request.program)
    # The page's rows, rendered once a program stamp (requests, memberships and users are the program's rows) per
    # mentor, page, time zone and language: only how long a waiting request has left is worked out on each view.
    rows, count, number = kept_fragment(
        request.program,
        f"my-requests:{','.join(map(str, mine))}:{number}:{timezone.get_current_timezone_name()}",
        lambda: _my_request_rows(request, mine, number),
    )
    now = timezone.now()
    shown = [(html, timeuntil(deadline, now) if deadline else None, end) for html, deadline, end in rows]
    page = Page(shown, number, Paginator(range(count), MINE_PAGE_SIZE))
    return render(request, "matching/my_requests.html", {"rows": shown, "page": page})


# A row of the mentor's requests: its HTML up to its waiting deadline's time left, that deadline (or None), the rest.
_RequestRow = tuple[str, datetime | None, str]


def _my_request_rows(request: HttpRequest, mine: list[int], number: str | None) -> tuple[list[_RequestRow], int, int]:
    """A page of the mentor's sent requests, newest first (``_RequestRow``s), their count and the page's number."""
    # By the mentor's membership ids, on the foreign key's index (their requests are those of these memberships).
    rows = (
        MentorRequest.objects.filter(program=request.program, mentor_id__in=mine)
        .exclude(state=RequestState.PENDING)
        .order_by("-sent_at", "-pk")
    )
    page = Paginator(rows, MINE_PAGE_SIZE).get_page(number)
    # The page's rows picked (and sorted) on the requests alone, then joined to their mentees: PostgreSQL would
    # otherwise join every request of the mentor to its mentee before keeping the page.
    requests = (
        MentorRequest.objects.filter(pk__in=page.object_list.values("pk"))
        .select_related("mentee__user")
        .order_by("-sent_at", "-pk")
    )
    # The states' names once, not once a row (``get_state_display`` translates every state's name each time).
    names = {value: str(label) for value, label in RequestState.choices}
    prefix = reverse("matching:my_requests", args=[request.organization.slug, request.program.slug])
    found = []
    for r in requests:
        waiting = r.state == RequestState.WAITING
        html = format_html(
            '<tr>\n    <td><a href="{}{}/">{}</a></td>\n    <td>{}</td>\n    <td>{}',
            prefix,
            r.pk,
            r.mentee.user.full_name,
            names.get(r.state, r.state),
            date_format(localtime(r.deadline), "DATETIME_FORMAT") if waiting else "",
        )
        found.append((html, r.deadline if waiting else None, mark_safe("</td>\n  </tr>")))  # nosec B308 B703
    return found, page.paginator.count, page.number


@tenant_view(perm="matching.manage_pairing", obj=ranked_program)
def requests_admin(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    program = request.program
    state = request.GET.get("state", "")
    if state not in RequestState.values:
        state = ""
    # What the page lists is the same for every manager of the program: its count, its rows (as HTML, in the
    # visitor's language and time zone) and the mentees without candidates are kept in this process under the
    # program's stamp (read before the rows), which every write to the program's requests and selections (a skip,
    # an extension, the sweep's) renews. Only the time a waiting request has left and the forms' token are put
    # in on each view.
    stamp = program_stamp(program)
    rows = MentorRequest.objects.filter(program=program).order_by("-sent_at", "-pk")
    if state:
        rows = rows.filter(state=state)
    key = f"ranked-requests:{program.pk}:{state}"
    page = kept_count_page(stamp, key, rows, PAGE_SIZE, request.GET.get("page"))
    shown_as = f"{translation.get_language()}:{timezone.get_current_timezone_name()}"
    pieces = kept(
        stamp,
        f"{key}:{page.number}:{shown_as}",
        lambda: _rows_pieces(program, _rows(program, page.object_list)),
        shared=False,
    )
    waiting_alone = kept(
        stamp, f"ranked-requests:{program.pk}:no-candidates", partial(_no_candidates, program), shared=False
    )
    no_candidates = [
        (name, email, words(_("since %(when)s"), when=_datetime(closed_at))) for name, email, closed_at in waiting_alone
    ]
    context = {
        "page": page,
        "rows": _rows_shown(pieces, get_token(request)),
        "state": state,
        "states": RequestState.choices,
        "no_candidates": no_candidates,
    }
    return render(request, "matching/requests_admin.html", context)


class _Event(NamedTuple):
    to_state: str
    at: datetime
    note: str
    by: str | None  # the person's name (None: the sweep)


class _Row(NamedTuple):
    pk: int
    rank: int
    state: str
    sent_at: datetime | None
    deadline: datetime | None
    mentee: str  # names
    mentor: str
    history: tuple[_Event, ...]


def _rows(program, requests) -> list[_Row]:
    """A page of requests as the list shows them, with their events in order: two queries (a prefetch builds a
    tenant-scoped queryset per row), reading only what is shown."""
    found = list(
        requests.values_list(
            "pk", "rank", "state", "sent_at", "deadline", "mentee__user__full_name", "mentor__user__full_name"
        )
    )
    history: dict[int, list[_Event]] = {row[0]: [] for row in found}
    events = RequestEvent.objects.filter(program=program, request_id__in=history).order_by("at", "pk")
    for request_id, *event in events.values_list("request_id", "to_state", "at", "note", "by__full_name"):
        history[request_id].append(_Event(*event))
    return [_Row(*row, history=tuple(history[row[0]])) for row in found]


def _no_candidates(program) -> list[tuple[str, str, datetime | None]]:
    """The mentees whose every choice was used up, unpaired and not choosing again: name, email, since when."""
    selections = (
        program.mentor_selections.filter(state=SelectionState.EXHAUSTED)
        .exclude(mentee__mentee_pairings__status="active")
        .exclude(mentee__mentor_selections__state=SelectionState.OPEN)
        .order_by("-closed_at")[:100]
    )
    return list(selections.values_list("mentee__user__full_name", "mentee__user__email", "closed_at"))


def _datetime(moment: datetime | None, shown_as: str = "DATETIME_FORMAT") -> str:
    """``moment|date:shown_as`` in the visitor's time zone, as the template showed it (empty for none)."""
    return date_format(timezone.localtime(moment), shown_as) if moment else ""


# A row of the list, as the template wrote it: made here, in Python, where the template's tags and lookups took
# a millisecond a row (50 rows a page). Every value is escaped by format_html.
_ROW = """
  <tr>
    <td>{mentee}</td>
    <td>{mentor}</td>
    <td>{rank}</td>
    <td>{state}</td>
    <td>{sent}</td>
    <td>{due}</td>
    <td><ul>{history}</ul></td>
    <td>{actions}</td>
  </tr>
  """
_EVENT = "<li>{when}: {state}{by}{note}</li>"
_ACTIONS = """
      <form method="post" action="{skip_url}">{csrf}<button type="submit">{skip}</button></form>
      <form method="post" action="{extend_url}">{csrf}
        <label for="deadline-{pk}">{new_deadline}</label>
        <input type="date" id="deadline-{pk}" name="deadline" required>
        <button type="submit">{extend}</button></form>
    """


# Where a waiting request's time left and a row's forms' CSRF token go in the kept HTML: no value shown holds a
# NUL (PostgreSQL's text cannot), escaped or not.
_LEFT = "\x00left\x00"
_CSRF = "\x00csrf\x00"


def _rows_pieces(program, requests: list[_Row]) -> list[SafeString | datetime | None]:
    """The table's rows as HTML cut where each waiting request's time left goes, with its deadline in between
    (HTML, deadline, HTML, ...): the states' names translated once (not by a display method a row), the dates in
    the visitor's time zone, a waiting request's two forms (their URLs reversed once) with ``_CSRF`` for their
    token."""
    names = {value: str(label) for value, label in RequestState.choices}
    args = (program.organization.slug, program.slug)
    skip_url, extend_url = pk_urls("matching:request_skip", *args), pk_urls("matching:request_extend", *args)
    labels = {"skip": _("Skip"), "new_deadline": _("New deadline"), "extend": _("Extend")}
    csrf = mark_safe(f'<input type="hidden" name="csrfmiddlewaretoken" value="{_CSRF}">')  # nosec B308 B703
    rows, deadlines = [], []
    for r in requests:
        due = actions = ""
        if r.state == RequestState.WAITING:
            due = format_html("{} ({})", _datetime(r.deadline), mark_safe(_LEFT))  # nosec B308 B703 - a constant
            deadlines.append(r.deadline)
            actions = format_html(
                _ACTIONS, skip_url=skip_url(r.pk), extend_url=extend_url(r.pk), csrf=csrf, pk=r.pk, **labels
            )
        history = (
            format_html(
                _EVENT,
                when=_datetime(e.at, "SHORT_DATETIME_FORMAT"),
                state=names.get(e.to_state, e.to_state),
                by=format_html(" ({})", e.by) if e.by is not None else "",
                note=format_html(", {}", e.note) if e.note else "",
            )
            for e in r.history
        )
        rows.append(
            format_html(
                _ROW,
                mentee=r.mentee,
                mentor=r.mentor,
                rank=r.rank,
                state=names.get(r.state, r.state),
                sent=_datetime(r.sent_at),
                due=due,
                history=mark_safe("".join(history)),  # nosec B308 B703 - each event is format_html's
                actions=actions,
            )
        )
    first, *parts = "".join(rows).split(_LEFT)
    pieces: list[SafeString | datetime | None] = [mark_safe(first)]  # nosec B308 B703 - format_html's rows
    for deadline, part in zip(deadlines, parts, strict=True):
        pieces += [deadline, mark_safe(part)]  # nosec B308 B703 - format_html's rows
    return pieces


def _rows_shown(pieces: list[SafeString | datetime | None], csrf_token: str) -> SafeString:
    """The kept rows (``_rows_pieces``) with each waiting request's time left as of now, and the visitor's CSRF
    token in their forms."""
    now = timezone.now()
    html = "".join(
        piece if i % 2 == 0 else (conditional_escape(timeuntil(piece, now)) if piece else "")
        for i, piece in enumerate(pieces)
    )
    return mark_safe(html.replace(_CSRF, escape(csrf_token)))  # nosec B308 B703 - kept rows, escaped token


def _program_request(request: HttpRequest, pk: int) -> MentorRequest:
    return get_object_or_404(MentorRequest.objects.all(), program=request.program, pk=pk)


@tenant_view(perm="matching.manage_pairing", obj=ranked_program)
@require_POST
def request_skip(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    answer = service.request_skip(request_id=_program_request(request, pk).pk, by=request.user)
    (messages.success if answer.ok else messages.warning)(request, answer.message)
    return redirect("matching:requests_admin", organization, program)


@tenant_view(perm="matching.manage_pairing", obj=ranked_program)
@require_POST
def request_extend(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    mentor_request = _program_request(request, pk)
    try:
        day = datetime.strptime(request.POST.get("deadline", ""), "%Y-%m-%d").date()
    except ValueError:
        messages.warning(request, _("Enter the new deadline as a date (YYYY-MM-DD)."))
        return redirect("matching:requests_admin", organization, program)
    deadline = timezone.make_aware(datetime.combine(day, time(23, 59)))
    answer = service.request_extend(request_id=mentor_request.pk, by=request.user, deadline=deadline)
    (messages.success if answer.ok else messages.warning)(request, answer.message)
    return redirect("matching:requests_admin", organization, program)
