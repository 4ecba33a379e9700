"""The questionnaire builder's writes: questions, their options and their order.

A change to a question never leaves an answer that no longer fits: answers of
an incompatible kind, answers left without an option, and numbers now out of
range are deleted (those people are asked again), and a removed option is taken
out of multiple-choice answers that keep other options. Every change bumps the
program's ``matching_version``, which keys the cached mentor index.
"""

from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.engine.specs import CHOICE_KINDS, NUMERIC_KINDS, RuleProblem, rule_problem
from matching.models import Answer, Audience, MatchRule, Option, Question, QuestionKind
from matching.services.answers import bump_matching_version
from matching.services.completion import completion_refresh
from matching.services.demand import demand_refresh_after_commit
from mentorship import stamps
from organizations.models import Program

QUESTION_FIELDS = (
    "text",
    "mentor_text",
    "reason_label",
    "kind",
    "audience",
    "required",
    "rule",
    "weight",
    "min_value",
    "max_value",
)
SCALE_RANGE = (1, 5)
OPTION_MAX_LENGTH = Option._meta.get_field("label").max_length


@dataclass(frozen=True)
class AnswerChanges:
    """What a change to a question does to the answers already given."""

    cleared: int = 0  # answers deleted: these people are asked to answer again
    trimmed: int = 0  # multiple-choice answers that lost a removed option and keep the others

    def __bool__(self) -> bool:
        return bool(self.cleared or self.trimmed)


# ------------------------------------------------------------------ validation


def question_problems(*, data: dict[str, Any], options: list[str]) -> dict[str, str]:
    """What stops a question from being saved, by field name; empty when it can be saved.

    ``data`` holds the question's fields (missing ones are not checked);
    ``options`` the option labels in order. The form shows these beside its fields.
    """
    problems = {**_rule_problems(data), **_options_problems(data.get("kind"), options)}
    problems.update(_range_problems(data))
    return problems


def _family(kind: str | None) -> str | None:
    if kind in CHOICE_KINDS:
        return "choice"
    if kind in NUMERIC_KINDS:
        return "numeric"
    return kind


def _rule_problems(data: dict[str, Any]) -> dict[str, str]:
    kind, rule = data.get("kind"), data.get("rule")
    if not rule or kind is None:
        return {}
    rule_name = MatchRule(rule).label
    problem = rule_problem(kind, rule)
    if problem is not None:
        return {"rule": _rule_problem_message(problem, rule_name)}
    if data.get("audience", Audience.BOTH) != Audience.BOTH:
        message = _(
            "A matching rule compares a mentee's answer with a mentor's: "
            "let both answer it, or choose “Not used for matching”."
        )
        return {"rule": message}
    return {}


def _rule_problem_message(problem: RuleProblem, rule_name: str) -> str:
    """The engine's reason why a rule does not fit a kind, in the words of the builder."""
    if problem == RuleProblem.TEXT_NOT_SCORED:
        return _("Free-text answers are shown, not scored: choose “Not used for matching”.")
    if problem == RuleProblem.NEEDS_CHOICE:
        return _("“%(rule)s” compares chosen options: make this a single or multiple choice question.") % {
            "rule": rule_name
        }
    return _("Closeness compares numbers: make this a scale or number question.")


def _options_problems(kind: str | None, options: list[str]) -> dict[str, str]:
    if kind not in CHOICE_KINDS:
        return {}
    seen: set[str] = set()
    for label in options:
        if len(label) > OPTION_MAX_LENGTH:
            return {
                "options": _("Keep each option under %(n)s characters: “%(label)s…” is longer.")
                % {"n": OPTION_MAX_LENGTH, "label": label[:40]}
            }
        if label.casefold() in seen:
            return {"options": _("“%(label)s” is listed twice: give each option once.") % {"label": label}}
        seen.add(label.casefold())
    if len(options) < 2:
        return {"options": _("A choice question needs at least two options, one per line.")}
    return {}


def _range_problems(data: dict[str, Any]) -> dict[str, str]:
    kind, low, high = data.get("kind"), data.get("min_value"), data.get("max_value")
    if kind == QuestionKind.SCALE:
        message = _("A scale always runs from 1 to 5: leave this empty, or choose “Number” for another range.")
        given = (("min_value", low, SCALE_RANGE[0]), ("max_value", high, SCALE_RANGE[1]))
        return {name: message for name, value, fixed in given if value not in (None, fixed)}
    if kind != QuestionKind.NUMBER:
        return {}
    problems = {}
    if low is None:
        problems["min_value"] = _("Give the lowest number a person may answer.")
    if high is None:
        problems["max_value"] = _("Give the highest number a person may answer.")
    if low is not None and high is not None and low >= high:
        problems["max_value"] = _("The highest value must be more than the lowest (%(low)s).") % {"low": low}
    return problems


def _field_problems(data: dict[str, Any]) -> dict[str, list[str]]:
    """The model's own checks on each field (a known kind, a weight from 1 to 10, a question text)."""
    try:
        Question(**data).clean_fields(exclude={f.name for f in Question._meta.fields} - set(QUESTION_FIELDS))
    except ValidationError as error:
        return error.message_dict
    return {}


def _validated(
    data: dict[str, Any], options: list[str], current: Question | None = None
) -> tuple[dict[str, Any], list[str]]:
    """The question's fields as they are stored, and its option labels; ValidationError if they cannot be.

    Fields missing from ``data`` keep their value on ``current`` (or the model's default).
    """
    base = {name: getattr(current or Question(), name) for name in QUESTION_FIELDS}
    data = base | {name: data[name] for name in QUESTION_FIELDS if name in data}
    options = [label.strip() for label in options if label.strip()]
    problems = _field_problems(data)
    if not problems:
        problems = question_problems(data=data, options=options)
    if problems:
        raise ValidationError(problems)
    kind = data["kind"]
    if kind == QuestionKind.SCALE:
        data["min_value"], data["max_value"] = SCALE_RANGE
    elif kind != QuestionKind.NUMBER:
        data["min_value"] = data["max_value"] = None
    if kind == QuestionKind.TEXT:
        data["rule"] = MatchRule.NONE
    return data, options if kind in CHOICE_KINDS else []


# ------------------------------------------------------------------ what happens to answers


@dataclass
class _Plan:
    """How saving a question changes its options and answers, before anything is written."""

    kept: dict[str, Option] = field(default_factory=dict)  # unchanged options by label
    removed: list[int] = field(default_factory=list)  # option ids
    delete: list[int] = field(default_factory=list)  # answer ids
    trim: dict[int, list[int]] = field(default_factory=dict)  # answer id -> the option ids it keeps

    @property
    def changes(self) -> AnswerChanges:
        return AnswerChanges(cleared=len(self.delete), trimmed=len(self.trim))


def _plan(question: Question, data: dict[str, Any], options: list[str]) -> _Plan:
    existing, wanted = list(Option.objects.filter(question=question)), set(options)
    kept = {o.label: o for o in existing if o.label in wanted}
    plan = _Plan(kept=kept, removed=[o.pk for o in existing if kept.get(o.label) is not o])
    answers = Answer.objects.filter(question=question)
    if _family(question.kind) != _family(data["kind"]):
        plan.delete = list(answers.values_list("pk", flat=True))
    elif data["kind"] in CHOICE_KINDS:
        _plan_choice_answers(plan, answers, question.kind, data["kind"])
    elif data["kind"] in NUMERIC_KINDS:
        _plan_numeric_answers(plan, answers, question, data)
    return plan


def _plan_choice_answers(plan: _Plan, answers, old_kind: str, new_kind: str) -> None:
    now_single = new_kind == QuestionKind.SINGLE and old_kind != QuestionKind.SINGLE
    if not plan.removed and not now_single:
        return
    removed = set(plan.removed)
    for pk, value in answers.values_list("pk", "value"):
        chosen = value if isinstance(value, list) else []
        remaining = [option_id for option_id in chosen if option_id not in removed]
        if not remaining or (new_kind == QuestionKind.SINGLE and len(remaining) > 1):
            plan.delete.append(pk)
        elif len(remaining) < len(chosen):
            plan.trim[pk] = remaining


def _plan_numeric_answers(plan: _Plan, answers, question: Question, data: dict[str, Any]) -> None:
    old = (question.kind, question.min_value, question.max_value)
    if old == (data["kind"], data["min_value"], data["max_value"]):
        return
    low, high = data["min_value"], data["max_value"]
    for pk, value in answers.values_list("pk", "value"):
        fits = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
        if not fits or (data["kind"] == QuestionKind.SCALE and value != int(value)):
            plan.delete.append(pk)


def _apply(question: Question, plan: _Plan, options: list[str]) -> None:
    stamps.bump_programs([question.program_id])  # bulk writes, and answers' deletes, send no signal
    Option.objects.filter(pk__in=plan.removed).delete()
    new, moved = [], []
    for position, label in enumerate(options):
        option = plan.kept.get(label) or Option(question=question, label=label)
        option.order = position
        (moved if option.pk else new).append(option)
    Option.objects.bulk_create(new)
    Option.objects.bulk_update(moved, ["order"])
    Answer.objects.filter(pk__in=plan.delete).delete()
    trimmed = Answer.objects.filter(pk__in=plan.trim)
    Answer.objects.bulk_update([_with_value(a, plan.trim[a.pk]) for a in trimmed], ["value", "updated_at"])


def _with_value(answer: Answer, value: list[int]) -> Answer:
    answer.value = value
    answer.updated_at = timezone.now()
    return answer


def _questionnaire_changed(program: Program) -> None:
    """Scores change for everyone: rebuild the cached mentor index, recount demand after commit; whose
    questionnaire is complete may change too (a new required question, answers cleared)."""
    bump_matching_version(program)
    completion_refresh(program_id=program.pk)
    demand_refresh_after_commit(program=program)


# ------------------------------------------------------------------ the writes


@transaction.atomic
def question_create(*, program: Program, data: dict[str, Any], options: list[str]) -> Question:
    """Add a question at the end of the program's questionnaire, with its options in the order given.

    Raises ValidationError (by field) when the kind, rule, options or range do not fit together.
    """
    data, options = _validated(data, options)
    last = Question.objects.filter(program=program).aggregate(last=Max("order"))["last"]
    question = Question.objects.create(program=program, order=0 if last is None else last + 1, **data)
    _apply(question, _Plan(), options)
    _questionnaire_changed(program)
    return question


def question_update_impact(*, question: Question, data: dict[str, Any], options: list[str]) -> AnswerChanges:
    """What ``question_update`` with these values would do to the answers given so far; writes nothing."""
    current = Question.objects.get(pk=question.pk)
    data, options = _validated(data, options, current)
    return _plan(current, data, options).changes


@transaction.atomic
def question_update(*, question: Question, data: dict[str, Any], options: list[str]) -> AnswerChanges:
    """Save a question's settings and options, keeping every remaining answer valid.

    Options are matched by label: an unchanged label keeps its option (and the
    answers that chose it); new labels become options; missing ones are deleted
    and taken out of answers. Answers of another kind family (choice, number,
    text), left with no option, with several options on a now single choice,
    or out of the new range are deleted. Returns how many answers were cleared
    and trimmed. Raises ValidationError (by field) like ``question_create``.
    """
    current = Question.objects.select_for_update().get(pk=question.pk)
    data, options = _validated(data, options, current)
    plan = _plan(current, data, options)
    for name, value in data.items():
        setattr(current, name, value)
    current.save()
    _apply(current, plan, options)
    _questionnaire_changed(current.program)
    return plan.changes


@transaction.atomic
def question_mapping_set(*, question: Question, mapping: dict[int, list[int]]) -> None:
    """Say which mentor options meet each mentee option (the wish-and-offer rule).

    ``mapping`` maps an option id to the ids of the options that satisfy it;
    ids of other questions are ignored. An option met only by itself is stored
    with no rows, which means "itself".
    """
    options = {o.pk: o for o in Option.objects.filter(question=question)}
    for pk, option in options.items():
        targets = [t for t in dict.fromkeys(mapping.get(pk, [])) if t in options]
        option.satisfied_by.set([] if targets == [pk] else targets)
    _questionnaire_changed(question.program)


@transaction.atomic
def question_delete(*, question: Question) -> int:
    """Delete a question with its options and answers; returns how many answers went with it."""
    answers = Answer.objects.filter(question=question).count()
    program = question.program
    question.delete()
    _questionnaire_changed(program)
    return answers


@transaction.atomic
def question_move(*, question: Question, direction: Literal["up", "down"]) -> bool:
    """Swap a question with its neighbour above or below; False when it is already at that end.

    The program's questions are renumbered 0, 1, 2... so equal orders cannot stall a move.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', not {direction!r}")
    questions = list(
        Question.objects.filter(program_id=question.program_id).select_for_update().order_by("order", "pk")
    )
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(questions):
        return False
    questions[index], questions[other] = questions[other], questions[index]
    for position, each in enumerate(questions):
        each.order = position
    Question.objects.bulk_update(questions, ["order"])
    stamps.bump_programs([question.program_id])
    _questionnaire_changed(question.program)
    return True
