"""Reads for matching's pages: the questionnaire and its answers, progress, pairings, runs, next steps.

What the matching engine needs (specs, encoded answers, free places, the cached mentor side) is read by
``matching.matchmaking``, which builds on these reads; nothing here knows the engine.
"""

import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from matching.models import (
    Answer,
    Audience,
    AutoPairProposal,
    AutoPairRun,
    MentorRequest,
    MentorSelection,
    Pairing,
    PairingStatus,
    Question,
    QuestionKind,
    RequestState,
    SelectionState,
)
from mentorship.prepared import Prepared
from organizations.models import Membership, Program, Role

# ------------------------------------------------------------------ the questionnaire


@dataclass(frozen=True)
class Questionnaire:
    """A program's questions in order, with their options' positions."""

    questions: list[Question]
    option_position: dict[int, dict[int, int]]  # question pk -> option pk -> index

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {q.key: q for q in self.questions})
        object.__setattr__(self, "_options", {q.pk: list(q.options.all()) for q in self.questions})

    def question(self, key: str) -> Question:
        return self._by_key[key]

    def options(self, question: Question) -> list:
        """The question's options in order (prefetched once, not a queryset per call)."""
        return self._options[question.pk]

    def answer_value(self, question: Question, value: object) -> int | list[int] | float | None:
        """A stored answer as the positions of its options (one for a single choice) or a number.

        None when the answer no longer fits the question (its options were removed, it is not a
        number) and for free text: such an answer counts neither as given nor in matching.
        """
        if question.is_choice:
            positions = self.option_position[question.pk]
            indices = [positions[pk] for pk in (value or []) if pk in positions]
            if not indices:
                return None
            return indices[0] if question.kind == QuestionKind.SINGLE else indices
        if question.is_numeric:
            return float(value) if isinstance(value, int | float) else None
        return None


_LOCAL_QUESTIONNAIRES: OrderedDict[tuple[int, int], Questionnaire] = OrderedDict()


def questionnaire_for(program: Program) -> Questionnaire:
    """The program's questions in order, with options (and their mappings) prefetched.

    Kept in this process per (program, matching_version): every change to a
    question, an option or a mapping bumps the version. Read-only to callers.
    """
    key = (program.pk, program.matching_version)
    questionnaire = _LOCAL_QUESTIONNAIRES.get(key)
    if questionnaire is None:
        questions = list(
            Question.objects.filter(program=program).prefetch_related("options__satisfied_by").order_by("order", "pk")
        )
        positions = {q.pk: {o.pk: i for i, o in enumerate(q.options.all())} for q in questions}
        questionnaire = Questionnaire(questions, positions)
        _LOCAL_QUESTIONNAIRES[key] = questionnaire
        while len(_LOCAL_QUESTIONNAIRES) > 32:
            _LOCAL_QUESTIONNAIRES.popitem(last=False)
    return questionnaire


def clear_local_questionnaires() -> None:
    """Forget the questionnaires this process keeps (tests: primary keys repeat across rolled-back tests)."""
    _LOCAL_QUESTIONNAIRES.clear()


def questions_for_role(questionnaire: Questionnaire, role: str) -> list[Question]:
    return [q for q in questionnaire.questions if q.asks(role)]


# ------------------------------------------------------------------------- answers


def _answers_of(membership_id: int) -> QuerySet[Answer]:
    with scopes_disabled():
        return Answer.objects.filter(membership_id=membership_id).only("question_id", "value").order_by()


# Compiled once a process (the overview, the questionnaire and the selection read it on every view).
_ANSWERS_OF = Prepared(_answers_of, membership_id=int)


def answers_of(membership: Membership) -> dict[int, object]:
    """A person's raw answers by question pk, for their questionnaire form.

    Read by the membership's pk alone: callers pass a membership they read through the tenant (the visitor's
    own, or one of the program's), so its answers are the tenant's without the scope's join to the program."""
    return {answer.question_id: answer.value for answer in _ANSWERS_OF.fetch(membership_id=membership.pk)}


@dataclass(frozen=True)
class Progress:
    answered: int
    required: int
    missing: list[Question]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def percent(self) -> int:
        return 100 if not self.required else round(100 * (self.required - len(self.missing)) / self.required)


def progress_of(questionnaire: Questionnaire, membership: Membership, answers: dict[int, object]) -> Progress:
    """How much of the questionnaire a person has validly answered; what is still missing."""
    asked = [q for q in questions_for_role(questionnaire, membership.role) if q.required]
    missing = [q for q in asked if not _is_valid(questionnaire, q, answers.get(q.pk))]
    return Progress(answered=len(asked) - len(missing), required=len(asked), missing=missing)


def _is_valid(questionnaire: Questionnaire, question: Question, value) -> bool:
    if value in (None, "", []):
        return False
    if question.kind == QuestionKind.TEXT:
        return bool(str(value).strip())
    return questionnaire.answer_value(question, value) is not None


# ---------------------------------------------------------------- pairings and runs


def _visitor_active_pairings(program_id: int, user_id: int) -> QuerySet[Pairing]:
    with scopes_disabled():
        mine = Membership._base_manager.filter(program_id=program_id, user_id=user_id).order_by().values("pk")
        return (
            Pairing.objects.filter(program_id=program_id, status=PairingStatus.ACTIVE)
            .filter(_is_one_of("mentor_id", mine) | _is_one_of("mentee_id", mine))
            .select_related("mentor__user", "mentee__user")
        )


# Compiled once a process: every page of a program's participant reads it.
_VISITOR_ACTIVE_PAIRINGS = Prepared(_visitor_active_pairings, program_id=int, user_id=int)


def visitor_active_pairings(request) -> list[Pairing]:
    """The visitor's active pairings in the request's program, as mentor or mentee, with both people: read once
    a request (by their memberships in the program, on the foreign keys' indexes), so the program page's panels
    share it."""
    if not hasattr(request, "_visitor_active_pairings"):
        request._visitor_active_pairings = _VISITOR_ACTIVE_PAIRINGS.fetch(
            program_id=request.program.pk, user_id=request.user.pk
        )
    return request._visitor_active_pairings


def unpaired_mentees(program: Program) -> QuerySet[Membership]:
    """The program's mentees without an active pairing, oldest first."""
    return (
        Membership.objects.filter(program=program, role=Role.MENTEE)
        .exclude(mentee_pairings__status=PairingStatus.ACTIVE)
        .select_related("user")
        .order_by("created_at", "pk")
    )


_ORDERS = {"waiting": ("created_at", "pk"), "newest": ("-created_at", "-pk"), "name": ("sort_name", "pk")}


def unpaired_mentees_for_page(
    program: Program, *, search: str = "", no_answers: bool = False, order: str = "waiting"
) -> QuerySet[Membership]:
    """The unpaired mentees the pairing page lists: found by name or email, without answers, in an order."""
    mentees = unpaired_mentees(program)
    if search:
        mentees = mentees.filter(Q(user__full_name__icontains=search) | Q(user__email__icontains=search))
    if no_answers:
        mentees = mentees.exclude(Exists(Answer.objects.filter(membership=OuterRef("pk"))))
    return mentees.order_by(*_ORDERS.get(order, _ORDERS["waiting"]))


def pairings_for(program: Program) -> QuerySet[Pairing]:
    return Pairing.objects.filter(program=program).select_related("mentor__user", "mentee__user", "ended_by")


def active_pairings_newest_first(program: Program) -> QuerySet[Pairing]:
    """The program's active pairings, newest first, with both people: the pairing page's list.

    Ordered as the index on (program, status, created_at, id) reads, so a page of it reads its 25 rows.
    """
    return (
        Pairing.objects.filter(program=program, status=PairingStatus.ACTIVE)
        .select_related("mentor__user", "mentee__user")
        .order_by("-created_at", "-pk")
    )


def latest_run(program: Program) -> AutoPairRun | None:
    return AutoPairRun.objects.filter(program=program).order_by("-created_at").first()


# ---------------------------------------------------------------- home page steps


@dataclass
class NextStep:
    """What a person should do next in one program, for their home page."""

    label: str
    url_name: str
    detail: str = ""
    # The membership's active pairings: the portal adds how to schedule a session with each (sessions).
    pairings: tuple[Pairing, ...] = ()


class _IsAny(Func):
    """``field = ANY(array)``, a condition."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        field, array = (compiler.compile(expression) for expression in self.get_source_expressions())
        return f"{field[0]} = ANY({array[0]})", (*field[1], *array[1])


def _is_one_of(field: str, memberships: QuerySet) -> Q:
    """``field`` (a membership foreign key) is one of ``memberships`` (their pks): on PostgreSQL as
    ``= ANY(ARRAY(...))``, which reads the foreign key's index (``IN (subquery)`` on either side of an OR scans
    the table); elsewhere (SQLite on a laptop) as ``IN (subquery)``."""
    if connection.vendor == "postgresql":
        return Q(_IsAny(F(field), ArraySubquery(memberships)))
    return Q(**{f"{field}__in": memberships})


def _of_person(field: str, user_id: int) -> Q:
    """``field`` is one of the person's memberships, in any program."""
    return _is_one_of(field, Membership._base_manager.filter(user_id=user_id).order_by().values("pk"))


def _steps_of(user_id: int) -> QuerySet[Membership]:
    """The person's mentor and mentee memberships, each with whether a required question it is asked has no
    answer (``_missing_answers``) and the state of its latest ranked selection (``_selection_state``)."""
    with scopes_disabled():
        unanswered = Question.objects.filter(program_id=OuterRef("program_id"), required=True).filter(
            Q(audience=Audience.BOTH) | Q(audience=OuterRef("role"))
        )
        unanswered = unanswered.exclude(
            Exists(Answer.objects.filter(membership_id=OuterRef(OuterRef("pk")), question_id=OuterRef("pk")))
        )
        # A mentee has a few selections at most; the latest wins.
        latest = MentorSelection.objects.filter(mentee_id=OuterRef("pk")).order_by("-created_at", "-pk")
        return (
            Membership.objects.filter(user_id=user_id, role__in=[Role.MENTOR, Role.MENTEE], program__isnull=False)
            .only("pk")
            .order_by()
            .annotate(_missing_answers=Exists(unanswered), _selection_state=Subquery(latest.values("state")[:1]))
        )


def _active_pairings_of(user_id: int) -> QuerySet[Pairing]:
    with scopes_disabled():
        return Pairing.objects.filter(
            _of_person("mentor_id", user_id) | _of_person("mentee_id", user_id), status=PairingStatus.ACTIVE
        ).select_related("mentor__user", "mentee__user")


# Compiled once a process: the home page runs them on every view, and building them cost more than running them.
_STEPS_OF = Prepared(_steps_of, user_id=int)
_ACTIVE_PAIRINGS_OF = Prepared(_active_pairings_of, user_id=int)


def next_steps(user, memberships: list[Membership]) -> dict[int, NextStep]:
    """The next step of each of ``memberships`` (``user``'s own, across organizations: the home page) that is a
    mentor's or a mentee's in a program, in two queries whatever their number.

    Read by the person rather than through one tenant: whether each membership misses a required answer and
    its latest selection's state, then the person's active pairings.
    """
    people = [m for m in memberships if m.role in (Role.MENTOR, Role.MENTEE) and m.program_id]
    if not people:
        return {}
    flags = {m.pk: (m._missing_answers, m._selection_state) for m in _STEPS_OF.fetch(user_id=user.pk)}
    active = _ACTIVE_PAIRINGS_OF.fetch(user_id=user.pk)
    steps = {}
    for membership in people:
        missing, selection_state = flags.get(membership.pk, (False, None))
        steps[membership.pk] = _step(membership, missing, active, selection_state)
    return steps


def _latest_selection(mentee_id: int) -> QuerySet[MentorSelection]:
    with scopes_disabled():
        return MentorSelection.objects.filter(mentee_id=mentee_id).only("state").order_by("-created_at", "-pk")[:1]


_LATEST_SELECTION = Prepared(_latest_selection, mentee_id=int)


def latest_selection_state(mentee: Membership) -> str | None:
    """The state of the mentee's latest ranked selection (None: never selected), by the membership's pk (one
    read through the tenant), in a query compiled once a process."""
    found = _LATEST_SELECTION.fetch(mentee_id=mentee.pk)
    return found[0].state if found else None


def latest_selection_states(mentees: list[Membership]) -> dict[int, str]:
    """The state of each mentee's latest ranked selection (one query; none: never selected)."""
    if not mentees:
        return {}
    # A mentee has a few selections at most; the latest of each wins (no DISTINCT ON: SQLite too).
    rows = MentorSelection.objects.filter(mentee__in=mentees).order_by("created_at", "pk")
    return dict(rows.values_list("mentee_id", "state"))


def mentee_selection_step(program: Program, selection_state: str | None) -> NextStep | None:
    """An unpaired mentee's step in ranked selection (seed 000), or None when it offers none."""
    if not program.ranked_matching_enabled:
        return None
    if selection_state == SelectionState.OPEN:
        return NextStep(_("Your mentor requests: see where they stand"), "matching:my_selection")
    if selection_state == SelectionState.EXHAUSTED:
        return NextStep(
            _("Your choices are used up: select your mentors again"),
            "matching:select_mentors",
            _("None of the mentors you chose could take you. Fresh recommendations are waiting: choose again."),
        )
    if program.mentor_selection_opened_at is not None:
        return NextStep(_("Select your mentors"), "matching:select_mentors")
    return None


def _step(membership: Membership, missing: bool, active: list[Pairing], selection_state: str | None) -> NextStep:
    if missing:
        return NextStep(_("Complete your questionnaire"), "matching:questionnaire")
    if membership.role == Role.MENTEE:
        pairing = next((p for p in active if p.mentee_id == membership.pk), None)
        if pairing:
            return NextStep(
                _("Your mentor: %(name)s") % {"name": pairing.mentor.user}, "portal:program", "", (pairing,)
            )
        return mentee_selection_step(membership.program, selection_state) or NextStep(
            _("See your recommended mentors"), "matching:recommendations"
        )
    mine = tuple(p for p in active if p.mentor_id == membership.pk)
    if mine:
        names = ", ".join(p.mentee.user.full_name for p in mine)
        return NextStep(_("Your mentees: %(names)s") % {"names": names}, "portal:program", "", mine)
    return NextStep(_("Wait for a mentee to choose you"), "portal:program")


def waiting_requests_per_mentor(program: Program) -> dict[int, int]:
    """How many ranked requests wait for each mentor's answer (one query; mentors with none are missing)."""
    rows = MentorRequest.objects.filter(program=program, state=RequestState.WAITING).values_list("mentor_id")
    return dict(rows.annotate(n=Count("pk")).order_by())


def mentees_with_open_selection(program: Program) -> set[int]:
    """The mentees whose ranked choices are still being asked (one query)."""
    rows = MentorSelection.objects.filter(program=program, state=SelectionState.OPEN).values_list(
        "mentee_id", flat=True
    )
    return set(rows)


def mentees_selecting(run: AutoPairRun) -> int:
    """How many of the mentees ``run`` proposes to pair are waiting on ranked mentor requests (one query):
    approving cancels those requests, and nobody is emailed about it."""
    proposed = AutoPairProposal.objects.filter(run=run, mentor__isnull=False).values("mentee_id")
    return MentorSelection.objects.filter(
        program_id=run.program_id, state=SelectionState.OPEN, mentee_id__in=proposed
    ).count()


# ------------------------------------------------------------------ mentors' response records (F4.9)


@dataclass(frozen=True)
class ResponseRecord:
    """How a mentor has answered ranked requests: accepted, declined, let lapse, and the median time to answer
    (over the ones they answered, accepted or declined)."""

    accepted: int = 0
    declined: int = 0
    expired: int = 0
    median: timedelta | None = None

    # Mentees see "usually answers within N days" only once the mentor has answered this many.
    SHOWN_FROM = 3

    @property
    def answered(self) -> int:
        return self.accepted + self.declined

    @property
    def usual_days(self) -> int | None:
        """N of "usually answers within N days" (the median, rounded up, at least 1); None before three answers."""
        if self.answered < self.SHOWN_FROM or self.median is None:
            return None
        return max(1, math.ceil(self.median / timedelta(days=1)))


class Median(Aggregate):
    """PostgreSQL's median of an interval (``percentile_cont(0.5) WITHIN GROUP (ORDER BY ...)``)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def response_records(mentor_ids: list[int]) -> dict[int, ResponseRecord]:
    """Each mentor's response record, in one aggregate query whatever their number (a mentor with no request
    is missing: ``ResponseRecord()`` is theirs)."""
    if not mentor_ids:
        return {}
    answered = Q(state__in=[RequestState.ACCEPTED, RequestState.DECLINED], sent_at__isnull=False) & Q(
        answered_at__isnull=False
    )
    wait = ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField())
    counts = {
        "accepted": Count("pk", filter=Q(state=RequestState.ACCEPTED)),
        "declined": Count("pk", filter=Q(state=RequestState.DECLINED)),
        "expired": Count("pk", filter=Q(state=RequestState.EXPIRED)),
    }
    with scopes_disabled():
        rows = MentorRequest.objects.filter(
            mentor_id__in=mentor_ids,
            state__in=[RequestState.ACCEPTED, RequestState.DECLINED, RequestState.EXPIRED],
        ).values("mentor_id")
        if connection.vendor == "postgresql":
            rows = rows.annotate(**counts, median=Median(wait, filter=answered)).order_by()
            return {row.pop("mentor_id"): ResponseRecord(**row) for row in rows}
        # Elsewhere (SQLite on a laptop) the median is taken here, from one more query.
        waits: dict[int, list[timedelta]] = {}
        for mentor_id, sent_at, answered_at in MentorRequest.objects.filter(
            answered, mentor_id__in=mentor_ids
        ).values_list("mentor_id", "sent_at", "answered_at"):
            waits.setdefault(mentor_id, []).append(answered_at - sent_at)
        records = {}
        for row in rows.annotate(**counts).order_by():
            mentor_id = row.pop("mentor_id")
            records[mentor_id] = ResponseRecord(**row, median=_median(waits.get(mentor_id, [])))
        return records


def _median(values: list[timedelta]) -> timedelta | None:
    values = sorted(values)
    return (values[(len(values) - 1) // 2] + values[len(values) // 2]) / 2 if values else None
