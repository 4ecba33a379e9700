"""Mentors' and mentees' pages: profile, questionnaire, recommendations, ending a pairing."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.functional import LazyObject
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from matching import matchmaking, selectors
from matching.forms.answers import EndPairingForm, ProgramProfileForm, QuestionnaireForm
from matching.fragments import kept_fragment
from matching.models import Pairing, PairingStatus
from matching.services import answers as answer_service
from matching.services import pairing as pairing_service
from matching.services import selection as selection_service
from mentorship.ratelimits import limit_error
from organizations.decorators import tenant_view
from organizations.models import Membership, Role
from organizations.selectors import MEMBERSHIP_BY_PK, program_roles


def participant_membership(request: HttpRequest) -> Membership:
    """The visitor's mentor or mentee membership in the request's program (the mentee one, if both), with the
    request's program (and its organization) and user.

    The view's declared permission (mentor or mentee of the program) guarantees there is one. Its pk comes from
    the roles the tenant middleware read, the row from a query compiled once a process; its program, the
    program's organization and its user are the request's.
    """
    user = request.user._wrapped if isinstance(request.user, LazyObject) else request.user
    mine = sorted(row for row in program_roles(user, request.program) if row[0] in (Role.MENTEE, Role.MENTOR))
    found = MEMBERSHIP_BY_PK.fetch(pk=mine[0][1]) if mine else []  # "mentee" sorts before "mentor"
    if not found:
        raise Http404
    membership = found[0]
    membership.program, membership.user = request.program, user
    membership.program.organization = request.organization
    return membership


def pairing_of_url(request: HttpRequest, pk: int) -> Pairing:
    """The program's pairing named by the URL, or 404."""
    pairing = get_object_or_404(selectors.pairings_for(request.program), pk=pk)
    pairing.program = request.program
    return pairing


def profile_is_complete(user) -> bool:
    return bool(user.full_name and user.bio and user.languages and user.location)


@tenant_view(perm="matching.answer_questionnaire")
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    form = ProgramProfileForm(request.POST or None, request.FILES or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile is saved. Next: the questionnaire."))
        return redirect("matching:questionnaire", request.organization.slug, request.program.slug)
    context = {"form": form, "step": 1, "membership": participant_membership(request)}
    return render(request, "matching/profile.html", context)


@tenant_view(perm="matching.answer_questionnaire")
@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    membership = participant_membership(request)
    if not profile_is_complete(request.user):
        return redirect("matching:profile", request.organization.slug, request.program.slug)
    if request.method != "POST":
        # The questions as the person's answers fill them, and their progress: the same on every view until
        # something in the program changes (its questions, the person's answers and capacity are its rows).
        progress, fields = kept_fragment(
            request.program, f"questionnaire:{membership.pk}", lambda: _questionnaire_fields(request, membership)
        )
        context = {"fields": fields, "progress": progress, "membership": membership, "step": 2}
        return render(request, "matching/questionnaire.html", context)
    questionnaire = selectors.questionnaire_for(request.program)
    questions = selectors.questions_for_role(questionnaire, membership.role)
    answers = selectors.answers_of(membership)
    form = QuestionnaireForm(request.POST, questions=questions, membership=membership, answers=answers)
    # Partial answers are saved, even beside an answer in error (which keeps what was saved).
    valid = form.is_valid()
    _save_answers(membership, form)
    progress = selectors.progress_of(questionnaire, membership, selectors.answers_of(membership))
    if valid and progress.complete:
        selection_service.invite_after_questionnaire(membership=membership)
        messages.success(request, _("Your answers are saved."))
        target = "matching:recommendations" if membership.role == "mentee" else "portal:program"
        return redirect(target, request.organization.slug, request.program.slug)
    for question in progress.missing:
        if f"q{question.pk}" not in form.errors:
            form.add_error(f"q{question.pk}", _("This question needs an answer."))
    if valid:
        messages.warning(request, _("Your answers are saved; some questions still need an answer."))
    else:
        messages.warning(request, _("Your other answers are saved; the answers listed need a change."))
    context = {"form": form, "progress": progress, "membership": membership, "step": 2}
    return render(request, "matching/questionnaire.html", context)


def _questionnaire_fields(request: HttpRequest, membership: Membership) -> tuple:
    """The person's progress and their questionnaire's fields rendered (empty when they have no questions)."""
    questionnaire = selectors.questionnaire_for(request.program)
    questions = selectors.questions_for_role(questionnaire, membership.role)
    answers = selectors.answers_of(membership)
    form = QuestionnaireForm(None, questions=questions, membership=membership, answers=answers)
    fields = render_to_string("partials/form.html", {"form": form}) if form.fields else ""
    return selectors.progress_of(questionnaire, membership, answers), fields


def _save_answers(membership: Membership, form: QuestionnaireForm) -> None:
    """Store the answers of a posted questionnaire that are valid; the capacity too, when it is."""
    answer_service.answers_save(membership=membership, answers=form.answers())
    if "capacity" in form.cleaned_data:
        answer_service.capacity_set(membership=membership, capacity=form.cleaned_data["capacity"])


@tenant_view(perm="matching.view_recommendations")
def recommendations(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    membership = participant_membership(request)
    # The page below its title is the same on every view until something in the program changes: kept under
    # the program's stamp (the mentee's answers, the mentors' answers and free places, pairings, declines,
    # requests and the program's settings are all its rows), per mentee and language.
    body = kept_fragment(
        request.program,
        f"recommendations:{membership.pk}:{request.program.matching_version}",
        lambda: _recommendations_body(request, membership),
    )
    return render(request, "matching/recommendations.html", {"body": body})


def _recommendations_body(request: HttpRequest, membership: Membership) -> SafeString:
    questionnaire = selectors.questionnaire_for(request.program)
    answers = selectors.answers_of(membership)
    progress = selectors.progress_of(questionnaire, membership, answers)
    standing = None
    if request.program.ranked_matching_enabled and progress.complete:
        standing = selection_service.standing_of(request.program, membership)
    pairing = None
    if standing is None or standing.paired:  # the standing knows: an unpaired mentee's pairing is not looked for
        pairing = membership.mentee_pairings.filter(status=PairingStatus.ACTIVE).select_related("mentor__user").first()
    if pairing:
        standing = None
    suggestions = (
        matchmaking.recommendations_for(membership, request.program, questionnaire, answers)
        if progress.complete
        else []
    )
    if request.program.ranked_matching_enabled:
        records = selectors.response_records([s.mentor.pk for s in suggestions])
        for suggestion in suggestions:
            # "usually answers within N days", once the mentor has answered three requests (F4.9).
            suggestion.mentor.usual_days = records.get(suggestion.mentor.pk, selectors.ResponseRecord()).usual_days
    context = {
        "request": request,  # its organization's and program's slugs, for the links (a new slug is a new stamp)
        "progress": progress,
        "suggestions": suggestions,
        "pairing": pairing,
        "standing": standing,
    }
    return render_to_string("matching/_recommendations.html", context)


@tenant_view(perm="matching.end_pairing", obj=pairing_of_url)
@require_http_methods(["GET", "HEAD", "POST"])
def pairing_end(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    pairing = pairing_of_url(request, pk)
    form = EndPairingForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (limited := limit_error(request, "pairing_change")):
        form.add_error(None, limited)
        return render(request, "matching/pairing_end.html", {"form": form, "pairing": pairing}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            pairing_service.pairing_end(pairing=pairing, by=request.user, reason=form.cleaned_data["reason"])
        except pairing_service.PairingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The pairing has ended."))
            return redirect("portal:program", request.organization.slug, request.program.slug)
    return render(request, "matching/pairing_end.html", {"form": form, "pairing": pairing})
