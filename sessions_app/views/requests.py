"""Requests in both directions (F6): "Request a Session", the mentor's session requests, the mentee search,
"I want to mentor you!", "My Mentorship requests", and the admins' list of both.

A flow the program switched off answers 404 on each of its URLs (the loaders, before the role check).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching import matchmaking
from matching import selectors as matching_selectors
from matching.fragments import kept_fragment
from matching.models import Answer, Audience
from mentorship.kept import kept, kept_for
from mentorship.ratelimits import limit_error
from mentorship.stamps import program_stamp
from organizations.decorators import tenant_view
from organizations.models import Membership, Role
from organizations.selectors import program_membership_ids, role_membership_id
from sessions_app import selectors
from sessions_app.forms import DeclineForm, MenteeFilterForm, OfferForm, RequestsFilterForm, SessionRequestForm
from sessions_app.models import MentorOffer, OfferState, RequestState
from sessions_app.services.requests import (
    RequestError,
    mentor_offer_create,
    mentor_offer_dismiss,
    session_request_create,
    session_request_decline,
)
from sessions_app.views.loaders import (
    MENTEE_REQUESTS,
    MENTOR_OFFERS,
    mentee_of_url,
    mentor_offer_of_url,
    program_with,
    requestable_mentor_of_url,
    session_request_of_url,
)

PAGE_SIZE = 25


def _args(request: HttpRequest, *more) -> list:
    return [request.organization.slug, request.program.slug, *more]


# ------------------------------------------------------------------ mentee → mentor


@tenant_view(perm="sessions_app.request_session", obj=program_with(MENTEE_REQUESTS))
def request_session(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """ "Request a Session" with a mentor: an optional message, then "Request"."""
    mentor = requestable_mentor_of_url(request, pk)
    mentee = selectors.membership_of(request.user, request.program, Role.MENTEE)
    form = SessionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if limited := limit_error(request, "session_request"):
            form.add_error(None, limited)
            return render(request, "sessions_app/request_session.html", _request_context(form, mentor), status=429)
        try:
            session_request_create(mentee=mentee, mentor=mentor, message=form.cleaned_data["message"])
        except RequestError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your request is sent. The mentor was emailed and will answer it."))
            return redirect("sessions:mentor", *_args(request, mentor.pk))
    return render(request, "sessions_app/request_session.html", _request_context(form, mentor))


def _request_context(form, mentor) -> dict:
    return {"form": form, "mentor": mentor, "person": mentor.user}


@tenant_view(perm="sessions_app.view_session_requests", obj=program_with(MENTEE_REQUESTS))
def session_requests(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """A mentor's session requests: open ones to schedule or decline, then the answered ones."""
    mentor = selectors.membership_of(request.user, request.program, Role.MENTOR)
    requests = selectors.session_requests_of_mentor(mentor)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sessions_app/session_requests.html", {"page": page, "requests": list(page)})


@tenant_view(perm="sessions_app.answer_session_request", obj=session_request_of_url)
def request_decline(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """The mentor declines a session request, with an optional note the mentee reads."""
    session_request = session_request_of_url(request, pk)
    form = DeclineForm(request.POST or None)
    if session_request.state != RequestState.OPEN:
        messages.info(request, _("This request was already answered."))
        return redirect("sessions:requests", *_args(request))
    if request.method == "POST" and form.is_valid() and (limited := limit_error(request, "request_answer")):
        form.add_error(None, limited)
        context = {"form": form, "session_request": session_request}
        return render(request, "sessions_app/request_decline.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            session_request_decline(request=session_request, note=form.cleaned_data["note"])
        except RequestError as error:
            messages.info(request, error.message)
        else:
            messages.success(request, _("The request is declined; the mentee was emailed."))
        return redirect("sessions:requests", *_args(request))
    return render(request, "sessions_app/request_decline.html", {"form": form, "session_request": session_request})


# ------------------------------------------------------------------ mentor → mentee


def _choice_questions(program) -> list:
    questionnaire = matching_selectors.questionnaire_for(program)
    return [q for q in questionnaire.questions if q.is_choice and q.audience in (Audience.BOTH, Audience.MENTEE)]


@tenant_view(perm="sessions_app.search_mentees", obj=program_with(MENTOR_OFFERS))
def mentee_search(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """Mentees looking for a mentor (no active pairing), filtered by their answers, best fit first, 25 a page."""
    program_ = request.program
    # Read before any row: a committed write to the program's rows (answers, the questionnaire, a pairing, a
    # decline, a name, the program's matching version) gives it a new stamp, so what is kept under the old one is
    # never shown again.
    stamp = program_stamp(program_)
    mentor_id = role_membership_id(request.user, program_, Role.MENTOR)
    # The filters, the rows and the pages: the same for the same mentor, query and language (no token, nothing
    # else of the viewer's), kept in this process only (people's names).
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:32]
    key = f"sessions:mentee-search:{program_.pk}:{mentor_id}:{translation.get_language()}:{query}"
    listing = kept(stamp, key, lambda: _mentee_search_listing(request, mentor_id), shared=False)
    return render(request, "sessions_app/mentee_search.html", {"listing": listing})


def _mentee_search_listing(request: HttpRequest, mentor_id: int) -> SafeString:
    program_ = request.program
    # With the user (the reasons name the mentor); the mentor's groups play no part here.
    mentor = Membership.objects.filter(program=program_, pk=mentor_id, role=Role.MENTOR).select_related("user").get()
    filters = MenteeFilterForm(request.GET or None, questions=_choice_questions(program_))
    ranked, shown = _ranked_mentees(program_, mentor, filters.chosen())
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    start = (page.number - 1) * PAGE_SIZE
    page_ids, scores = ranked[start : start + PAGE_SIZE].tolist(), shown[start : start + PAGE_SIZE].tolist()
    people = selectors.mentees_for(program_).only("pk", "user__full_name").in_bulk(page_ids)
    reasons = matchmaking.mentee_reasons(program_, mentor, page_ids)
    rows = [
        {"mentee": people[pk], "score": score, "reasons": reasons.get(pk, [])}
        for pk, score in zip(page_ids, scores, strict=True)
    ]
    # Rendered without the context processors: the fragment shows nothing of theirs.
    context = {"request": request, "filters": filters, "page": page, "rows": rows}
    return render_to_string("sessions_app/_mentee_search_listing.html", context)


def _ranked_mentees(program_, mentor: Membership, chosen: list) -> tuple[np.ndarray, np.ndarray]:
    """The pks of the unpaired mentees matching the filters, best fit for ``mentor`` first (equal scores by pk:
    stable pages), and their shown scores; a pair a requirement rules out is left out.

    Scoring thousands of mentees is kept under the program's stamp, per mentor and filters: a view reads one
    kept pair of arrays, and any write to the program (answers, pairings, declines, people) ranks afresh.
    """

    def compute() -> tuple[np.ndarray, np.ndarray]:
        mentees = matching_selectors.unpaired_mentees(program_)
        for question, option in chosen:
            answered = Answer.objects.filter(membership=OuterRef("pk"), question=question, value__contains=[option])
            mentees = mentees.filter(Exists(answered))
        ids = list(mentees.order_by().values_list("pk", flat=True))  # ranked below: no sort here
        scores = matchmaking.mentee_scores(program_, mentor, ids)
        pks, values = np.fromiter(scores, dtype=np.int64), np.fromiter(scores.values(), dtype=np.int64)
        order = np.lexsort((pks, -values))
        return pks[order], values[order]

    filtered = hashlib.sha256(",".join(f"{q.pk}={option}" for q, option in chosen).encode()).hexdigest()[:16]
    return kept_for(program_, f"mentee-search:{program_.matching_version}:{mentor.pk}:{filtered}", compute)


@tenant_view(perm="sessions_app.search_mentees", obj=program_with(MENTOR_OFFERS))
def mentee_profile(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """A mentee's profile, as a mentor sees it, with "I want to mentor you!"."""
    mentee = mentee_of_url(request, pk)
    mentor = selectors.membership_of(request.user, request.program, Role.MENTOR)
    pending = MentorOffer.objects.filter(mentor=mentor, mentee=mentee, state=OfferState.PENDING).exists()
    context = {"mentee": mentee, "person": mentee.user, "pending": pending}
    return render(request, "sessions_app/mentee_profile.html", context)


@tenant_view(perm="sessions_app.search_mentees", obj=program_with(MENTOR_OFFERS))
def offer_create(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """ "I want to mentor you!": an optional message, then "Send Request"."""
    mentee = mentee_of_url(request, pk)
    mentor = selectors.membership_of(request.user, request.program, Role.MENTOR)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (limited := limit_error(request, "mentor_offer")):
        form.add_error(None, limited)
        context = {"form": form, "mentee": mentee, "person": mentee.user}
        return render(request, "sessions_app/offer_create.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            mentor_offer_create(mentor=mentor, mentee=mentee, message=form.cleaned_data["message"])
        except RequestError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your request is sent. The mentee was emailed."))
            return redirect("sessions:mentee", *_args(request, mentee.pk))
    return render(request, "sessions_app/offer_create.html", {"form": form, "mentee": mentee, "person": mentee.user})


@tenant_view(perm="sessions_app.view_mentorship_requests", obj=program_with(MENTOR_OFFERS))
def my_requests(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """ "My Mentorship requests": mentors' offers, pending first; a dismissed one leaves the list."""
    number = request.GET.get("page")
    mine = ",".join(map(str, program_membership_ids(request.user, request.program)))
    # The page's rows, rendered once a program stamp (offers, memberships and users are the program's rows) per
    # mentee, page and language (matching.fragments): only their ages are worked out on each view.
    shown = kept_fragment(request.program, f"mentor-offers:{mine}:{number}", lambda: _offer_rows(request, number))
    now, ago = timezone.now(), _("%(age)s ago")
    # The age escaped, the words trusted, as {% blocktranslate %} does.
    rows = [
        (html, mark_safe(ago % {"age": conditional_escape(timesince(created_at, now))}), end)  # nosec B308 B703
        for html, created_at, end in shown.rows
    ]
    page = Page(rows, shown.number, Paginator(range(shown.count), PAGE_SIZE))
    return render(request, "sessions_app/my_requests.html", {"page": page, "rows": rows})


@dataclass(frozen=True)
class _OfferRows:
    """A page of a mentee's offers: each row's HTML up to its age, when it was made, and the rest of it; the page's
    number and how many offers there are."""

    rows: list[tuple[str, datetime, str]]
    number: int
    count: int


def _offer_rows(request: HttpRequest, number: str | None) -> _OfferRows:
    mentee = Membership.objects.filter(program=request.program, user=request.user, role=Role.MENTEE).first()
    offers = selectors.offers_of_mentee(mentee).select_related(None).select_related("mentor__user")
    offers = offers.only("pk", "state", "created_at", "mentor__user__full_name")  # what the list shows
    page = Paginator(offers, PAGE_SIZE).get_page(number)
    names = {value: str(label) for value, label in OfferState.choices}  # once, not a translation a row
    prefix = reverse("sessions:my_requests", args=_args(request))  # an offer's page is under this one's
    rows = [
        (
            format_html(
                '<li class="card">\n    <p><a href="{}{}/"><strong>{}</strong></a>\n'
                '      · <span class="badge{}">{}</span>\n      <small>',
                prefix,
                offer.pk,
                offer.mentor.user.full_name,
                " ok" if offer.state == OfferState.ACCEPTED else "",
                names.get(offer.state, offer.state),
            ),
            offer.created_at,
            mark_safe("</small></p>\n  </li>"),  # nosec B308 B703 - a fixed string
        )
        for offer in page
    ]
    return _OfferRows(rows, page.number, page.paginator.count)


@tenant_view(perm="sessions_app.answer_mentor_offer", obj=mentor_offer_of_url)
def offer_detail(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """One mentor's request: Dismiss, or the mentor's profile to book or request a session."""
    offer = mentor_offer_of_url(request, pk)
    return render(request, "sessions_app/offer_detail.html", {"offer": offer})


@tenant_view(perm="sessions_app.answer_mentor_offer", obj=mentor_offer_of_url)
@require_POST
def offer_dismiss(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """Dismiss a mentor's request: it leaves the list; the mentor is not notified."""
    offer = mentor_offer_of_url(request, pk)
    if mentor_offer_dismiss(offer=offer):
        messages.success(request, _("The request is dismissed."))
    else:
        messages.info(request, _("This request was already answered."))
    return redirect("sessions:my_requests", *_args(request))


# ------------------------------------------------------------------ program admins


@tenant_view(perm="organizations.manage_program")
def requests_admin(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """Every session request and mentor offer of the program, with its state and age, filtered by state."""
    program_ = request.program
    # Read before any row: a committed write to the program's rows (a request, an offer, a name) gives it a new
    # stamp, so what is kept under the old one is never shown again.
    stamp = program_stamp(program_)
    filters = RequestsFilterForm(request.GET or None)
    state = filters.cleaned_data.get("state") if filters.is_valid() else ""
    rpage, opage = request.GET.get("rpage", "")[:8], request.GET.get("opage", "")[:8]
    # The same for every admin of the program: the tables' rows without their ages (those change with time alone).
    key = f"sessions:requests-admin:{program_.pk}:{translation.get_language()}:{state}:{rpage!r}:{opage!r}"
    data = kept(stamp, key, lambda: _requests_admin_rows(program_, state, rpage, opage), shared=False)
    now = timezone.now()
    raw = request.GET.get("state")

    # The filter's fields (a select of every state) are the same for the same query, in the same language.
    def fields() -> str:
        return render_to_string("sessions_app/_requests_filter.html", {"filters": filters})

    asked = (bool(request.GET), raw)
    form_key = f"sessions:requests-filter:{translation.get_language()}:{asked!r}"
    context = {
        "filter_fields": kept(stamp, form_key, fields, shared=False) if raw is None or len(raw) < 20 else fields(),
        "requests_page": data.requests.page(),
        "offers_page": data.offers.page(),
        "session_requests": [(row, timesince(created_at, now)) for row, created_at in data.requests.rows],
        "offers": [(row, timesince(created_at, now)) for row, created_at in data.offers.rows],
    }
    return render(request, "sessions_app/requests_admin.html", context)


@dataclass(frozen=True)
class _Rows:
    """A page of a table: each row's cells but the age (HTML) and when it was made, and the page's number."""

    rows: list[tuple[SafeString, datetime]]
    number: int
    count: int

    def page(self) -> Page:
        return Page(self.rows, self.number, Paginator(range(self.count), PAGE_SIZE))


@dataclass(frozen=True)
class _RequestsAdmin:
    requests: _Rows
    offers: _Rows


def _requests_admin_rows(program_, state: str, rpage: str, opage: str) -> _RequestsAdmin:
    # What the two tables show: both people's names, the state and the age.
    shown = ("pk", "state", "created_at", "mentee__user__full_name", "mentor__user__full_name")
    session_requests = selectors.session_requests_for(program_).only(*shown)
    offers = selectors.offers_for(program_).only(*shown)
    if state:
        session_requests = session_requests.filter(state=state)
        offers = offers.filter(state=state)
    requests_page = Paginator(session_requests, PAGE_SIZE).get_page(rpage)
    offers_page = Paginator(offers, PAGE_SIZE).get_page(opage)
    return _RequestsAdmin(
        requests=_rows(requests_page, lambda r: (r.mentee, r.mentor)),
        offers=_rows(offers_page, lambda o: (o.mentor, o.mentee)),
    )


def _rows(page: Page, people) -> _Rows:
    """Each row's first three cells, both people's names (in the order ``people`` gives them) and the state."""
    cells = "<tr><td>{}</td><td>{}</td><td>{}</td>"
    rows = []
    for item in page:
        first, second = people(item)
        shown = format_html(cells, first.user.full_name, second.user.full_name, item.get_state_display())
        rows.append((shown, item.created_at))
    return _Rows(rows=rows, number=page.number, count=page.paginator.count)
