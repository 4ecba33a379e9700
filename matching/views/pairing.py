"""Program admins' pairing: suggestions per unpaired mentee, "Pair", and "Auto-pair all"."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.cache import caches
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from matching import matchmaking, selectors
from matching.forms.answers import CapacityForm
from matching.forms.pairing import HAS_SUGGESTIONS, NO_ANSWERS, PairingFilterForm
from matching.models import AutoPairRun, RunStatus
from matching.reasons import unassigned_sentence
from matching.services import answers as answer_service
from matching.services import pairing as service
from mentorship.kept import kept
from mentorship.panels import words
from mentorship.ratelimits import rate_limited
from mentorship.stamps import program_stamp
from organizations.decorators import tenant_view
from organizations.models import Membership, Program, Role

PAGE_SIZE = 25


def autopairing_program(request: HttpRequest, **_url_kwargs) -> Program:
    """The program, or 404 when it has switched auto-pairing off (F6.4: a flow that is off has no URLs)."""
    if not request.program.autopairing_enabled:
        raise Http404
    return request.program


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("matching:pairing", request.organization.slug, request.program.slug)


@dataclass(frozen=True)
class _PairingPage:
    """What the pairing page shows of the program's rows, for one filter and page: kept under the stamp."""

    unpaired: int
    matching: int  # the mentees the filters keep (all the unpaired ones, unfiltered)
    number: int
    rows: list
    # Each row's HTML around what a view adds (how long the mentee has waited, the row form's CSRF token):
    # (before the waiting words, between them and the token, after it; None for a row without a form).
    row_html: list[tuple[str, str, str | None]]
    pairings: list
    pairings_count: int
    pairings_number: int
    run: AutoPairRun | None


def _page_number(count: int, asked: str | None) -> int:
    """The page ``asked`` (as ``Paginator.get_page`` reads it) of a list of ``count`` rows."""
    return Paginator(range(count), PAGE_SIZE).get_page(asked).number


def _pairing_page_data(
    program: Program, stamp: str | None, filters: dict[str, str], page: str | None, ppage: str | None
) -> _PairingPage:
    mentees = selectors.unpaired_mentees_for_page(
        program, search=filters["search"], no_answers=filters["show"] == NO_ANSWERS, order=filters["order"]
    )
    if filters["show"] == HAS_SUGGESTIONS:
        mentees = mentees.filter(pk__in=matchmaking.mentees_with_suggestions(program, mentees))
    filtered = any(filters[name] for name in ("search", "show"))
    unpaired = _unpaired_count(program, stamp)
    matching = mentees.count() if filtered else unpaired
    number = _page_number(matching, page)
    start = (number - 1) * PAGE_SIZE
    active = selectors.active_pairings_newest_first(program)
    pairings_count = active.count()
    pairings_number = _page_number(pairings_count, ppage)
    pairings_start = (pairings_number - 1) * PAGE_SIZE
    # Suggestions are computed for this page's mentees only (matchmaking.suggestions_for_mentees).
    rows = matchmaking.suggestions_for_mentees(program, list(mentees[start : start + PAGE_SIZE]))
    pair_url = reverse("matching:pair", args=[program.organization.slug, program.slug])
    return _PairingPage(
        unpaired=unpaired,
        matching=matching,
        number=number,
        rows=rows,
        row_html=[_row_html(row, pair_url) for row in rows],
        # The active pairings, 25 a page too (a program has thousands).
        pairings=list(active[pairings_start : pairings_start + PAGE_SIZE]),
        pairings_count=pairings_count,
        pairings_number=pairings_number,
        run=selectors.latest_run(program),
    )


def _summary(row: matchmaking.MenteeSuggestions) -> str:
    n = len(row.suggestions)
    text = ngettext("%(n)s suggestion, best %(best)s/100", "%(n)s suggestions, best %(best)s/100", n)
    return text % {"n": n, "best": row.suggestions[0].score}


def _row_html(row: matchmaking.MenteeSuggestions, pair_url: str) -> tuple[str, str, str | None]:
    """A mentee's row of the list as pairing.html showed it, made in Python once a stamp (the template's tags,
    blocktranslates and includes took about 0.3 ms a row on every view), cut where each view adds its own."""
    user = row.mentee.user
    head = format_html(
        "  <li>\n  {}<strong>{}</strong> <small>{}</small> · ", _OPEN[bool(row.suggestions)], user.full_name, user.email
    )
    if not row.suggestions:
        return head, format_html(" · {}</p>\n  </li>\n", row.why), None
    middle = format_html(
        ' · {}</summary>\n      <form method="post" class="pair-choices" action="{}">', _summary(row), pair_url
    )
    tail = format_html(
        '<input type="hidden" name="mentee" value="{}">\n      {}\n      </form>\n    </details>\n  </li>\n',
        row.mentee.pk,
        _suggestions_html(row),
    )
    return head, middle, tail


_OPEN = {True: mark_safe("\n    <details>\n      <summary>"), False: mark_safe("\n    <p>")}  # nosec B308 B703


def _suggestions_html(row: matchmaking.MenteeSuggestions) -> SafeString:
    """The row's suggestions, each button sending its mentor (the row's form holds the mentee and the token);
    kept in the "fragments" cache under the row's fingerprint (what they are made of) and language as
    pairing.html kept them, so a new stamp with the same suggestions does not make them again."""
    if not row.fingerprint:
        return _make_suggestions(row)
    key = f"pairing-suggestions:{row.fingerprint}:{translation.get_language()}"
    return caches["fragments"].get_or_set(key, lambda: _make_suggestions(row))


def _make_suggestions(row: matchmaking.MenteeSuggestions) -> SafeString:
    mentee = row.mentee.user.full_name
    pair = _("Pair")
    parts = []
    for suggestion in row.suggestions:
        mentor = suggestion.mentor.user.full_name
        n = suggestion.free_places
        reasons = format_html_join("", "<li>{}</li>", ((reason,) for reason in suggestion.reasons))
        parts.append(
            format_html(
                '\n        <div class="suggestion">\n          <strong>{}</strong> · <span class="score"><span'
                ' aria-hidden="true">{}/100</span><span class="visually-hidden">{}</span></span> · {}\n          {}\n'
                '          <button type="submit" name="mentor" value="{}" class="secondary" aria-label="{}">{}</button>'
                "\n        </div>\n",
                mentor,
                suggestion.score,
                words(_("match score %(score)s out of 100"), score=suggestion.score),
                words(ngettext("%(n)s free place", "%(n)s free places", n), n=n),
                format_html('<ul class="reasons">{}</ul>', reasons) if suggestion.reasons else "",
                suggestion.mentor.pk,
                words(_("Pair %(mentee)s with %(mentor)s"), mentee=mentee, mentor=mentor),
                pair,
            )
        )
    return mark_safe("".join(parts))  # nosec B308 B703 - each part is format_html's


def _unpaired_count(program: Program, stamp: str | None) -> int:
    """The program's unpaired mentees: an anti-join over every mentee, counted once a stamp (whatever the page)."""
    return kept(stamp, f"unpaired-mentees:{program.pk}", lambda: selectors.unpaired_mentees(program).count())


@tenant_view(perm="matching.manage_pairing")
def pairing_page(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    program = request.program
    # Read before any row: a write committed after it gives a new stamp, so what is kept is never stale.
    stamp = program_stamp(program)
    form = PairingFilterForm(request.GET)
    filters = form.filters()
    page, ppage = request.GET.get("page"), request.GET.get("ppage")
    # Everything the rows are made of is under the stamp; the matching version is read with the program (its
    # bump is an UPDATE) and the language words the reasons and why none.
    asked = repr((sorted(filters.items()), page, ppage))
    key = f"pairing-page:{program.pk}:{program.matching_version}:{translation.get_language()}:{asked}"
    # People's names and emails: kept in this process only, never in the shared cache.
    data = kept(stamp, key, lambda: _pairing_page_data(program, stamp, filters, page, ppage), shared=False)
    context = {
        "form": form,
        "filtered": any(filters[name] for name in ("search", "show")),
        "unpaired": data.unpaired,
        "page": Page([row.mentee for row in data.rows], data.number, Paginator(range(data.matching), PAGE_SIZE)),
        "rows": data.rows,
        # Each row's kept HTML with how long the mentee has waited (now) and the row form's token.
        "page_rows": _page_rows(request, data),
        "pairings": Page(data.pairings, data.pairings_number, Paginator(range(data.pairings_count), PAGE_SIZE)),
        "run": data.run,
        "stamp": stamp,  # the active pairings' table is kept under it (pairing.html)
    }
    return render(request, "matching/pairing.html", context)


def _page_rows(request: HttpRequest, data: _PairingPage) -> SafeString:
    token = csrf_input(request)  # the same for every row, as {% csrf_token %} renders it
    parts = []
    for row, (head, middle, tail) in zip(data.rows, data.row_html, strict=True):
        waiting = conditional_escape(_("waiting %(since)s") % {"since": timesince(row.mentee.created_at)})
        parts += (head, waiting, middle) if tail is None else (head, waiting, middle, token, tail)
    return mark_safe("".join(parts))  # nosec B308 B703 - format_html parts, an escaped age and the escaped token


def _program_member(request: HttpRequest, pk: str | None, role: Role) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), program=request.program, role=role, pk=pk)


@tenant_view(perm="matching.manage_pairing")
@require_POST
@rate_limited("pairing_change")
def pair(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    mentee = _program_member(request, request.POST.get("mentee"), Role.MENTEE)
    mentor = _program_member(request, request.POST.get("mentor"), Role.MENTOR)
    try:
        service.pairing_create(program=request.program, mentor=mentor, mentee=mentee, by=request.user)
    except service.PairingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(mentee)s is paired with %(mentor)s; both were emailed.")
            % {"mentee": mentee.user, "mentor": mentor.user},
        )
    return _back(request)


@tenant_view(perm="matching.manage_pairing", obj=autopairing_program)
@require_POST
def autopair(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    run = service.autopair_start(program=request.program, by=request.user)
    return redirect("matching:autopair_run", request.organization.slug, request.program.slug, run.pk)


def _run(request: HttpRequest, pk: int) -> AutoPairRun:
    return get_object_or_404(AutoPairRun.objects.filter(program=request.program), pk=pk)


@tenant_view(perm="matching.manage_pairing", obj=autopairing_program)
def autopair_run(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    run = _run(request, pk)
    proposals = run.proposals.select_related("mentee__user", "mentor__user").order_by("mentor_id", "-score")
    questionnaire = selectors.questionnaire_for(request.program)
    unassigned = [p for p in proposals if not p.mentor_id]
    for proposal in unassigned:
        proposal.why = unassigned_sentence(questionnaire, proposal.unassigned_reason)
    context = {
        "run": run,
        "paired": [p for p in proposals if p.mentor_id],
        "unassigned": unassigned,
        "working": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        "selecting": selectors.mentees_selecting(run) if run.status == RunStatus.PREVIEW else 0,
    }
    return render(request, "matching/autopair_run.html", context)


@tenant_view(perm="matching.manage_pairing", obj=autopairing_program)
@require_POST
@rate_limited("pairing_change")
def autopair_decide(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    run = _run(request, pk)
    try:
        if "approve" in request.POST:
            notify = request.POST.get("notify") == "1"
            summary = service.autopair_approve(run=run, by=request.user, notify=notify)
            messages.success(request, _("%(saved)s pairings saved; %(skipped)s no longer possible.") % summary)
            if notify and summary["saved"]:
                messages.info(request, _("Both people of each pair are being told by email."))
        else:
            service.autopair_discard(run=run)
            messages.success(request, _("The preview was discarded; nothing changed."))
    except service.PairingError as error:
        messages.error(request, str(error))
    return _back(request)


@tenant_view(perm="matching.manage_pairing")
@require_POST
def capacity(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    mentor = _program_member(request, pk, Role.MENTOR)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            answer_service.capacity_set(membership=mentor, capacity=form.cleaned_data["capacity"])
            messages.success(request, _("Capacity of %(name)s saved.") % {"name": mentor.user})
        except ValueError:
            form.add_error("capacity", "")
    if form.errors:
        messages.error(request, _("Capacity must be between 1 and %(n)s.") % {"n": request.program.max_capacity})
    return redirect("organizations:program_people", request.organization.slug, request.program.slug)
