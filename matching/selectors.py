"""Reads for matching: the questionnaire as the engine sees it, answers, scores and reasons.

The mentor side of a program (every mentor's encoded answers) is read from the
database once per version and kept in the cache, so a mentee's
recommendations encode only the mentee's own answers: a page never reads every
mentor's answer rows.
"""

from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from matching import engine
from matching.models import (
    Answer,
    Audience,
    AutoPairRun,
    MentorDecline,
    Pairing,
    PairingStatus,
    Question,
    QuestionKind,
)
from organizations.models import Membership, Program, Role

# ------------------------------------------------------------------ the questionnaire


@dataclass(frozen=True)
class Questionnaire:
    """A program's questions with their engine specs and option positions."""

    questions: list[Question]
    specs: list[engine.QuestionSpec]
    option_position: dict[int, dict[int, int]]  # question pk -> option pk -> index

    def question(self, key: str) -> Question:
        return next(q for q in self.questions if q.key == key)


def _mapping_matrix(question: Question) -> np.ndarray:
    options = list(question.options.all())
    position = {o.pk: i for i, o in enumerate(options)}
    matrix = np.zeros((len(options), len(options)), dtype=bool)
    for i, option in enumerate(options):
        targets = [position[t.pk] for t in option.satisfied_by.all() if t.pk in position] or [i]
        matrix[i, targets] = True
    return matrix


def _spec(question: Question) -> engine.QuestionSpec:
    # A rule only counts on questions both sides answer; otherwise it could never match.
    rule = question.rule or None
    if question.audience != Audience.BOTH or question.kind == QuestionKind.TEXT:
        rule = None
    n_options = len(question.options.all()) if question.is_choice else 0
    kind = question.kind
    if question.is_choice and n_options < 1:  # a choice question being written: nothing to score yet
        kind, rule = QuestionKind.TEXT, None
    return engine.QuestionSpec(
        key=question.key,
        kind=kind,
        rule=rule,
        weight=float(question.weight),
        n_options=n_options,
        value_range=question.value_range if rule == "closeness" else 0.0,
        mapping=_mapping_matrix(question) if rule == "mapping" else None,
    )


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
        questionnaire = Questionnaire(questions, [_spec(q) for q in questions], positions)
        _LOCAL_QUESTIONNAIRES[key] = questionnaire
        while len(_LOCAL_QUESTIONNAIRES) > 32:
            _LOCAL_QUESTIONNAIRES.popitem(last=False)
    return questionnaire


def clear_local_caches() -> None:
    """Forget what this process keeps (tests: primary keys repeat across rolled-back tests)."""
    _LOCAL_QUESTIONNAIRES.clear()
    _LOCAL_POOLS.clear()


def questions_for_role(questionnaire: Questionnaire, role: str) -> list[Question]:
    return [q for q in questionnaire.questions if q.asks(role)]


# ------------------------------------------------------------------------- answers


def _engine_value(questionnaire: Questionnaire, question: Question, value):
    """An Answer.value as the engine takes it; None when it is no longer valid."""
    if question.is_choice:
        positions = questionnaire.option_position[question.pk]
        indices = [positions[pk] for pk in (value or []) if pk in positions]
        if not indices:
            return None
        return indices[0] if question.kind == QuestionKind.SINGLE else indices
    if question.kind in (QuestionKind.SCALE, QuestionKind.NUMBER):
        return float(value) if isinstance(value, int | float) else None
    return None


def answer_dicts(questionnaire: Questionnaire, membership_ids: list[int]) -> list[dict]:
    """One dict of engine-ready answers per membership, in the order given (one query)."""
    by_question = {q.pk: q for q in questionnaire.questions}
    rows: dict[int, dict] = {pk: {} for pk in membership_ids}
    answers = Answer.objects.filter(membership_id__in=membership_ids, question_id__in=by_question).values_list(
        "membership_id", "question_id", "value"
    )
    # A server-side cursor pays off only for the whole mentor side, not for a page's few people.
    rows_iter = answers.iterator(chunk_size=5000) if len(membership_ids) > 1000 else answers
    for membership_id, question_id, value in rows_iter:
        question = by_question[question_id]
        converted = _engine_value(questionnaire, question, value)
        if converted is not None:
            rows[membership_id][question.key] = converted
    return [rows[pk] for pk in membership_ids]


def answers_of(membership: Membership) -> dict[int, object]:
    """A person's raw answers by question pk, for their questionnaire form."""
    return dict(Answer.objects.filter(membership=membership).values_list("question_id", "value"))


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
    return _engine_value(questionnaire, question, value) is not None


# ------------------------------------------------------------------ the mentor side


@dataclass(frozen=True)
class MentorPool:
    """Every mentor of a program, encoded for the engine, in a fixed order."""

    mentor_ids: tuple[int, ...]
    index: engine.MentorIndex


@dataclass
class MentorPlaces:
    """The program's mentors with capacity and current mentees, aligned to a pool."""

    ids: list[int]
    capacity: np.ndarray
    active: np.ndarray

    @property
    def free(self) -> np.ndarray:
        return np.maximum(self.capacity - self.active, 0)


def mentor_places(program: Program) -> MentorPlaces:
    """Capacity and active pairings of every mentor, in one query."""
    rows = list(
        Membership.objects.filter(program=program, role=Role.MENTOR)
        .annotate(active=Count("mentor_pairings", filter=Q(mentor_pairings__status=PairingStatus.ACTIVE)))
        .order_by("pk")
        .values_list("pk", "capacity", "active")
    )
    default, maximum = program.default_capacity, program.max_capacity
    return MentorPlaces(
        ids=[pk for pk, _, _ in rows],
        capacity=np.array([min(cap or default, maximum) for _, cap, _ in rows], dtype=np.int64),
        active=np.array([active for _, _, active in rows], dtype=np.int64),
    )


_LOCAL_POOLS: OrderedDict[str, MentorPool] = OrderedDict()


def mentor_pool(program: Program, questionnaire: Questionnaire, mentor_ids: list[int]) -> MentorPool:
    """The encoded mentor side, from this process, the shared cache, or (once) the database."""
    key = (
        f"matching:pool:{program.pk}:{program.matching_version}:{len(mentor_ids)}:{mentor_ids[-1] if mentor_ids else 0}"
    )
    pool = _LOCAL_POOLS.get(key) or cache.get(key)
    if pool is None or list(pool.mentor_ids) != mentor_ids:
        answers = engine.encode_answers(questionnaire.specs, answer_dicts(questionnaire, mentor_ids))
        pool = MentorPool(tuple(mentor_ids), engine.prepare_mentors(questionnaire.specs, answers))
        cache.set(key, pool, timeout=24 * 3600)
    _LOCAL_POOLS[key] = pool
    while len(_LOCAL_POOLS) > 8:
        _LOCAL_POOLS.popitem(last=False)
    return pool


def tie_seed(program: Program) -> int:
    """The seed of the tie keys of a program's recommendations and suggestions.

    Stable (the program's id), so a page keeps its order between reloads; with the
    people's ids as keys, each mentee sees equally good mentors in their own order.
    """
    return program.pk


def demand_key(program: Program) -> str:
    return f"matching:demand:{program.pk}:{program.matching_version}"


# ------------------------------------------------------------ reasons in words


def _labels(question: Question, indices) -> list[str]:
    options = list(question.options.all())
    return [options[i].label for i in indices if i < len(options)]


def reason_sentence(question: Question, reason: engine.Reason, mentor_name: str) -> str | None:
    """One reason in the product's words, or None when it says nothing useful."""
    label = question.label()
    if reason.rule == "require":
        shared = ", ".join(_labels(question, reason.matched))
        return _("%(label)s: both %(shared)s") % {"label": label, "shared": shared} if shared else None
    if not reason.answered_both or not reason.similarity:
        return None
    if reason.rule == "mapping":
        wishes = _labels(question, sorted({wish for wish, _offer in reason.matched}))
        return _("Wants %(wishes)s; %(name)s can help with it") % {"wishes": ", ".join(wishes), "name": mentor_name}
    if reason.rule == "closeness":
        a, b = reason.values
        if a == b:
            return _("%(label)s: both %(value)g") % {"label": label, "value": a}
        return _("%(label)s: close (%(a)g and %(b)g)") % {"label": label, "a": a, "b": b}
    shared = ", ".join(_labels(question, reason.matched))
    return _("%(label)s: both %(shared)s") % {"label": label, "shared": shared}


def explain_pair(
    questionnaire: Questionnaire, mentee_answers: dict, mentor_answers: dict, mentor_name: str
) -> list[str]:
    """The sentences that explain a pair's score, biggest contribution first."""
    reasons = engine.explain(mentee_answers, mentor_answers, questionnaire.specs)
    ordered = sorted(reasons, key=lambda r: (r.rule != "require", -r.contribution))
    sentences = [reason_sentence(questionnaire.question(r.key), r, mentor_name) for r in ordered]
    return [s for s in sentences if s]


# --------------------------------------------------------------- recommendations


@dataclass
class Suggestion:
    mentor: Membership
    score: int
    reasons: list[str]
    free_places: int


@dataclass
class MenteeSuggestions:
    mentee: Membership
    suggestions: list[Suggestion] = field(default_factory=list)


def excluded_mentor_ids(program: Program, mentee: Membership) -> set[int]:
    """Mentors never suggested to ``mentee``: paired with them (now or before) or who declined them."""
    paired = Pairing.objects.filter(program=program, mentee=mentee).values_list("mentor_id", flat=True)
    declined = MentorDecline.objects.filter(program=program, mentee=mentee).values_list("mentor_id", flat=True)
    return set(paired) | set(declined)


def recommendations_for(
    mentee: Membership, program: Program, questionnaire: Questionnaire | None = None
) -> list[Suggestion]:
    """The mentee's top mentors (program.recommendations_count) with score and reasons.

    Leaves out mentors with no free place, already paired with the mentee, who
    declined them, or whom a hard requirement excludes. Demand is spread: the
    order (not the score shown) gives way for mentors whom many unpaired
    mentees currently see at the top, relative to their free places.
    """
    questionnaire = questionnaire or questionnaire_for(program)
    places = mentor_places(program)
    if not places.ids:
        return []
    pool = mentor_pool(program, questionnaire, places.ids)
    position = {pk: i for i, pk in enumerate(pool.mentor_ids)}
    [mentee_answers] = answer_dicts(questionnaire, [mentee.pk])
    demand = cache.get(demand_key(program))
    exclude = [position[pk] for pk in excluded_mentor_ids(program, mentee) if pk in position]
    result = engine.recommend(
        mentee_answers,
        pool.index,
        questionnaire.specs,
        n=program.recommendations_count,
        mentor_free_places=places.free,
        mentor_demand=demand if demand is not None and len(demand) == len(places.ids) else None,
        exclude_mentors=exclude,
        seed=tie_seed(program),
        mentee_id=mentee.pk,
        mentor_ids=pool.mentor_ids,
    )
    return _suggestions(questionnaire, pool, places, mentee_answers, result.mentors, result.scores)


def _suggestions(questionnaire, pool, places, mentee_answers, rows, scores) -> list[Suggestion]:
    ids = [pool.mentor_ids[i] for i in rows]
    mentors = Membership.objects.select_related("user").in_bulk(ids)
    mentor_answers = answer_dicts(questionnaire, ids)
    suggestions = []
    for row, pk, score, answers in zip(rows, ids, scores, mentor_answers, strict=True):
        mentor = mentors[pk]
        reasons = explain_pair(questionnaire, mentee_answers, answers, mentor.user.get_short_name())
        suggestions.append(Suggestion(mentor, round(float(score)), reasons, int(places.free[row])))
    return suggestions


def unpaired_mentees(program: Program) -> QuerySet[Membership]:
    """The program's mentees without an active pairing, oldest first."""
    return (
        Membership.objects.filter(program=program, role=Role.MENTEE)
        .exclude(mentee_pairings__status=PairingStatus.ACTIVE)
        .select_related("user")
        .order_by("created_at", "pk")
    )


def suggestions_for_mentees(
    program: Program, mentees: list[Membership], per_mentee: int = 3
) -> list[MenteeSuggestions]:
    """The best mentors with room for each mentee of a page, with scores and reasons."""
    questionnaire = questionnaire_for(program)
    places = mentor_places(program)
    if not places.ids or not mentees:
        return [MenteeSuggestions(m) for m in mentees]
    pool = mentor_pool(program, questionnaire, places.ids)
    answers = answer_dicts(questionnaire, [m.pk for m in mentees])
    matrix = engine.encode_answers(questionnaire.specs, answers)
    exclusions = pair_exclusions(program, [m.pk for m in mentees], pool.mentor_ids)
    scorer = engine.Scorer(
        questionnaire.specs,
        matrix,
        pool.index,
        mentor_mask=places.free > 0,
        exclusions=exclusions,
        seed=tie_seed(program),
        mentee_ids=[m.pk for m in mentees],
        mentor_ids=pool.mentor_ids,
    )
    top_indices, top_scores = scorer.top(per_mentee)
    ids = sorted({pool.mentor_ids[j] for j in top_indices.ravel() if j >= 0})
    mentors = Membership.objects.select_related("user").in_bulk(ids)
    mentor_answers = dict(zip(ids, answer_dicts(questionnaire, ids), strict=True))
    result = []
    for i, mentee in enumerate(mentees):
        item = MenteeSuggestions(mentee)
        for j, score in zip(top_indices[i], top_scores[i], strict=True):
            if j < 0 or not np.isfinite(score):
                continue
            mentor = mentors[pool.mentor_ids[j]]
            reasons = explain_pair(questionnaire, answers[i], mentor_answers[mentor.pk], mentor.user.get_short_name())
            item.suggestions.append(Suggestion(mentor, round(float(score)), reasons, int(places.free[j])))
        result.append(item)
    return result


def pair_exclusions(program: Program, mentee_ids: list[int], mentor_ids) -> list[tuple[int, int]]:
    """(mentee row, mentor row) pairs never to propose: paired before (or now), or declined."""
    row = {pk: i for i, pk in enumerate(mentee_ids)}
    column = {pk: j for j, pk in enumerate(mentor_ids)}
    paired = Pairing.objects.filter(program=program, mentee_id__in=mentee_ids)
    declined = MentorDecline.objects.filter(program=program, mentee_id__in=mentee_ids)
    pairs = [*paired.values_list("mentee_id", "mentor_id"), *declined.values_list("mentee_id", "mentor_id")]
    return [(row[a], column[b]) for a, b in pairs if a in row and b in column]


def pairings_for(program: Program) -> QuerySet[Pairing]:
    return Pairing.objects.filter(program=program).select_related("mentor__user", "mentee__user", "ended_by")


def latest_run(program: Program) -> AutoPairRun | None:
    return AutoPairRun.objects.filter(program=program).order_by("-created_at").first()


# ---------------------------------------------------------------- home page steps


@dataclass
class NextStep:
    """What a person should do next in one program, for their home page."""

    label: str
    url_name: str
    detail: str = ""


def next_steps(memberships: list[Membership]) -> dict[int, NextStep]:
    """The next step of each mentor or mentee membership, in three queries whatever their number.

    Called for one person's own memberships across organizations (the home
    page), so it reads by membership rather than through one tenant.
    """
    people = [m for m in memberships if m.role in (Role.MENTOR, Role.MENTEE) and m.program_id]
    if not people:
        return {}
    with scopes_disabled():
        required = list(
            Question.objects.filter(program_id__in={m.program_id for m in people}, required=True).values_list(
                "program_id", "pk", "audience"
            )
        )
        answered = set(Answer.objects.filter(membership__in=people).values_list("membership_id", "question_id"))
        active = list(
            Pairing.objects.filter(
                Q(mentor__in=people) | Q(mentee__in=people), status=PairingStatus.ACTIVE
            ).select_related("mentor__user", "mentee__user")
        )
    steps = {}
    for membership in people:
        missing = [
            pk
            for program_id, pk, audience in required
            if program_id == membership.program_id
            and audience in (Audience.BOTH, membership.role)
            and (membership.pk, pk) not in answered
        ]
        steps[membership.pk] = _step(membership, missing, active)
    return steps


def _step(membership: Membership, missing: list[int], active: list[Pairing]) -> NextStep:
    if missing:
        return NextStep(_("Complete your questionnaire"), "matching:questionnaire")
    if membership.role == Role.MENTEE:
        pairing = next((p for p in active if p.mentee_id == membership.pk), None)
        if pairing:
            return NextStep(
                _("Your mentor: %(name)s") % {"name": pairing.mentor.user},
                "portal:program",
                _("Schedule a session together."),
            )
        return NextStep(_("See your recommended mentors"), "matching:recommendations")
    mentees = [p.mentee.user.full_name for p in active if p.mentor_id == membership.pk]
    if mentees:
        return NextStep(_("Your mentees: %(names)s") % {"names": ", ".join(mentees)}, "portal:program")
    return NextStep(_("Wait for a mentee to choose you"), "portal:program")
