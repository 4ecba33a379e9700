"""Matchmaking: the one seam between a program's rows and the matching engine.

Matchmaking is the product's word for what happens here: proposing who fits whom. ``matching.engine``
scores and assigns arrays and knows nothing of Django; this module reads what it needs (the questionnaire
as engine specs, answers as engine values, every mentor's free places, the pairs never to propose), keeps
the encoded mentor side cached, calls the engine, and returns plain results: suggestions with score,
reasons and free places; an auto-pairing's proposal for each mentee; the demand on each mentor. A request
goes down once and comes back once: this module writes no rows and calls no service (services store
what it returns).

The mentor side of a program (every mentor's encoded answers) is read from the database once per
version and kept in this process and in the shared cache, so a mentee's recommendations encode only the
mentee's own answers: a page never reads every mentor's answer rows.
"""

import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import translation

from matching import engine, selectors
from matching.capacity import free_places
from matching.engine import unassigned
from matching.models import Answer, Audience, MentorDecline, Pairing, PairingStatus, Question, QuestionKind
from matching.reasons import reason_sentences, unassigned_code, unassigned_sentence
from matching.selectors import Questionnaire
from mentorship.kept import kept
from mentorship.stamps import program_stamp
from organizations.models import Membership, Program, Role

CACHE_SECONDS = 24 * 3600

# ------------------------------------------------------------------ the questionnaire as the engine sees it


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


_LOCAL_SPECS: OrderedDict[tuple[int, int], list[engine.QuestionSpec]] = OrderedDict()


def question_specs(program: Program, questionnaire: Questionnaire) -> list[engine.QuestionSpec]:
    """The questionnaire's questions as the engine scores them, in order.

    Kept in this process per (program, matching_version), like the questionnaire itself.
    Raises ValueError for a question whose rule does not fit its kind (possible through the admin).
    """
    key = (program.pk, program.matching_version)
    specs = _LOCAL_SPECS.get(key)
    if specs is None:
        specs = _LOCAL_SPECS[key] = [_spec(q) for q in questionnaire.questions]
        while len(_LOCAL_SPECS) > 32:
            _LOCAL_SPECS.popitem(last=False)
    return specs


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
        converted = questionnaire.answer_value(question, value)
        if converted is not None:
            rows[membership_id][question.key] = converted
    return [rows[pk] for pk in membership_ids]


def _answer_dict(questionnaire: Questionnaire, answers: dict[int, object]) -> dict:
    """One person's engine-ready answers from their raw answers by question pk (as ``answer_dicts`` makes)."""
    row = {}
    for question in questionnaire.questions:
        if question.pk in answers:
            converted = questionnaire.answer_value(question, answers[question.pk])
            if converted is not None:
                row[question.key] = converted
    return row


# ------------------------------------------------------------------ the mentor side


@dataclass(frozen=True)
class MentorPlaces:
    """The program's mentors (by pk, ascending) and each one's free places, in the same order."""

    ids: list[int]
    free: np.ndarray


def mentor_places(program: Program) -> MentorPlaces:
    """Every mentor of the program with their free places, in one query."""
    return _places(program, _mentor_rows(program))


@dataclass(frozen=True)
class _MentorRows:
    """What ``mentor_places`` reads: every mentor's pk (ascending), capacity setting and active pairings."""

    ids: list[int]
    capacities: list[int | None]
    active: list[int]


def _mentor_rows(program: Program) -> _MentorRows:
    rows = list(
        Membership.objects.filter(program=program, role=Role.MENTOR)
        .annotate(active=Count("mentor_pairings", filter=Q(mentor_pairings__status=PairingStatus.ACTIVE)))
        .order_by("pk")
        .values_list("pk", "capacity", "active")
    )
    return _MentorRows([pk for pk, _, _ in rows], [c for _, c, _ in rows], [a for _, _, a in rows])


def kept_mentor_places(program: Program) -> MentorPlaces:
    """``mentor_places`` for a page: the mentors' rows kept under the program's stamp (``mentorship.stamps``).

    A pairing made or ended, a capacity changed, a mentor who joins or leaves: each gives the program a new
    stamp, so the next view reads the rows again. The program's own rule (default and maximum) is applied to
    them on each view, with ``program`` as the request has it. Without a stamp (the shared cache is down),
    the rows are read. Not for services: a transaction's own uncommitted writes are not under any stamp.
    """
    stamp = program_stamp(program)
    if stamp is None:
        return mentor_places(program)
    rows = kept(stamp, f"matching:mentor-rows:{program.pk}", lambda: _mentor_rows(program))
    return _places(program, rows)


def _places(program: Program, rows: _MentorRows) -> MentorPlaces:
    # The rule once per distinct (capacity, active): a program's thousands of mentors have a few of them.
    rule: dict[tuple[int | None, int], int] = {}
    free = []
    for pair in zip(rows.capacities, rows.active, strict=True):
        if pair not in rule:
            rule[pair] = free_places(program, *pair)
        free.append(rule[pair])
    return MentorPlaces(ids=rows.ids, free=np.array(free, dtype=np.int64))


@dataclass(frozen=True)
class MentorPool:
    """Every mentor of a program, encoded for the engine, in a fixed order."""

    mentor_ids: tuple[int, ...]
    index: engine.MentorIndex


_LOCAL_POOLS: OrderedDict[str, MentorPool] = OrderedDict()


def _mentor_pool(
    program: Program, questionnaire: Questionnaire, specs: list[engine.QuestionSpec], mentor_ids: list[int]
) -> MentorPool:
    """The encoded mentor side, from this process, the shared cache, or (once) the database."""
    last = mentor_ids[-1] if mentor_ids else 0
    key = f"matching:mentor-pool:{program.pk}:{program.matching_version}:{len(mentor_ids)}:{last}"
    pool = _LOCAL_POOLS.get(key) or cache.get(key)
    if pool is None or list(pool.mentor_ids) != mentor_ids:
        answers = engine.encode_answers(specs, answer_dicts(questionnaire, mentor_ids))
        pool = MentorPool(tuple(mentor_ids), engine.prepare_mentors(specs, answers))
        cache.set(key, pool, timeout=CACHE_SECONDS)
    _LOCAL_POOLS[key] = pool
    while len(_LOCAL_POOLS) > 8:
        _LOCAL_POOLS.popitem(last=False)
    return pool


# ------------------------------------------------------------------ the mentee side


@dataclass(frozen=True)
class MenteePool:
    """Every mentee of a program, encoded for the engine; ``row`` maps a membership pk to its row."""

    row: dict[int, int]
    answers: engine.AnswerMatrix


_LOCAL_MENTEE_POOLS: OrderedDict[str, MenteePool] = OrderedDict()


def _mentee_stamp_key(program_id: int) -> str:
    return f"matching:mentee-answers:{program_id}"


def mentee_answers_changed(program_id: int) -> None:
    """A mentee's answers changed: the encoded mentee side is read again (call it after the commit).

    Mentors' answers and the questionnaire bump ``Program.matching_version`` instead, which keys both sides.
    """
    cache.delete(_mentee_stamp_key(program_id))


def mentee_answers_stamp(program: Program) -> str:
    """The current stamp of the program's mentee answers: a new one after each change (or a lost cache)."""
    key = _mentee_stamp_key(program.pk)
    stamp = cache.get(key)
    if stamp is None:
        cache.add(key, secrets.token_hex(8), timeout=CACHE_SECONDS)
        stamp = cache.get(key) or "uncached"
    return stamp


def mentee_answers(
    program: Program, questionnaire: Questionnaire, specs: list[engine.QuestionSpec], mentee_ids: list[int]
) -> engine.AnswerMatrix:
    """The encoded answers of ``mentee_ids`` (in that order), from the program's cached mentee side.

    The side (every mentee of the program) is read from the database once per matching version and mentee
    answers' stamp, and kept in this process and in the shared cache: a mentor's search over thousands of
    mentees reads no answer rows. A mentee it does not know yet (who just joined) makes it read again.
    """
    stamp = mentee_answers_stamp(program)
    if stamp == "uncached":  # no shared cache, so no stamp to tell a change: nothing is kept in this process either
        return engine.encode_answers(specs, answer_dicts(questionnaire, mentee_ids))
    key = f"matching:mentee-pool:{program.pk}:{program.matching_version}:{stamp}"
    pool = _LOCAL_MENTEE_POOLS.get(key) or cache.get(key)
    if pool is None or not pool.row.keys() >= set(mentee_ids):
        ids = sorted(
            set(Membership.objects.filter(program=program, role=Role.MENTEE).values_list("pk", flat=True))
            | set(mentee_ids)
        )
        encoded = engine.encode_answers(specs, answer_dicts(questionnaire, ids))
        pool = MenteePool({pk: i for i, pk in enumerate(ids)}, encoded)
        cache.set(key, pool, timeout=CACHE_SECONDS)
    _LOCAL_MENTEE_POOLS[key] = pool
    while len(_LOCAL_MENTEE_POOLS) > 8:
        _LOCAL_MENTEE_POOLS.popitem(last=False)
    return pool.answers.take([pool.row[pk] for pk in mentee_ids])


def clear_local_caches() -> None:
    """Forget what this process keeps, questionnaires included (tests: primary keys repeat across rollbacks)."""
    selectors.clear_local_questionnaires()
    _LOCAL_SPECS.clear()
    _LOCAL_POOLS.clear()
    _LOCAL_MENTEE_POOLS.clear()
    _LOCAL_SUGGESTIONS.clear()
    _LOCAL_WORDS.clear()


def _excluded_pairs(program: Program, mentee_ids: list[int], mentor: Membership | None = None) -> list[tuple[int, int]]:
    """(mentee pk, mentor pk) pairs never to propose: paired before (or now), or declined (with ``mentor``:
    that mentor's only). One query."""
    if mentor is not None:  # one mentor's few rows, rather than thousands of mentee ids in the query
        paired = Pairing.objects.filter(program=program, mentor=mentor)
        declined = MentorDecline.objects.filter(program=program, mentor=mentor)
    else:
        paired = Pairing.objects.filter(program=program, mentee_id__in=mentee_ids)
        declined = MentorDecline.objects.filter(program=program, mentee_id__in=mentee_ids)
    rows = paired.values_list("mentee_id", "mentor_id").union(declined.values_list("mentee_id", "mentor_id"), all=True)
    return list(rows)


def _exclusion_rows(
    pairs: list[tuple[int, int]], mentee_ids: list[int], mentor_ids: Sequence[int]
) -> list[tuple[int, int]]:
    """``pairs`` of pks as (mentee row, mentor row) of the engine's matrices; pairs outside them are dropped."""
    row = {pk: i for i, pk in enumerate(mentee_ids)}
    column = {pk: j for j, pk in enumerate(mentor_ids)}
    return [(row[a], column[b]) for a, b in pairs if a in row and b in column]


def _pair_exclusions(
    program: Program, mentee_ids: list[int], mentor_ids: Sequence[int], mentor: Membership | None = None
) -> list[tuple[int, int]]:
    """(mentee row, mentor row) pairs never to propose: paired before (or now), or declined (with ``mentor``:
    that mentor's only)."""
    return _exclusion_rows(_excluded_pairs(program, mentee_ids, mentor), mentee_ids, mentor_ids)


# ------------------------------------------------------------------ demand


@dataclass(frozen=True)
class MentorDemand:
    """How many unpaired mentees see each mentor among their top matches, each mentee counting 1/N."""

    mentor_ids: tuple[int, ...]
    weights: np.ndarray  # float32, aligned with mentor_ids


def _demand_key(program: Program) -> str:
    return f"matching:mentor-demand:{program.pk}:{program.matching_version}"


def tie_seed(program: Program) -> int:
    """The seed of the tie keys of a program's recommendations and suggestions.

    Stable (the program's id), so a page keeps its order between reloads; with the
    people's ids as keys, each mentee sees equally good mentors in their own order.
    """
    return program.pk


def mentor_demand(program: Program) -> MentorDemand | None:
    """The demand on each mentor now (none on a full one); None without a mentor or any demand.

    A mentee who has ranked mentors has said whom they want: their waiting request counts 1 on the mentor it
    waits for (F4.10), and they are left out of the estimate. Every other unpaired mentee with answers
    counts 1/N on each of the N mentors at the top of their recommendations (the program's
    ``recommendations_count``).
    """
    questionnaire = selectors.questionnaire_for(program)
    specs = question_specs(program, questionnaire)
    places = mentor_places(program)
    waiting = selectors.waiting_requests_per_mentor(program)
    selecting = selectors.mentees_with_open_selection(program)
    mentees = [
        pk
        for pk in selectors.unpaired_mentees(program)
        .filter(answers__isnull=False)
        .distinct()
        .values_list("pk", flat=True)
        if pk not in selecting
    ]
    if not places.ids or not (mentees or waiting):
        return None
    pool = _mentor_pool(program, questionnaire, specs, places.ids)
    counts = np.zeros(len(pool.mentor_ids), dtype=np.float32)
    if mentees:
        answers = engine.encode_answers(specs, answer_dicts(questionnaire, mentees))
        n = program.recommendations_count
        scorer = engine.Scorer(
            specs,
            answers,
            pool.index,
            mentor_mask=places.free > 0,
            seed=tie_seed(program),
            mentee_ids=mentees,
            mentor_ids=pool.mentor_ids,
        )
        indices, _scores = scorer.top(n)  # ties as the mentees' recommendations break them
        counts += np.bincount(indices[indices >= 0], minlength=len(pool.mentor_ids)).astype(np.float32) / n
    for j, mentor_id in enumerate(pool.mentor_ids):
        counts[j] += waiting.get(mentor_id, 0)
    return MentorDemand(pool.mentor_ids, counts)


def remember_demand(program: Program, demand: MentorDemand) -> None:
    """Keep ``demand`` for the recommendations of this version of the program."""
    cache.set(_demand_key(program), demand, timeout=CACHE_SECONDS)


def _remembered_demand(program: Program, pool: MentorPool) -> np.ndarray | None:
    demand = cache.get(_demand_key(program))
    return demand.weights if demand is not None and demand.mentor_ids == pool.mentor_ids else None


# ------------------------------------------------------------------ suggestions


@dataclass
class Suggestion:
    """A mentor to propose, with the true score (0-100), the reasons in words and their free places."""

    mentor: Membership
    score: int
    reasons: list[str]
    free_places: int


@dataclass
class MenteeSuggestions:
    """One mentee of the pairing page with the mentors proposed to them, best first."""

    mentee: Membership
    suggestions: list[Suggestion] = field(default_factory=list)
    why: str = ""  # without suggestions: why none, in words (``reasons.unassigned_sentence``)
    # What the suggestions (scores, free places, reasons, mentors' names) are made from, in one language: equal
    # fingerprints, equal suggestions. Empty when nothing is kept (the shared cache is down).
    fingerprint: str = ""


def _explain(
    questionnaire: Questionnaire,
    specs: list[engine.QuestionSpec],
    mentee_answers: dict | engine.AnswerMatrix,
    mentor_answers: dict | engine.AnswerMatrix,
    name: str,
) -> list[str]:
    return reason_sentences(questionnaire, engine.explain(mentee_answers, mentor_answers, specs), name)


def recommendations_for(
    mentee: Membership,
    program: Program,
    questionnaire: Questionnaire | None = None,
    answers: dict[int, object] | None = None,
) -> list[Suggestion]:
    """The mentee's top mentors (program.recommendations_count) with score and reasons.

    Leaves out mentors with no free place, already paired with the mentee, who declined them,
    whom a hard requirement excludes, or who have nothing in common with them (score 0).
    Demand is spread: the order (not the score shown) gives way for mentors whom many
    unpaired mentees currently see at the top, relative to their free places.

    For a page (the mentors' free places are kept under the program's stamp); ``answers``, the mentee's raw
    answers by question pk (``selectors.answers_of``) when the page has read them already.
    """
    questionnaire = questionnaire or selectors.questionnaire_for(program)
    specs = question_specs(program, questionnaire)
    places = kept_mentor_places(program)
    if not places.ids:
        return []
    pool = _mentor_pool(program, questionnaire, specs, places.ids)
    if answers is None:
        [mentee_answers] = answer_dicts(questionnaire, [mentee.pk])
    else:
        mentee_answers = _answer_dict(questionnaire, answers)
    result = engine.recommend(
        mentee_answers,
        pool.index,
        specs,
        n=program.recommendations_count,
        mentor_free_places=places.free,
        mentor_demand=_remembered_demand(program, pool),
        exclude_mentors=[j for _i, j in _pair_exclusions(program, [mentee.pk], pool.mentor_ids)],
        seed=tie_seed(program),
        mentee_id=mentee.pk,
        mentor_ids=pool.mentor_ids,
    )
    # A mentor with nothing in common (a score shown as 0) is not recommended.
    rows = [int(j) for j, score in zip(result.mentors, result.scores, strict=True) if round(float(score)) > 0]
    ids = [pool.mentor_ids[j] for j in rows]
    mentors = Membership.objects.select_related("user").in_bulk(ids)
    suggestions = []
    scores = [score for score in result.scores if round(float(score)) > 0]
    # The reasons from encoded rows: the mentee's, encoded once, and the mentors' from the cached pool (no read
    # of their answers).
    mentee_row = engine.encode_answers(specs, [mentee_answers])
    for row, pk, score in zip(rows, ids, scores, strict=True):
        mentor = mentors[pk]
        mentor_row = pool.index.answers.row(row)
        reasons = _explain(questionnaire, specs, mentee_row, mentor_row, mentor.user.get_short_name())
        suggestions.append(Suggestion(mentor, round(float(score)), reasons, int(places.free[row])))
    return suggestions


@dataclass(frozen=True)
class _Proposal:
    """One suggestion as the engine gives it: no names and no words, so it is the same in any language."""

    mentor_id: int
    score: int
    free_places: int
    reasons: tuple[engine.Reason, ...]


# Per mentee of a page: their proposals, best first, or (without any) why none as ``reasons.unassigned_code``.
_PageProposals = tuple[tuple[tuple[_Proposal, ...], str], ...]

_LOCAL_SUGGESTIONS: OrderedDict[str, _PageProposals] = OrderedDict()


def _suggestions_key(
    program: Program, mentee_ids: list[int], places: MentorPlaces, excluded: list[tuple[int, int]], per_mentee: int
) -> str | None:
    """The cache key of a page's suggestions: everything they are computed from, read fresh on each view.

    The matching version (questions and mentors' answers) and the mentee answers' stamp, with a digest of the
    page's mentees, every mentor's free places (pairings made or ended, capacities, the program's default and
    maximum) and the page's pairs never to propose (past pairings, declines). None without a stamp (the
    shared cache is down): then nothing is kept.
    """
    stamp = mentee_answers_stamp(program)
    if stamp == "uncached":
        return None
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{len(mentee_ids)},{len(places.ids)},{len(excluded)},{per_mentee},{tie_seed(program)};".encode())
    digest.update(np.asarray(mentee_ids, dtype=np.int64).tobytes())
    digest.update(np.asarray(places.ids, dtype=np.int64).tobytes())
    digest.update(np.asarray(places.free, dtype=np.int64).tobytes())
    digest.update(np.asarray(sorted(excluded), dtype=np.int64).tobytes())
    return f"matching:suggestions:{program.pk}:{program.matching_version}:{stamp}:{digest.hexdigest()}"


def _page_proposals(
    program: Program,
    questionnaire: Questionnaire,
    specs: list[engine.QuestionSpec],
    places: MentorPlaces,
    mentee_ids: list[int],
    excluded: list[tuple[int, int]],
    per_mentee: int,
) -> _PageProposals:
    """The engine's best mentors with room for each of ``mentee_ids``, with their reasons; or why none."""
    pool = _mentor_pool(program, questionnaire, specs, places.ids)
    matrix = engine.encode_answers(specs, answer_dicts(questionnaire, mentee_ids))
    exclusions = _exclusion_rows(excluded, mentee_ids, pool.mentor_ids)
    scorer = engine.Scorer(
        specs,
        matrix,
        pool.index,
        mentor_mask=places.free > 0,
        exclusions=exclusions,
        seed=tie_seed(program),
        mentee_ids=mentee_ids,
        mentor_ids=pool.mentor_ids,
    )
    top_indices, top_scores = scorer.top(per_mentee)
    shown = (top_indices >= 0) & np.isfinite(top_scores) & (np.rint(top_scores) > 0)
    ids = sorted({pool.mentor_ids[j] for j in top_indices[shown]})
    # Each side encoded once; explaining a pair then takes two encoded rows.
    mentor_matrix = engine.encode_answers(specs, answer_dicts(questionnaire, ids))
    mentor_row = {pk: k for k, pk in enumerate(ids)}
    proposals = []
    for i in range(len(mentee_ids)):
        mentee_row = matrix.row(i)
        mine = []
        for j, score in zip(top_indices[i][shown[i]], top_scores[i][shown[i]], strict=True):
            pk = pool.mentor_ids[j]
            reasons = engine.explain(mentee_row, mentor_matrix.row(mentor_row[pk]), specs)
            mine.append(_Proposal(pk, round(float(score)), int(places.free[j]), tuple(reasons)))
        proposals.append(tuple(mine))
    without = [i for i, mine in enumerate(proposals) if not mine]
    whys = dict(zip(without, _why(matrix, pool, specs, without, places.free, exclusions), strict=True))
    return tuple((mine, whys.get(i, "")) for i, mine in enumerate(proposals))


def suggestions_for_mentees(
    program: Program, mentees: list[Membership], per_mentee: int = 3
) -> list[MenteeSuggestions]:
    """The best mentors with room for each mentee of a page, with scores and reasons; or why none.

    A mentor with nothing in common (score 0) is no suggestion. A mentee without suggestions gets the
    first true reason (``engine.unassigned``), as the auto-pairing's preview gives it.

    The engine's part (scores, reasons, why none) is kept in this process and in the shared cache under
    everything it is computed from (``_suggestions_key``), so a page seen again computes nothing: it reads
    the page's excluded pairs (to know the key) and the suggested mentors, and the mentors' free places once
    a program stamp. The words (the reasons' sentences, the mentors' names) are made in the reader's language.
    """
    questionnaire = selectors.questionnaire_for(program)
    specs = question_specs(program, questionnaire)
    places = kept_mentor_places(program)
    if not mentees:
        return []
    if not places.ids:
        why = unassigned_sentence(questionnaire, unassigned.NO_MENTORS)
        return [MenteeSuggestions(m, why=why) for m in mentees]
    mentee_ids = [m.pk for m in mentees]
    excluded = _excluded_pairs(program, mentee_ids)
    key = _suggestions_key(program, mentee_ids, places, excluded, per_mentee)
    computed = (_LOCAL_SUGGESTIONS.get(key) or cache.get(key)) if key else None
    if computed is None:
        computed = _page_proposals(program, questionnaire, specs, places, mentee_ids, excluded, per_mentee)
        if key:
            cache.set(key, computed, timeout=CACHE_SECONDS)
    if key:
        _LOCAL_SUGGESTIONS[key] = computed
        _LOCAL_SUGGESTIONS.move_to_end(key)
        while len(_LOCAL_SUGGESTIONS) > 64:
            _LOCAL_SUGGESTIONS.popitem(last=False)
    mentors = Membership.objects.select_related("user").in_bulk(
        sorted({p.mentor_id for mine, _why_code in computed for p in mine})
    )
    words = _page_words(questionnaire, key, computed, mentors)
    result = []
    for mentee, (mine, _why_code), (why, sentences) in zip(mentees, computed, words, strict=True):
        item = MenteeSuggestions(mentee, why=why, fingerprint=_row_fingerprint(key, mentee, mine, mentors))
        for proposal, reasons in zip(mine, sentences, strict=True):
            mentor = mentors.get(proposal.mentor_id)
            if mentor is None:  # left the program since this was read: no longer a suggestion
                continue
            item.suggestions.append(Suggestion(mentor, proposal.score, list(reasons), proposal.free_places))
        result.append(item)
    return result


def _row_fingerprint(
    key: str | None, mentee: Membership, mine: tuple[_Proposal, ...], mentors: dict[int, Membership]
) -> str:
    """A digest of the page's key, the mentee and the names of their suggested mentors as they are now."""
    if not key:
        return ""
    people = [(p.mentor_id, *_names(mentors.get(p.mentor_id))) for p in mine]
    return hashlib.blake2b(repr((key, mentee.pk, people)).encode(), digest_size=16).hexdigest()


def _names(mentor: Membership | None) -> tuple[str, str]:
    return (mentor.user.full_name, mentor.user.get_short_name()) if mentor else ("", "")


_LOCAL_WORDS: OrderedDict[tuple, tuple] = OrderedDict()


def _page_words(
    questionnaire: Questionnaire, key: str | None, computed: _PageProposals, mentors: dict[int, Membership]
) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    """Per mentee of a page: why none (or ""), and the sentences of each proposal's reasons, in the current
    language with the mentors' names as they are now.

    Kept in this process only (a new release may change the words) under the page's key, the language and
    the names they contain.
    """
    names = tuple(
        (pk, mentor.user.get_short_name()) for pk, mentor in sorted(mentors.items(), key=lambda item: item[0])
    )
    local_key = (key, translation.get_language(), names) if key else None
    words = _LOCAL_WORDS.get(local_key) if local_key else None
    if words is None:
        named = dict(names)
        words = tuple(
            (
                unassigned_sentence(questionnaire, why_code) if why_code else "",
                tuple(tuple(reason_sentences(questionnaire, p.reasons, named.get(p.mentor_id, ""))) for p in mine),
            )
            for mine, why_code in computed
        )
    if local_key:
        _LOCAL_WORDS[local_key] = words
        _LOCAL_WORDS.move_to_end(local_key)
        while len(_LOCAL_WORDS) > 64:
            _LOCAL_WORDS.popitem(last=False)
    return words


def mentees_with_suggestions(program: Program, mentees: QuerySet[Membership]) -> list[int]:
    """The pks of ``mentees`` who have at least one suggestion (a mentor with room and something in common).

    For the pairing page's filter: one read of these mentees' answers and one engine pass over them.
    A mentee without answers has nothing in common with anyone, so only those with answers are read.
    """
    questionnaire = selectors.questionnaire_for(program)
    specs = question_specs(program, questionnaire)
    places = kept_mentor_places(program)
    ids = list(mentees.filter(Exists(Answer.objects.filter(membership=OuterRef("pk")))).values_list("pk", flat=True))
    if not places.ids or not ids:
        return []
    pool = _mentor_pool(program, questionnaire, specs, places.ids)
    matrix = mentee_answers(program, questionnaire, specs, ids)
    exclusions = _pair_exclusions(program, ids, pool.mentor_ids)
    scorer = engine.Scorer(specs, matrix, pool.index, mentor_mask=places.free > 0, exclusions=exclusions)
    _indices, scores = scorer.top(1)
    return [pk for pk, best in zip(ids, scores[:, 0], strict=True) if np.isfinite(best) and np.rint(best) > 0]


def _why(
    answers: engine.AnswerMatrix,
    pool: MentorPool,
    specs: list[engine.QuestionSpec],
    rows: list[int],
    room: np.ndarray,
    exclusions: list[tuple[int, int]],
) -> list[str]:
    """Why each of ``rows`` has no mentor, stored as ``reasons.unassigned_code`` (one engine call)."""
    if not rows:
        return []
    position = {row: k for k, row in enumerate(rows)}
    pairs = [(position[i], j) for i, j in exclusions if i in position]
    whys = unassigned.why_unassigned(answers.take(rows), pool.index, specs, mentor_room=room, exclusions=pairs)
    return [unassigned_code(why) for why in whys]


# ------------------------------------------------------------------ a mentor looking for mentees


def _mentor_ids(program: Program) -> list[int]:
    """The program's mentors' pks, ascending (the mentor pool's order and key), without counting pairings."""
    return list(
        Membership.objects.filter(program=program, role=Role.MENTOR).order_by("pk").values_list("pk", flat=True)
    )


def mentee_scores(program: Program, mentor: Membership, mentee_ids: list[int]) -> dict[int, int]:
    """How well each of ``mentee_ids`` fits ``mentor`` (0-100, shown score), for the mentor's mentee search.

    Both sides come from their caches (the mentor pool and the mentee side, kept per matching version): no
    answer rows are read, and one engine pass scores these mentees against this one mentor. A pair a hard
    requirement breaks, or that the mentor declined, is left out. Free places play no part (the mentor is the
    one looking), so they are not counted.
    """
    if not mentee_ids:
        return {}
    questionnaire = selectors.questionnaire_for(program)
    specs = question_specs(program, questionnaire)
    mentor_ids = _mentor_ids(program)
    if mentor.pk not in mentor_ids:
        return {}
    pool = _mentor_pool(program, questionnaire, specs, mentor_ids)
    column = pool.mentor_ids.index(mentor.pk)
    matrix = mentee_answers(program, questionnaire, specs, mentee_ids)
    exclusions = [(i, j) for i, j in _pair_exclusions(program, mentee_ids, pool.mentor_ids, mentor) if j == column]
    scorer = engine.Scorer(specs, matrix, pool.index, exclusions=exclusions).for_mentors(np.array([column]))
    scores = scorer.scores()[:, 0]
    kept = np.isfinite(scores)  # whole arrays: thousands of mentees, no per-row numpy scalars
    shown = np.rint(scores[kept]).astype(np.int64)
    return dict(zip(np.asarray(mentee_ids, dtype=np.int64)[kept].tolist(), shown.tolist(), strict=True))


def mentee_reasons(program: Program, mentor: Membership, mentee_ids: list[int]) -> dict[int, list[str]]:
    """The reasons in words of each mentee's score with ``mentor`` (a page's rows).

    The mentees' encoded answers come from the cached mentee side; the mentor's own answers are read and
    encoded once (one query), not once per row. The sentences are kept in the shared cache per page: keyed by
    the matching version (the questionnaire and mentors' answers), the mentee answers' stamp, the language and
    the mentor's name, so any change to what they say reads them anew.
    """
    if not mentee_ids:
        return {}
    name = mentor.user.get_short_name()
    stamp = mentee_answers_stamp(program)
    page = hashlib.sha256(f"{name}\n{','.join(map(str, mentee_ids))}".encode()).hexdigest()[:32]
    language = translation.get_language()
    key = f"matching:mentee-reasons:{program.pk}:{program.matching_version}:{stamp}:{mentor.pk}:{language}:{page}"
    reasons = cache.get(key) if stamp != "uncached" else None
    if reasons is not None:
        return reasons
    questionnaire = selectors.questionnaire_for(program)
    specs = question_specs(program, questionnaire)
    mentor_row = engine.encode_answers(specs, answer_dicts(questionnaire, [mentor.pk]))
    matrix = mentee_answers(program, questionnaire, specs, mentee_ids)
    reasons = {pk: _explain(questionnaire, specs, matrix.row(i), mentor_row, name) for i, pk in enumerate(mentee_ids)}
    if stamp != "uncached":
        cache.set(key, reasons, timeout=CACHE_SECONDS)
    return reasons


# ------------------------------------------------------------------ auto-pairing


@dataclass(frozen=True)
class ProposedMentor:
    """One unpaired mentee's line of an auto-pairing: their mentor and score, or why none."""

    mentee_id: int
    mentor_id: int | None = None
    score: float | None = None
    unassigned_reason: str = ""


@dataclass(frozen=True)
class AutoPairing:
    """The best pairing of every unpaired mentee (oldest first) within the mentors' free places."""

    proposals: list[ProposedMentor]
    greedy_total: float | None  # what first-come greedy pairing totals; None when nothing was computed
    compute_seconds: float  # the engine's assignment alone
    proof: dict  # what the run proved: optimal, proof_rounds, pairs_added, tie_seed


def _proof_summary(assignment, seed: int) -> dict:
    """What the run proved; the preview says "best possible" only when ``optimal``.

    Without mentees or mentors the empty pairing is trivially the best.
    """
    if assignment is None or assignment.proof is None:
        return {"optimal": True, "tie_seed": seed}
    proof = assignment.proof
    return {"optimal": proof.optimal, "proof_rounds": proof.rounds, "pairs_added": proof.pairs_added, "tie_seed": seed}


def auto_pair(
    program: Program, *, progress: Callable[[int], None] = lambda percent: None, seed: int = 0
) -> AutoPairing:
    """Every unpaired mentee's proposed mentor and score, or why none, maximising the total score.

    Exact min-cost flow within the mentors' free places, coverage first; never a pair that was paired
    before or declined. ``progress`` hears 40 once the program is read and 80 once the engine is done.
    """
    questionnaire = selectors.questionnaire_for(program)
    specs = question_specs(program, questionnaire)
    places = mentor_places(program)
    mentees = list(selectors.unpaired_mentees(program).values_list("pk", flat=True))
    pool = _mentor_pool(program, questionnaire, specs, places.ids) if places.ids else None
    mentee_answers = engine.encode_answers(specs, answer_dicts(questionnaire, mentees))
    exclusions = _pair_exclusions(program, mentees, pool.mentor_ids) if pool else []
    progress(40)
    started = time.perf_counter()
    if pool is None or not mentees:
        assignment = None
    else:
        assignment = engine.auto_pair(mentee_answers, pool.index, specs, places.free, exclusions=exclusions, seed=seed)
    compute_seconds = time.perf_counter() - started
    progress(80)
    if assignment is None:
        nobody = [ProposedMentor(pk, unassigned_reason=unassigned.NO_MENTORS) for pk in mentees]
        return AutoPairing(nobody, greedy_total=None, compute_seconds=compute_seconds, proof=_proof_summary(None, seed))
    # Room after this pairing's own pairs: an unassigned mentee's compatible mentors are then full.
    taken = assignment.mentor[assignment.mentor >= 0]
    room = places.free - np.bincount(taken, minlength=len(places.ids))
    left = [i for i in range(len(mentees)) if assignment.mentor[i] < 0]
    why = dict(zip(left, _why(mentee_answers, pool, specs, left, room, exclusions), strict=True))
    proposals = []
    for i, mentee_id in enumerate(mentees):
        j = int(assignment.mentor[i])
        if j >= 0:
            proposals.append(ProposedMentor(mentee_id, pool.mentor_ids[j], float(assignment.score[i])))
        else:
            proposals.append(ProposedMentor(mentee_id, unassigned_reason=why[i]))
    greedy = _greedy_total(mentee_answers, pool, specs, places, exclusions)
    proof = _proof_summary(assignment, seed)
    return AutoPairing(proposals, greedy_total=greedy, compute_seconds=compute_seconds, proof=proof)


def _greedy_total(
    mentee_answers: engine.AnswerMatrix,
    pool: MentorPool,
    specs: list[engine.QuestionSpec],
    places: MentorPlaces,
    exclusions: list[tuple[int, int]],
) -> float:
    """The total a first-come greedy pairing gets from the same candidates, for comparison."""
    indices, scores = engine.top_candidates(
        mentee_answers, pool.index, specs, 20, mentor_mask=places.free > 0, exclusions=exclusions
    )
    greedy = engine.assign_greedy(indices, scores, places.free)
    return float(np.nansum(greedy.score))
