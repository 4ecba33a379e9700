"""Pairings by hand and by the global auto-pairing, and their end."""

import time

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching import emails, engine, selectors
from matching.models import (
    AutoPairProposal,
    AutoPairRun,
    Pairing,
    PairingSource,
    PairingStatus,
    RunStatus,
)
from organizations.models import Membership, Program, Role


class PairingError(Exception):
    """Why a pairing cannot be made or changed, in words for the person who tried."""


def _free_places(program: Program, mentor: Membership) -> int:
    capacity = min(mentor.capacity or program.default_capacity, program.max_capacity)
    active = Pairing.objects.filter(mentor=mentor, status=PairingStatus.ACTIVE).count()
    return capacity - active


@transaction.atomic
def pairing_create(
    *,
    program: Program,
    mentor: Membership,
    mentee: Membership,
    by: User | None,
    source: str = PairingSource.MANUAL,
    score: float | None = None,
    notify: bool = True,
) -> Pairing:
    """Pair ``mentee`` with ``mentor``: the mentor must have room and the mentee no mentor yet.

    The mentor's row is locked, so two pairings at once never exceed the capacity;
    the mentee's one active pairing is a database constraint. With ``notify``,
    both are emailed after commit and asked to schedule a session.
    """
    if (
        mentor.role != Role.MENTOR
        or mentee.role != Role.MENTEE
        or {mentor.program_id, mentee.program_id} != {program.pk}
    ):
        raise PairingError(_("Pair a mentor and a mentee of this program."))
    mentor = Membership.objects.select_for_update().get(pk=mentor.pk)
    if _free_places(program, mentor) <= 0:
        raise PairingError(_("%(name)s has no free place.") % {"name": mentor.user})
    try:
        with transaction.atomic():
            pairing = Pairing.objects.create(
                program=program, mentor=mentor, mentee=mentee, source=source, score=score, created_by=by
            )
    except IntegrityError as error:
        raise PairingError(_("%(name)s already has a mentor.") % {"name": mentee.user}) from error
    if notify:
        emails.pairing_created(pairing)
    return pairing


@transaction.atomic
def pairing_end(*, pairing: Pairing, by: User, reason: str) -> Pairing:
    """End an active pairing with a reason; the other person is told."""
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.status != PairingStatus.ACTIVE:
        raise PairingError(_("This pairing has already ended."))
    if not reason.strip():
        raise PairingError(_("Say why the pairing ends."))
    pairing.status, pairing.ended_at, pairing.ended_by = PairingStatus.ENDED, timezone.now(), by
    pairing.end_reason = reason.strip()
    pairing.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    emails.pairing_ended(pairing)
    return pairing


# -------------------------------------------------------------------- auto-pairing


@transaction.atomic
def autopair_start(*, program: Program, by: User) -> AutoPairRun:
    """Queue an "Auto-pair all" computation; an unfinished one is returned instead of a second."""
    running = AutoPairRun.objects.filter(program=program, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()
    if running:
        return running
    run = AutoPairRun.objects.create(program=program, created_by=by)
    from matching.tasks import compute_autopair  # tasks import services; queue by reference here

    transaction.on_commit(lambda: compute_autopair.delay(run.pk))
    return run


def _progress(run: AutoPairRun, percent: int, status: str | None = None) -> None:
    fields = {"progress": percent}
    if status:
        fields["status"] = status
    AutoPairRun.objects.filter(pk=run.pk).update(**fields)


def autopair_compute(*, run: AutoPairRun) -> AutoPairRun:
    """Compute the preview of ``run``: every unpaired mentee's proposed mentor, score, or why none.

    Pairs as many unpaired mentees as possible within the mentors' free places and,
    among those pairings, maximises the total score, proven on each run over every
    allowed pair (the summary's ``optimal``, ``proof_rounds``, ``pairs_added``; ties
    broken by the run's ``tie_seed``). Writes the proposals and a summary with the
    greedy baseline's total for comparison. Safe to rerun: the same seed gives the
    same result.
    """
    program = run.program
    started = time.perf_counter()
    _progress(run, 5, RunStatus.RUNNING)
    questionnaire = selectors.questionnaire_for(program)
    places = selectors.mentor_places(program)
    mentees = list(selectors.unpaired_mentees(program).values_list("pk", flat=True))
    pool = selectors.mentor_pool(program, questionnaire, places.ids) if places.ids else None
    mentee_answers = engine.encode_answers(questionnaire.specs, selectors.answer_dicts(questionnaire, mentees))
    exclusions = selectors.pair_exclusions(program, mentees, pool.mentor_ids) if pool else []
    _progress(run, 40)
    compute_started = time.perf_counter()
    if pool is None or not mentees:
        assignment = None
    else:
        assignment = engine.auto_pair(
            mentee_answers, pool.index, questionnaire.specs, places.free, exclusions=exclusions, seed=run.pk
        )
    compute_seconds = time.perf_counter() - compute_started
    _progress(run, 80)
    summary = _write_proposals(run, mentees, pool, assignment)
    summary |= {"compute_s": round(compute_seconds, 3), "total_s": round(time.perf_counter() - started, 3)}
    summary |= _proof_summary(assignment, run.pk)
    if assignment is not None:
        greedy = _greedy_total(mentee_answers, pool, questionnaire, places, exclusions)
        summary["greedy_total"] = round(greedy, 1)
    AutoPairRun.objects.filter(pk=run.pk).update(
        status=RunStatus.PREVIEW, progress=100, summary=summary, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _write_proposals(run: AutoPairRun, mentees: list[int], pool, assignment) -> dict:
    AutoPairProposal.objects.filter(run=run).delete()
    proposals = []
    for i, mentee_id in enumerate(mentees):
        j = -1 if assignment is None else int(assignment.mentor[i])
        if j >= 0:
            score = float(assignment.score[i])
            proposals.append(AutoPairProposal(run=run, mentee_id=mentee_id, mentor_id=pool.mentor_ids[j], score=score))
        else:
            reason = engine.NO_MENTOR_WITH_ROOM if assignment is None else assignment.unassigned_reason.get(i, "")
            proposals.append(AutoPairProposal(run=run, mentee_id=mentee_id, unassigned_reason=reason))
    AutoPairProposal.objects.bulk_create(proposals, batch_size=2000)
    paired = [p.score for p in proposals if p.mentor_id]
    return {
        "mentees": len(mentees),
        "paired": len(paired),
        "unassigned": len(mentees) - len(paired),
        "total": round(sum(paired), 1),
        "average": round(sum(paired) / len(paired), 1) if paired else 0,
    }


def _proof_summary(assignment: engine.Assignment | None, seed: int) -> dict:
    """What the run proved, for its summary; the preview says "best possible" only when ``optimal``.

    Ties are broken by the run's id as seed (recorded, so the run can be reproduced);
    without mentees or mentors the empty pairing is trivially the best.
    """
    if assignment is None or assignment.proof is None:
        return {"optimal": True, "tie_seed": seed}
    proof = assignment.proof
    return {"optimal": proof.optimal, "proof_rounds": proof.rounds, "pairs_added": proof.pairs_added, "tie_seed": seed}


def _greedy_total(mentee_answers, pool, questionnaire, places, exclusions) -> float:
    """The total a first-come greedy pairing gets from the same candidates, for comparison."""
    indices, scores = engine.top_candidates(
        mentee_answers, pool.index, questionnaire.specs, 20, mentor_mask=places.free > 0, exclusions=exclusions
    )
    greedy = engine.assign_greedy(indices, scores, places.free)
    return float(np.nansum(greedy.score))


@transaction.atomic
def autopair_approve(*, run: AutoPairRun, by: User | None) -> dict:
    """Save a previewed run's pairs (without emails for anyone to decide, seed 000).

    Set-based, so ten thousand pairs take about a second: the run's mentors are
    locked in one query, their current mentees counted in one, and the pairs
    written in one bulk insert. A proposal that no longer holds (the mentee was
    paired meanwhile, or the mentor filled up) is skipped and counted.
    """
    run = AutoPairRun.objects.select_for_update().select_related("program").get(pk=run.pk)
    if run.status != RunStatus.PREVIEW:
        raise PairingError(_("Only a preview can be approved."))
    program = run.program
    proposals = list(run.proposals.filter(mentor__isnull=False).order_by("-score", "pk"))
    mentors = {
        m.pk: m
        for m in Membership.objects.select_for_update().filter(
            pk__in={p.mentor_id for p in proposals}, role=Role.MENTOR
        )
    }
    active = dict(
        Pairing.objects.filter(mentor__in=mentors, status=PairingStatus.ACTIVE)
        .values_list("mentor_id")
        .annotate(n=Count("pk"))
    )
    taken = set(
        Pairing.objects.filter(mentee__in=[p.mentee_id for p in proposals], status=PairingStatus.ACTIVE).values_list(
            "mentee_id", flat=True
        )
    )
    pairings = []
    for proposal in proposals:
        mentor = mentors.get(proposal.mentor_id)
        capacity = min(mentor.capacity or program.default_capacity, program.max_capacity) if mentor else 0
        if proposal.mentee_id in taken or active.get(proposal.mentor_id, 0) >= capacity:
            continue
        taken.add(proposal.mentee_id)
        active[proposal.mentor_id] = active.get(proposal.mentor_id, 0) + 1
        pairings.append(
            Pairing(
                program=program,
                mentor_id=proposal.mentor_id,
                mentee_id=proposal.mentee_id,
                source=PairingSource.AUTO,
                score=proposal.score,
                created_by=by,
            )
        )
    Pairing.objects.bulk_create(pairings, batch_size=2000)
    run.status, run.decided_at = RunStatus.APPROVED, timezone.now()
    run.summary = {**run.summary, "saved": len(pairings), "skipped": len(proposals) - len(pairings)}
    run.save(update_fields=["status", "decided_at", "summary"])
    return run.summary


@transaction.atomic
def autopair_discard(*, run: AutoPairRun) -> AutoPairRun:
    run = AutoPairRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.PREVIEW:
        raise PairingError(_("Only a preview can be discarded."))
    run.status, run.decided_at = RunStatus.DISCARDED, timezone.now()
    run.save(update_fields=["status", "decided_at"])
    return run


def mentor_demand(program: Program) -> np.ndarray | None:
    """How many unpaired mentees currently see each mentor among their top matches, weighted 1/N.

    Aligned with ``selectors.mentor_places(program).ids``; read by recommendations
    to spread demand. Computed in the background after answers change.
    """
    questionnaire = selectors.questionnaire_for(program)
    places = selectors.mentor_places(program)
    mentees = list(
        selectors.unpaired_mentees(program).filter(answers__isnull=False).distinct().values_list("pk", flat=True)
    )
    if not places.ids or not mentees:
        return None
    pool = selectors.mentor_pool(program, questionnaire, places.ids)
    answers = engine.encode_answers(questionnaire.specs, selectors.answer_dicts(questionnaire, mentees))
    n = program.recommendations_count
    scorer = engine.Scorer(
        questionnaire.specs,
        answers,
        pool.index,
        mentor_mask=places.free > 0,
        seed=selectors.tie_seed(program),
        mentee_ids=mentees,
        mentor_ids=pool.mentor_ids,
    )
    indices, _scores = scorer.top(n)  # ties as the mentees' recommendations break them
    counts = np.bincount(indices[indices >= 0], minlength=len(places.ids)).astype(np.float32)
    return counts / n
