"""The mentee's side of ranked requests (F4, seed 000): select and rank mentors, review, confirm; see where
things stand and reorder the choices not yet sent. The program admins open and close mentor selection.

Every page answers 404 while the program's ranked mentor requests are switched off. GET changes nothing.
"""

import hashlib
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from matching import matchmaking, selectors
from matching.forms.selection import NOT_RECOMMENDED, MentorRankingForm
from matching.fragments import kept_fragment
from matching.models import MentorRequest, MentorSelection, RequestState, SelectionState
from matching.services import requests as request_service
from matching.services import selection as service
from matching.views.participant import participant_membership
from mentorship.ratelimits import over_limit, rate_limited, too_many
from organizations.decorators import tenant_view
from organizations.models import Membership


def _ranked_on(request: HttpRequest) -> None:
    if not request.program.ranked_matching_enabled:
        raise Http404


def _mentee(request: HttpRequest) -> Membership:
    _ranked_on(request)
    membership = participant_membership(request)
    if membership.role != "mentee":
        raise Http404
    return membership


@dataclass(frozen=True)
class _Choosing:
    """What the selection pages show a mentee: whether they may choose, whether their questionnaire is complete,
    and their recommended mentors when they may choose (the recommendations page's)."""

    standing: service.SelectionStanding
    complete: bool
    suggestions: list[matchmaking.Suggestion]


def _choosing(request: HttpRequest, mentee: Membership) -> _Choosing:
    """``_Choosing`` of the mentee, kept under the program's stamp (matching.fragments): their selections,
    pairings, answers, the mentors' answers and free places, declines and the program's settings are all rows
    of the program, so any committed change to them is a new stamp (read before them)."""

    def compute() -> _Choosing:
        standing = service.standing_of(request.program, mentee)
        questionnaire = selectors.questionnaire_for(request.program)
        answers = selectors.answers_of(mentee)
        complete = selectors.progress_of(questionnaire, mentee, answers).complete
        suggestions = []
        if standing.may_select:
            suggestions = matchmaking.recommendations_for(mentee, request.program, questionnaire, answers)
        return _Choosing(standing, complete, suggestions)

    return kept_fragment(request.program, f"choosing:{mentee.pk}:{request.program.matching_version}", compute)


def _allowed(suggestions: list[matchmaking.Suggestion]) -> dict[int, tuple[float, list[str]]]:
    return {s.mentor.pk: (float(s.score), list(s.reasons)) for s in suggestions}


def _posted_order(data) -> list[int]:
    try:
        return [int(pk) for pk in data.getlist("mentor")]
    except ValueError:
        return []


def _args(request: HttpRequest) -> list[str]:
    return [request.organization.slug, request.program.slug]


@tenant_view(perm="matching.select_mentors")
@require_http_methods(["GET", "HEAD", "POST"])
def select_mentors(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """Step 1: give up to N recommended mentors a rank. Posting goes on to the review (nothing is sent yet)."""
    mentee = _mentee(request)
    choosing = _choosing(request, mentee)
    standing = choosing.standing
    if standing.latest and standing.latest.state == SelectionState.OPEN:
        return redirect("matching:my_selection", *_args(request))
    if not choosing.complete:
        return redirect("matching:questionnaire", *_args(request))
    suggestions = choosing.suggestions
    form = MentorRankingForm(
        request.POST if request.method == "POST" else None,
        suggestions=suggestions,
        max_choices=request.program.max_choices,
        initial_order=_posted_order(request.GET),
    )
    if request.method == "POST" and standing.may_select and form.is_valid():
        query = urlencode([("mentor", pk) for pk in form.ranked_ids])
        return redirect(reverse("matching:select_review", args=_args(request)) + "?" + query)
    context = {
        "form": form,
        "suggestions": suggestions,
        "rows_html": _select_rows(request, mentee, form, suggestions) if suggestions else "",
        "standing": standing,
        "max_choices": request.program.max_choices,
    }
    return render(request, "matching/select_mentors.html", context)


def _select_rows(
    request: HttpRequest, mentee: Membership, form: MentorRankingForm, suggestions: list[matchmaking.Suggestion]
) -> SafeString:
    """The mentors to rank, each with its rank field. A GET's are kept under the program's stamp (as the
    suggestions are) and the order asked for (the fields' initial ranks); a POST's show what was posted."""

    def render_rows() -> SafeString:
        rows = [(s, form[f"rank_{s.mentor.pk}"]) for s in suggestions]
        return render_to_string("matching/_select_rows.html", {"rows": rows})

    if form.is_bound:
        return render_rows()
    asked = hashlib.blake2b(repr(_posted_order(request.GET)).encode(), digest_size=16).hexdigest()
    name = f"select-rows:{mentee.pk}:{request.program.matching_version}:{asked}"
    return kept_fragment(request.program, name, render_rows)


@tenant_view(perm="matching.select_mentors")
@require_http_methods(["GET", "HEAD", "POST"])
def select_review(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """Step 2: the order once more; "Confirm and send" asks the first choice (``select_mentors``)."""
    mentee = _mentee(request)
    choosing = _choosing(request, mentee)
    standing = choosing.standing
    if not standing.may_select:
        if standing.latest and standing.latest.state == SelectionState.OPEN:
            return redirect("matching:my_selection", *_args(request))
        messages.warning(request, standing.why_not)
        return redirect("matching:select_mentors", *_args(request))
    suggestions = choosing.suggestions
    by_pk = {s.mentor.pk: s for s in suggestions}
    order = _posted_order(request.POST if request.method == "POST" else request.GET)
    back = reverse("matching:select_mentors", args=_args(request)) + "?" + urlencode([("mentor", pk) for pk in order])
    if not order or len(order) > request.program.max_choices or any(pk not in by_pk for pk in order):
        messages.warning(request, NOT_RECOMMENDED if order else _("Choose at least one mentor: give them rank 1."))
        return redirect(back)
    if request.method == "POST":
        # "Confirm and send" emails the first mentor: limited per person and per address (issue 14).
        if over_limit(request, "selection_confirm"):
            return too_many(request, "selection_confirm")
        try:
            request_service.select_mentors(
                program=request.program, mentee=mentee, mentor_ids=order, allowed=_allowed(suggestions), by=request.user
            )
        except request_service.RequestError as error:
            messages.warning(request, str(error))
            return redirect(back)
        first = by_pk[order[0]].mentor.user.full_name
        messages.success(request, _("Your choices are sent: %(name)s is asked first.") % {"name": first})
        return redirect("matching:my_selection", *_args(request))
    choices = [by_pk[pk] for pk in order]
    return render(request, "matching/select_review.html", {"choices": choices, "order": order, "back": back})


def _latest_selection(request: HttpRequest, mentee: Membership) -> MentorSelection | None:
    return MentorSelection.objects.filter(program=request.program, mentee=mentee).order_by("-created_at", "-pk").first()


def _selection_rows(request: HttpRequest, mentee: Membership) -> tuple[MentorSelection | None, list[MentorRequest]]:
    """The mentee's latest selection and its requests with their mentors, in rank order: kept under the program's
    stamp (matching.fragments; selections, requests, memberships and users are the program's rows)."""

    def compute() -> tuple[MentorSelection | None, list[MentorRequest]]:
        selection = _latest_selection(request, mentee)
        if selection is None:
            return None, []
        requests = MentorRequest.objects.filter(selection=selection).select_related("mentor__user").order_by("rank")
        return selection, list(requests)

    return kept_fragment(request.program, f"selection:{mentee.pk}", compute)


@tenant_view(perm="matching.select_mentors")
def my_selection(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """Where things stand: who is asked now (rank k of n), until when, who declined or let it lapse, what next."""
    mentee = _mentee(request)
    selection, rows = _selection_rows(request, mentee)
    if selection is None:
        return redirect("matching:select_mentors", *_args(request))
    current = next((r for r in rows if r.state == RequestState.WAITING), None)
    pending = [r for r in rows if r.state == RequestState.PENDING]
    context = {
        "selection": selection,
        "rows": rows,
        "total": len(rows),
        "current": current,
        "next_choice": pending[0] if pending else None,
        "answered": [r for r in rows if r.state not in (RequestState.PENDING, RequestState.WAITING)],
        "longest_wait": service.longest_wait(request.program, rows),
        "can_reorder": selection.state == SelectionState.OPEN and service.order_can_change(rows),
        "pending_ids": [r.pk for r in pending],
    }
    return render(request, "matching/my_selection.html", context)


@tenant_view(perm="matching.select_mentors")
@require_POST
def selection_move(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    mentee = _mentee(request)
    selection = get_object_or_404(
        MentorSelection.objects.filter(program=request.program, mentee=mentee, state=SelectionState.OPEN)
    )
    try:
        request_id = int(request.POST.get("choice", ""))
    except ValueError as error:
        raise Http404 from error
    try:
        service.selection_move(
            selection=selection, request_id=request_id, up=request.POST.get("direction") == "up", by=request.user
        )
    except request_service.RequestError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, _("The order of your choices is changed."))
    return redirect("matching:my_selection", *_args(request))


@tenant_view(perm="matching.manage_pairing")
@require_POST
@rate_limited("selection_open")
def selection_open(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    _ranked_on(request)
    if service.selection_open(program=request.program, by=request.user):
        messages.success(request, _("Mentor selection is open: mentees who can choose are emailed."))
    else:
        messages.info(request, _("Mentor selection was already open: mentees not emailed yet are emailed now."))
    return redirect("matching:requests_admin", *_args(request))


@tenant_view(perm="matching.manage_pairing")
@require_POST
def selection_close(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    _ranked_on(request)
    service.selection_close(program=request.program, by=request.user)
    messages.success(request, _("Mentor selection is closed: choices already sent go on."))
    return redirect("matching:requests_admin", *_args(request))
