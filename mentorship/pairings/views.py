"""The pages of the life of a pairing: the pair's conversation, and what program admins may see of it."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from matching.models import Pairing, PairingStatus
from mentorship import stamps
from mentorship.kept import kept, stamp_key
from mentorship.pairings import cycles, selectors, services
from mentorship.pairings.forms import (
    AgreementDecisionForm,
    AgreementForm,
    CycleForm,
    CycleSurveyForm,
    FeedbackForm,
    FeedbackQuestionForm,
    MessageForm,
    NewCycleForm,
)
from mentorship.pairings.models import (
    Agreement,
    AgreementStatus,
    CycleSurvey,
    FeedbackQuestion,
    FeedbackRequest,
    Fit,
    Goal,
    Message,
)
from mentorship.ratelimits import limit_error, over_limit, rate_limited, too_many
from mentorship.stamps import program_stamps
from organizations.decorators import tenant_view
from organizations.models import Program, Role


def own_pairing_of_url(request: HttpRequest, pk: int) -> Pairing:
    """The visitor's own pairing named by the URL; anyone else's, admins' included, is a 404.

    Read once a request: the permission check (``tenant_view``'s loader) and the view share it.
    """
    loaded = getattr(request, "_own_pairing", None)
    if loaded is not None and str(loaded.pk) == str(pk):
        return loaded
    pairing = selectors.own_pairing(request.program, request.user, pk)
    if pairing is None:
        raise Http404
    pairing.program = request.program
    request._own_pairing = pairing
    return pairing


def message_of_url(request: HttpRequest, pk: int) -> Message:
    """A message of one of the visitor's own pairings, or 404."""
    mine = selectors.pairings_of_user(request.program, request.user)
    message = get_object_or_404(
        Message.objects.filter(pairing__in=mine).select_related("author__user", "pairing__mentor", "pairing__mentee"),
        pk=pk,
    )
    return message


# A page of a conversation, newest first (the page reads oldest first); "Earlier messages" goes back.
MESSAGES_PER_PAGE = 25


def _me(pairing: Pairing, user):
    return pairing.mentor if pairing.mentor.user_id == user.pk else pairing.mentee


@tenant_view(perm="pairings.converse", obj=own_pairing_of_url)
@require_http_methods(["GET", "HEAD", "POST"])
def conversation(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    pairing = own_pairing_of_url(request, pk)
    me = _me(pairing, request.user)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (limited := limit_error(request, "message")):
        form.add_error("body", limited)
    elif request.method == "POST" and form.is_valid():
        try:
            services.message_post(pairing=pairing, author=me, body=form.cleaned_data["body"])
        except services.MessageError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, _("Message sent."))
            return redirect("pairings:conversation", request.organization.slug, request.program.slug, pairing.pk)
    # Read after the pairing (the permission's row) and before the messages: a committed message, or a report,
    # gives the program a new stamp, so what is kept under the old one is never shown again.
    stamp = stamps.program_stamp(request.program)
    asked = request.GET.get("page", "")[:8]
    # The messages as this person of the pair sees them ("You", the other's to report), in their language and
    # time zone; a report's button points at the one form of the page (its token is not in what is kept).
    key = (
        f"pairings:chat:{pairing.pk}:{me.pk}:{translation.get_language()}:"
        f"{timezone.get_current_timezone_name()}:{asked!r}"
    )
    count, number, chat = kept(stamp, key, lambda: _chat(request, pairing, me, asked), shared=False)
    context = {
        "pairing": pairing,
        "me": me,
        "other": services.other_party(pairing, me),
        "form": form,
        "page": Page([], number, Paginator(range(count), MESSAGES_PER_PAGE)),
        "chat": chat,
    }
    return render(request, "pairings/conversation.html", context)


def _chat(request: HttpRequest, pairing: Pairing, me, asked: str) -> tuple[int, int, SafeString]:
    """How many messages, the page's number and its messages rendered (the newest page first; a page reads top
    to bottom, oldest first)."""
    paginator = Paginator(selectors.messages_of(pairing).order_by("-created_at", "-pk"), MESSAGES_PER_PAGE)
    page = paginator.get_page(asked)
    chat = selectors.with_authors(pairing, list(reversed(page.object_list)))
    report = reverse("pairings:report", args=[request.organization.slug, request.program.slug, 0])[: -len("0/report/")]
    context = {"chat": chat, "me": me, "report_prefix": report}
    return paginator.count, page.number, render_to_string("pairings/_conversation_chat.html", context)


@tenant_view(perm="pairings.report_message", obj=message_of_url)
@require_POST
def report(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    message = message_of_url(request, pk)
    try:
        services.message_report(message=message, by=request.user)
    except services.MessageError as error:  # pragma: no cover - the permission refuses one's own message
        raise Http404 from error
    messages.success(request, _("The message is reported to the program's administrators."))
    return redirect("pairings:conversation", request.organization.slug, request.program.slug, message.pairing_id)


@tenant_view(perm="pairings.oversee")
def activity(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    pairings = Paginator(selectors.pairings_with_talk(request.program), 50).get_page(request.GET.get("page"))
    for pairing in pairings:
        pairing.needs_check_in = selectors.needs_check_in(pairing)
    reported = Paginator(selectors.reported_messages(request.program), 20).get_page(request.GET.get("reported"))
    return render(request, "pairings/activity.html", {"pairings": pairings, "reported": reported})


# ------------------------------------------------------------------ the mentoring agreement


def _agreement_of(pairing: Pairing):
    return Agreement.objects.filter(pairing=pairing).prefetch_related("goals").first()


@tenant_view(perm="pairings.converse", obj=own_pairing_of_url)
@require_http_methods(["GET", "HEAD", "POST"])
def agreement(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """The pair's agreement: the mentee drafts and sends it; the mentor reads it, signs it or asks for changes."""
    pairing = own_pairing_of_url(request, pk)
    me = _me(pairing, request.user)
    # Read after the pairing (the permission's row) and before the agreement: a committed write to the agreement,
    # its goals or the program's settings (or a name) gives the program a new stamp, so what is kept under the
    # old one is never shown again. A POST reads and renders afresh.
    stamp = stamps.program_stamp(request.program) if request.method != "POST" else None
    key = f"pairings:agreement:{pairing.pk}:{me.pk}:{translation.get_language()}"
    body = kept(stamp, key, lambda: _agreement_body(request, pairing, me), shared=False)
    form = None
    if body.editable:
        current = _agreement_of(pairing)
        form = AgreementForm(request.POST or None, initial=AgreementForm.initial_for(current))
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        send = "send" in request.POST
        if form.is_valid() and send and (limited := limit_error(request, "pairing_change")):
            form.add_error(None, limited)  # sending emails the mentor; a draft emails nobody
        elif form.is_valid():
            try:
                services.agreement_save(
                    pairing=pairing,
                    by=me,
                    learning=form.cleaned_data["learning"],
                    frequency=form.cleaned_data["frequency"],
                    meeting_format=form.cleaned_data["meeting_format"],
                    goals=form.cleaned_data["goals"],
                    send=send,
                )
            except services.AgreementError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Sent to your mentor for sign-off.") if send else _("Draft saved."))
                return redirect("pairings:agreement", request.organization.slug, request.program.slug, pairing.pk)
    context = {
        "pairing": pairing,
        "body": body,
        "form": form,
        "decision_form": AgreementDecisionForm() if body.status == AgreementStatus.SENT else None,
        "is_mentor": me.pk == pairing.mentor_id,
    }
    return render(request, "pairings/agreement.html", context)


@dataclass(frozen=True)
class _AgreementBody:
    """What the agreement page shows from the pair's rows, as one person of the pair sees it: the agreement's
    status (None without one), whether that person edits it (the mentee's form) and the rest rendered (the
    names, the agreement and its goals, each goal's button pointing at the page's one form: no token in it)."""

    status: str | None
    editable: bool
    html: SafeString


def _agreement_body(request: HttpRequest, pairing: Pairing, me) -> _AgreementBody:
    current = _agreement_of(pairing)
    enabled = services.settings_of(request.program).agreement_enabled
    editable = me.pk == pairing.mentee_id and enabled and (current is None or current.status != AgreementStatus.SIGNED)
    goal = reverse("pairings:goal_done", args=[request.organization.slug, request.program.slug, 0])
    context = {
        "pairing": pairing,
        "agreement": current,
        "enabled": enabled,
        "editable": editable,
        "is_mentor": me.pk == pairing.mentor_id,
        "goal_prefix": goal[: -len("0/done/")],
    }
    html = render_to_string("pairings/_agreement_body.html", context)
    return _AgreementBody(status=current.status if current and enabled else None, editable=editable, html=html)


@tenant_view(perm="pairings.sign_agreement", obj=own_pairing_of_url)
@require_POST
@rate_limited("pairing_change")
def agreement_decide(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    pairing = own_pairing_of_url(request, pk)
    current = get_object_or_404(Agreement.objects.filter(pairing=pairing))
    form = AgreementDecisionForm(request.POST)
    form.is_valid()
    sign = "sign" in request.POST
    try:
        services.agreement_decide(
            agreement=current, by=pairing.mentor, sign=sign, change_request=form.cleaned_data.get("change_request", "")
        )
    except services.AgreementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The agreement is signed.") if sign else _("Your mentee is asked for the changes."))
    return redirect("pairings:agreement", request.organization.slug, request.program.slug, pairing.pk)


def goal_of_url(request: HttpRequest, pk: int) -> Goal:
    """A goal of one of the visitor's own pairings' agreements, or 404."""
    mine = selectors.pairings_of_user(request.program, request.user)
    goal = get_object_or_404(
        Goal.objects.filter(agreement__pairing__in=mine).select_related(
            "agreement__pairing__mentor", "agreement__pairing__mentee"
        ),
        pk=pk,
    )
    return goal


@tenant_view(perm="pairings.mark_goal", obj=goal_of_url)
@require_POST
def goal_done(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    goal = goal_of_url(request, pk)
    try:
        services.goal_mark(goal=goal, done=request.POST.get("done") != "0")
    except services.AgreementError as error:
        messages.error(request, str(error))
    return redirect("pairings:agreement", request.organization.slug, request.program.slug, goal.agreement.pairing_id)


# ------------------------------------------------------------------ feedback after sessions


def feedback_of_url(request: HttpRequest, pk: int) -> FeedbackRequest:
    """One of the visitor's own feedback requests, or 404."""
    own = FeedbackRequest.objects.filter(program=request.program, respondent__user=request.user)
    return get_object_or_404(own.select_related("pairing__mentor__user", "pairing__mentee__user", "session"), pk=pk)


@tenant_view(perm="pairings.answer_feedback", obj=feedback_of_url)
@require_http_methods(["GET", "HEAD", "POST"])
def feedback(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    asked = feedback_of_url(request, pk)
    questions = FeedbackQuestion.objects.filter(program=request.program)
    form = FeedbackForm(request.POST or None, asks_fit=asked.asks_fit, questions=questions)
    if request.method == "POST" and not asked.answered_at and form.is_valid():
        data = form.cleaned_data
        services.feedback_answer(
            request=asked,
            rating=data["rating"],
            went_well=data["went_well"],
            private_note=data["private_note"],
            fit=data.get("fit", ""),
            answers=form.extra_answers(),
        )
        messages.success(request, _("Thank you for your feedback."))
        return redirect("pairings:feedback", request.organization.slug, request.program.slug, asked.pk)
    pairing = asked.pairing
    shared = services.settings_of(request.program).feedback_shared_with_pair
    theirs = selectors.shared_feedback_for(asked, form.questions) if shared and asked.answered_at else None
    context = {
        "asked": asked,
        "form": form,
        "shared": shared,
        "theirs": theirs,
        "other": pairing.mentee if asked.respondent_id == pairing.mentor_id else pairing.mentor,
        "offer_rematch": asked.fit == Fit.NOT_GOOD
        and asked.respondent_id == pairing.mentee_id
        and pairing.status == PairingStatus.ACTIVE,
    }
    return render(request, "pairings/feedback.html", context)


@tenant_view(perm="pairings.rematch", obj=own_pairing_of_url)
@require_POST
@rate_limited("pairing_change")
def rematch(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    pairing = own_pairing_of_url(request, pk)
    try:
        services.rematch(pairing=pairing, by=request.user)
    except services.MessageError as error:
        messages.error(request, str(error))
        return redirect("portal:program", request.organization.slug, request.program.slug)
    messages.success(request, _("Your pairing has ended. Choose another mentor among your recommendations."))
    return redirect("matching:recommendations", request.organization.slug, request.program.slug)


@tenant_view(perm="pairings.oversee")
@require_http_methods(["GET", "HEAD", "POST"])
def feedback_overview(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """The program admins' feedback: the answers, and the questions they add to the form."""
    form = FeedbackQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        FeedbackQuestion.objects.create(program=request.program, text=form.cleaned_data["text"])
        messages.success(request, _("The question is added to the feedback form."))
        return redirect("pairings:feedback_overview", request.organization.slug, request.program.slug)
    answered = selectors.feedback_answers(request.program)
    questions = list(FeedbackQuestion.objects.filter(program=request.program))
    page = Paginator(answered, 50).get_page(request.GET.get("page"))
    by_id = {str(q.pk): q.text for q in questions}
    for row in page:
        row.extra = [(by_id.get(k, "?"), v) for k, v in row.answers.items()]
    return render(request, "pairings/feedback_overview.html", {"form": form, "page": page, "questions": questions})


def program_pairing_of_url(request: HttpRequest, pk: int) -> Pairing:
    """The program's pairing named by the URL, or 404."""
    pairing = get_object_or_404(
        Pairing.objects.filter(program=request.program).select_related("mentor__user", "mentee__user"), pk=pk
    )
    pairing.program = request.program
    return pairing


@tenant_view(perm="pairings.oversee")
@require_POST
@rate_limited("pairing_change")
def conclude(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    """A program admin concludes a pair (one that went quiet, typically)."""
    pairing = program_pairing_of_url(request, pk)
    try:
        services.pairing_conclude(pairing=pairing, by=request.user)
    except services.MessageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The pairing is concluded."))
    return redirect("pairings:activity", request.organization.slug, request.program.slug)


# ------------------------------------------------------------------ program cycles


def survey_of_url(request: HttpRequest, pk: int) -> CycleSurvey:
    own = CycleSurvey.objects.filter(program=request.program, respondent__user=request.user)
    return get_object_or_404(own.select_related("respondent"), pk=pk)


@tenant_view(perm="pairings.answer_survey", obj=survey_of_url)
@require_http_methods(["GET", "HEAD", "POST"])
def cycle_survey(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    survey = survey_of_url(request, pk)
    form = CycleSurveyForm(request.POST or None)
    if request.method == "POST" and not survey.answered_at and form.is_valid():
        services.cycle_survey_answer(
            survey=survey, satisfaction=form.cleaned_data["satisfaction"], keep=form.cleaned_data["keep"]
        )
        messages.success(request, _("Thank you for your feedback."))
        return redirect("pairings:cycle_survey", request.organization.slug, request.program.slug, survey.pk)
    return render(request, "pairings/cycle_survey.html", {"survey": survey, "form": form})


@tenant_view(perm="pairings.oversee")
@require_http_methods(["GET", "HEAD", "POST"])
def cycle(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """The program's cycle: its dates, the cycles before and after it, its survey's NPS, its alumni."""
    current = request.program
    form = CycleForm(
        request.POST or None,
        initial={"cycle_starts_on": current.cycle_starts_on, "cycle_ends_on": current.cycle_ends_on},
    )
    if request.method == "POST" and form.is_valid():
        type(current).objects.filter(pk=current.pk).update(**form.cleaned_data)
        stamps.bump_programs([current.pk])  # an UPDATE sends no signal
        messages.success(request, _("The cycle's dates are saved."))
        return redirect("pairings:cycle", request.organization.slug, request.program.slug)
    # What the page reads is the series' rows (its cycles' people, pairings, surveys): kept under their stamps,
    # read before them, and under the series itself (a cycle opened since), the end date and today.
    series = cycles.series_ids(current)
    stamp = stamp_key(program_stamps(series).values())
    pages = (request.GET.get("alumni"), request.GET.get("page"))
    key = f"cycle-page:{current.pk}:{series}:{current.cycle_ends_on}:{timezone.localdate()}:{pages!r}"
    # People's names: in this process only.
    context = {"form": form, **kept(stamp, key, lambda: _cycle_rows(current, *pages), shared=False)}
    # The rows' HTML too, in the viewer's language and time zone (the completed pairings' dates).
    shown = f"{key}:rows:{translation.get_language()}:{timezone.get_current_timezone_name()}"
    rows = (context["alumni"], context["completed"])
    context["alumni_rows"], context["completed_rows"] = kept(
        stamp, shown, lambda: (_alumni_rows(rows[0]), _completed_rows(rows[1])), shared=False
    )
    return render(request, "pairings/cycle.html", context)


# The two lists' rows, the HTML their template wrote, in one pass of Python in the viewer's language and time
# zone (a template node per cell was most of the page); every value is escaped.


def _alumni_rows(people) -> SafeString:
    e = conditional_escape
    roles = {value: e(label) for value, label in Role.choices}
    yes, no = e(_("Yes")), e(_("No"))
    html = [
        f"<tr><td>{e(person.user.full_name)}</td><td>{roles.get(person.role) or e(person.role)}</td>"
        f"<td>{e(person.program.name)}</td><td>{yes if person.is_back else no}</td></tr>"
        for person in people
    ]
    return mark_safe("\n".join(html))  # nosec B308 B703


def _completed_rows(pairings) -> SafeString:
    e = conditional_escape

    def day(moment) -> str:  # the template's |date:"DATE_FORMAT"
        return "" if moment is None else e(date_format(template_localtime(moment), "DATE_FORMAT"))

    html = [
        f"<tr><td>{e(pairing.mentor.user.full_name)}</td><td>{e(pairing.mentee.user.full_name)}</td>"
        f"<td>{day(pairing.ended_at)}</td></tr>"
        for pairing in pairings
    ]
    return mark_safe("\n".join(html))  # nosec B308 B703


def _cycle_rows(current: Program, alumni_page: str | None, completed_page: str | None) -> dict:
    scores = list(
        CycleSurvey.objects.filter(program=current, answered_at__isnull=False).values_list("satisfaction", flat=True)
    )
    alumni = Paginator(cycles.alumni(current), 25).get_page(alumni_page)
    completed = Paginator(selectors.alumni(current), 25).get_page(completed_page)
    return {
        "nps": services.nps(scores),
        "answers": len(scores),
        "previous": cycles.previous_cycle(current),
        "next_cycles": cycles.next_cycles(current),
        # Pages of a list counted once: the page and its count, not the paginator's queryset, are kept.
        "alumni": _kept_page(alumni, cycles.with_is_back(list(alumni.object_list))),
        "completed": _kept_page(completed, list(completed.object_list)),
    }


def _kept_page(page: Page, rows: list) -> Page:
    return Page(rows, page.number, Paginator(range(page.paginator.count), page.paginator.per_page))


@tenant_view(perm="pairings.oversee")
@require_http_methods(["GET", "HEAD", "POST"])
def cycle_new(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """Open the program's next cycle: a new program with this one's settings and questionnaire."""
    form = NewCycleForm(request.POST or None, program=request.program)
    if request.method == "POST" and form.is_valid():
        try:
            new = cycles.cycle_open(
                program=request.program,
                by=request.user,
                name=form.cleaned_data["name"],
                starts_on=form.cleaned_data["cycle_starts_on"],
                ends_on=form.cleaned_data["cycle_ends_on"],
            )
        except cycles.CycleError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request, _("%(name)s is open. Review who is invited back, then invite them.") % {"name": new.name}
            )
            return redirect("pairings:cycle_invite", request.organization.slug, new.slug)
    # The counts of what is copied: the program's questions, kept under its stamp (read first; a question added
    # or removed gives a new one).
    copied = kept(
        stamps.program_stamp(request.program),
        f"cycle-new-copied:{request.program.pk}",
        lambda: {
            "questions": request.program.questions.count(),
            "feedback_questions": request.program.feedback_questions.count(),
        },
    )
    return render(request, "pairings/cycle_new.html", {"form": form, **copied})


@tenant_view(perm="pairings.oversee")
@require_http_methods(["GET", "HEAD", "POST"])
def cycle_invite(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    """The review step, then one action: invite the previous cycle's mentors and mentees back to this one."""
    previous = cycles.previous_cycle(request.program)
    if request.method == "POST":
        if over_limit(request, "invitation_send"):
            return too_many(request, "invitation_send")
        try:
            outcome = cycles.invite_back(program=request.program, by=request.user)
        except cycles.CycleError as error:
            messages.error(request, str(error))
        else:
            sent = outcome.invited + outcome.renewed
            messages.success(
                request,
                ngettext("%(n)s person is invited back.", "%(n)s people are invited back.", sent) % {"n": sent},
            )
        return redirect("pairings:cycle", request.organization.slug, request.program.slug)
    page, waiting = None, 0
    if previous:
        kept = cycles.kept_returning(request.program, previous, request.GET.get("page"), 25)
        page, waiting = Page(kept.people, kept.number, Paginator(range(kept.count), 25)), kept.waiting
    context = {"previous": previous, "page": page, "waiting": waiting, "rows": _returning_rows(page or [])}
    return render(request, "pairings/cycle_invite.html", context)


def _returning_rows(people) -> SafeString:
    """The review step's rows, the HTML their template wrote, in one pass of Python; every value is escaped."""
    e = conditional_escape
    roles = {value: e(label) for value, label in Role.choices}
    html = [
        f"<tr><td>{e(person.user.full_name)}</td><td>{e(person.user.email)}</td>"
        f"<td>{roles.get(person.role) or e(person.role)}</td></tr>"
        for person in people
    ]
    return mark_safe("\n".join(html))  # nosec B308 B703
