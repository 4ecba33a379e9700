"""The questionnaire builder: program admins add, edit, order and delete questions."""

from django.contrib import messages
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from matching import matchmaking
from matching.forms.builder import MappingForm, QuestionForm
from matching.models import Answer, Audience, MatchRule, Option, Question
from matching.services import questionnaire as service
from mentorship.kept import kept
from mentorship.stamps import program_stamp
from organizations.decorators import tenant_view

MANAGE = "organizations.manage_program"


def _questions(request: HttpRequest) -> QuerySet[Question]:
    return Question.objects.filter(program=request.program)


def _question(request: HttpRequest, pk: int) -> Question:
    question = get_object_or_404(_questions(request), pk=pk)
    question.program = request.program
    return question


def _answered_counts(request: HttpRequest, stamp: str | None) -> dict[int, int]:
    """How many of the people asked answered each question: an aggregate over every answer of the program, kept
    under the program's stamp (a saved answer, someone who leaves), its matching version and the stamp of mentee
    answers."""
    program = request.program
    key = f"matching:answered:{program.pk}:{program.matching_version}:{matchmaking.mentee_answers_stamp(program)}"

    def count() -> dict[int, int]:
        asked = Q(audience=Audience.BOTH) | Q(answers__membership__role=F("audience"))
        answered = _questions(request).annotate(answered=Count("answers", filter=asked))
        return dict(answered.values_list("pk", "answered"))

    return kept(stamp, key, count)


def _questionnaire(request: HttpRequest, stamp: str | None) -> list[Question]:
    """The questions in order, with their options and how many of the people asked answered."""
    questions = list(
        _questions(request)
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("order", "pk")))
        .order_by("order", "pk")
    )
    counts = _answered_counts(request, stamp)
    for question in questions:
        question.answered = counts.get(question.pk, 0)
    return questions


def _builder_url(request: HttpRequest, anchor: str = "") -> str:
    url = reverse("matching:builder", args=[request.organization.slug, request.program.slug])
    return f"{url}#{anchor}" if anchor else url


def _edit_url(request: HttpRequest, question: Question, anchor: str = "") -> str:
    url = reverse("matching:question_edit", args=[request.organization.slug, request.program.slug, question.pk])
    return f"{url}#{anchor}" if anchor else url


@tenant_view(perm=MANAGE)
@require_http_methods(["GET", "HEAD"])
def question_list(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    stamp = program_stamp(request.program)  # before any row
    # Read only when the table is rendered, not when it is kept (question_list.html, under the stamp).
    questions = SimpleLazyObject(lambda: _questionnaire(request, stamp))
    return render(request, "matching/builder/question_list.html", {"questions": questions, "stamp": stamp})


def _after_save(
    request: HttpRequest, question: Question, saved: str, was_mapping: bool, form: QuestionForm | None = None
) -> HttpResponseRedirect:
    messages.success(request, saved)
    if form is not None and form.suggested_label:
        text = _("Match reasons call this question “%(label)s”: change its short name if that reads badly.")
        messages.info(request, text % {"label": form.suggested_label})
    if question.rule == MatchRule.MAPPING and not was_mapping:
        messages.info(request, _("Now tick, for each answer of a mentee, the mentor answers that meet it."))
        return redirect(_edit_url(request, question, "mapping"))
    return redirect(_builder_url(request, f"question-{question.pk}"))


@tenant_view(perm=MANAGE)
@require_http_methods(["GET", "HEAD", "POST"])
def question_create(request: HttpRequest, organization: str, program: str) -> HttpResponse:
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        question = service.question_create(
            program=request.program, data=form.question_data(), options=form.cleaned_data["options"]
        )
        return _after_save(request, question, _("Question added."), was_mapping=False, form=form)
    return render(request, "matching/builder/question_form.html", {"form": form})


def _answer_messages(request: HttpRequest, changes: service.AnswerChanges) -> None:
    if changes.cleared:
        text = ngettext(
            "%(n)s person will be asked to answer this question again.",
            "%(n)s people will be asked to answer this question again.",
            changes.cleared,
        )
        messages.warning(request, text % {"n": changes.cleared})
    if changes.trimmed:
        text = ngettext(
            "%(n)s person's answer lost a removed option and keeps their other choices.",
            "%(n)s people's answers lost a removed option and keep their other choices.",
            changes.trimmed,
        )
        messages.info(request, text % {"n": changes.trimmed})


def _render_edit(request: HttpRequest, question: Question, heading: str, **context) -> HttpResponse:
    context.setdefault("form", QuestionForm(instance=question))
    if question.rule == MatchRule.MAPPING and "mapping_form" not in context:
        context["mapping_form"] = MappingForm(options=_options_with_mapping(question))
    answered = Answer.objects.filter(question=question).count()
    context.update(question=question, heading=heading, answered=answered)
    return render(request, "matching/builder/question_form.html", context)


def _options_with_mapping(question: Question) -> list[Option]:
    return list(Option.objects.filter(question=question).prefetch_related("satisfied_by").order_by("order", "pk"))


@tenant_view(perm=MANAGE)
@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    question = _question(request, pk)
    # The form writes what was typed onto the instance: keep what is saved.
    heading, was_mapping = question.text, question.rule == MatchRule.MAPPING
    if request.method == "POST" and request.POST.get("action") == "mapping":
        return _save_mapping(request, question, heading)
    form = QuestionForm(request.POST if request.method == "POST" else None, instance=question)
    # One form holds the question and its answer map: whichever is re-shown keeps what was ticked.
    mapping_form = _posted_mapping(request, question) if was_mapping else None
    if not (form.is_bound and form.is_valid()):
        return _render_edit(request, question, heading, form=form, **_mapping_context(mapping_form))
    data, options = form.question_data(), form.cleaned_data["options"]
    impact = service.question_update_impact(question=question, data=data, options=options)
    # Answers are only cleared once the admin has seen these very numbers and confirmed them.
    confirmation = f"{impact.cleared}-{impact.trimmed}"
    if impact and request.POST.get("confirm") != confirmation:
        context = {"impact": impact, "confirmation": confirmation, **_mapping_context(mapping_form)}
        return _render_edit(request, question, heading, form=form, **context)
    labels_before = [option.label for option in mapping_form.options] if mapping_form else []
    changes = service.question_update(question=question, data=data, options=options)
    _answer_messages(request, changes)
    question = _question(request, pk)
    if mapping_form is not None and mapping_form.has_changed():
        return _save_mapping_with_question(request, question, mapping_form, options == labels_before)
    return _after_save(request, question, _("Question saved."), was_mapping, form=form)


def _posted_mapping(request: HttpRequest, question: Question) -> MappingForm | None:
    """The answer map as posted with the question, when the page showed it."""
    if request.method != "POST" or not any(key.startswith("option_") for key in request.POST):
        return None
    return MappingForm(request.POST, options=_options_with_mapping(question))


def _mapping_context(mapping_form: MappingForm | None) -> dict:
    return {"mapping_form": mapping_form} if mapping_form is not None else {}


def _save_mapping_with_question(
    request: HttpRequest, question: Question, mapping_form: MappingForm, same_options: bool
) -> HttpResponse:
    """After the question was saved: save the answer map posted with it, or say why not."""
    messages.success(request, _("Question saved."))
    if question.rule != MatchRule.MAPPING:
        return redirect(_builder_url(request, f"question-{question.pk}"))
    if not same_options:
        messages.warning(
            request, _("The answers changed, so which answers meet each other was not saved: tick them again.")
        )
        return redirect(_edit_url(request, question, "mapping"))
    if not mapping_form.is_valid():
        return _render_edit(request, question, question.text, mapping_form=mapping_form)
    service.question_mapping_set(question=question, mapping=mapping_form.mapping())
    messages.success(request, _("Which answers meet each other was saved."))
    return redirect(_builder_url(request, f"question-{question.pk}"))


def _save_mapping(request: HttpRequest, question: Question, heading: str) -> HttpResponse:
    if question.rule != MatchRule.MAPPING:
        return redirect(_edit_url(request, question))
    mapping_form = MappingForm(request.POST, options=_options_with_mapping(question))
    if not mapping_form.is_valid():
        return _render_edit(
            request,
            question,
            heading,
            form=QuestionForm(_question_input(request), instance=question),
            mapping_form=mapping_form,
        )
    service.question_mapping_set(question=question, mapping=mapping_form.mapping())
    messages.success(request, _("Which answers meet each other was saved."))
    form = QuestionForm(request.POST, instance=question)
    if form.has_unsaved_input():
        # The question's fields were typed into the same page: show them again rather than lose them.
        messages.warning(
            request, _("Your changes to the question are not saved yet: check them and press Save question.")
        )
        fresh_mapping = MappingForm(options=_options_with_mapping(question))
        return _render_edit(request, question, heading, form=form, mapping_form=fresh_mapping)
    return redirect(_builder_url(request, f"question-{question.pk}"))


def _question_input(request: HttpRequest):
    """What was typed into the question's fields with the answer map, if anything: kept when re-shown."""
    return request.POST if any(name in request.POST for name in QuestionForm.base_fields) else None


@tenant_view(perm=MANAGE)
@require_POST
def question_delete(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    question = _question(request, pk)
    answers = service.question_delete(question=question)
    if answers:
        text = ngettext(
            "The question “%(text)s” was deleted, with %(n)s answer.",
            "The question “%(text)s” was deleted, with its %(n)s answers.",
            answers,
        )
    else:
        text = _("The question “%(text)s” was deleted.")
    messages.success(request, text % {"text": question.text, "n": answers})
    return redirect(_builder_url(request))


@tenant_view(perm=MANAGE)
@require_POST
def question_move(request: HttpRequest, organization: str, program: str, pk: int) -> HttpResponse:
    question = _question(request, pk)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        service.question_move(question=question, direction=direction)
    return redirect(_builder_url(request, f"question-{question.pk}"))
