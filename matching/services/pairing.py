"""Pairings by hand and by the global auto-pairing, and their end."""

import time

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching import emails, matchmaking
from matching.capacity import free_places
from matching.models import (
    AutoPairProposal,
    AutoPairRun,
    Pairing,
    PairingSource,
    PairingStatus,
    RunStatus,
)
from matching.queue import COMPUTE_AUTOPAIR, CONFIRM_AUTOPAIR, enqueue
from matching.services.requests import requests_cancel_for_mentees
from mentorship.stamps import bump_programs
from organizations.models import Membership, Program, Role


class PairingError(Exception):
    """Why a pairing cannot be made or changed, in words for the person who tried."""


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
    active = Pairing.objects.filter(mentor=mentor, status=PairingStatus.ACTIVE).count()
    if not free_places(program, mentor.capacity, active):
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
    transaction.on_commit(lambda: enqueue(COMPUTE_AUTOPAIR, run.pk))
    return run


def _progress(run: AutoPairRun, percent: int, status: str | None = None) -> None:
    fields = {"progress": percent}
    if status:
        fields["status"] = status
    AutoPairRun.objects.filter(pk=run.pk).update(**fields)
    bump_programs([run.program_id])  # an UPDATE sends no signal: the pairing page shows the run's status


def autopair_compute(*, run: AutoPairRun) -> AutoPairRun:
    """Compute the preview of ``run``: every unpaired mentee's proposed mentor, score, or why none.

    Maximises the total score over all unpaired mentees within the mentors' free
    places (exact min-cost flow, coverage first). Writes the proposals and a
    summary with the greedy baseline's total for comparison. Safe to rerun.
    Whoever runs it (the worker's task, the autopair command), a run never stays
    "computing": when the computation raises, the run is marked failed with the
    error and the time, and the error is raised again.
    """
    try:
        return _compute_preview(run)
    except Exception as error:
        AutoPairRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        bump_programs([run.program_id])
        raise


def _compute_preview(run: AutoPairRun) -> AutoPairRun:
    started = time.perf_counter()
    _progress(run, 5, RunStatus.RUNNING)
    # Ties are broken by the run's id as seed, recorded in the summary so that the run can be reproduced.
    result = matchmaking.auto_pair(run.program, progress=lambda percent: _progress(run, percent), seed=run.pk)
    summary = _write_proposals(run, result)
    summary |= {"compute_s": round(result.compute_seconds, 3), "total_s": round(time.perf_counter() - started, 3)}
    summary |= result.proof
    if result.greedy_total is not None:
        summary["greedy_total"] = round(result.greedy_total, 1)
    AutoPairRun.objects.filter(pk=run.pk).update(
        status=RunStatus.PREVIEW, progress=100, summary=summary, finished_at=timezone.now()
    )
    bump_programs([run.program_id])
    run.refresh_from_db()
    return run


def _write_proposals(run: AutoPairRun, result: matchmaking.AutoPairing) -> dict:
    AutoPairProposal.objects.filter(run=run).delete()
    proposals = [
        AutoPairProposal(
            run=run, mentee_id=p.mentee_id, mentor_id=p.mentor_id, score=p.score, unassigned_reason=p.unassigned_reason
        )
        for p in result.proposals
    ]
    AutoPairProposal.objects.bulk_create(proposals, batch_size=2000)
    paired = [p.score for p in proposals if p.mentor_id]
    return {
        "mentees": len(proposals),
        "paired": len(paired),
        "unassigned": len(proposals) - len(paired),
        "total": round(sum(paired), 1),
        "average": round(sum(paired) / len(paired), 1) if paired else 0,
    }


@transaction.atomic
def autopair_approve(*, run: AutoPairRun, by: User | None, notify: bool = False) -> dict:
    """Save a previewed run's pairs; nobody is asked to decide (seed 000).

    With ``notify``, each saved pair is told by email after commit that it is paired (a
    confirmation, as after pairing by hand), with the other's address.

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
        if mentor is None or proposal.mentee_id in taken:
            continue
        if not free_places(program, mentor.capacity, active.get(proposal.mentor_id, 0)):
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
    bump_programs([program.pk])  # a bulk insert sends no signal
    # Their ranked requests are cancelled, silently: the auto-pairing's own email says what happened.
    cancelled = requests_cancel_for_mentees(program=run.program, mentee_ids=[p.mentee_id for p in pairings], by=by)
    if notify and pairings:
        # Twice as many emails as pairs: rendered by the worker, not in the admin's request.
        transaction.on_commit(lambda: enqueue(CONFIRM_AUTOPAIR, run.pk))
    run.status, run.decided_at = RunStatus.APPROVED, timezone.now()
    run.summary = {
        **run.summary,
        "saved": len(pairings),
        "skipped": len(proposals) - len(pairings),
        "requests_cancelled": cancelled,
    }
    run.save(update_fields=["status", "decided_at", "summary"])
    return run.summary


@transaction.atomic
def autopair_confirm(*, run: AutoPairRun) -> int:
    """Email both people of each pair that ``run`` saved and that is still active: they are paired.

    The confirmation of ``pairing_created``, never a request to decide. Sent once per run: a rerun
    (a redelivered task) sends nothing. Returns how many pairs were told.
    """
    run = AutoPairRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.APPROVED or run.summary.get("confirmed") is not None:
        return 0
    proposed = AutoPairProposal.objects.filter(run=run, mentee=OuterRef("mentee"), mentor=OuterRef("mentor"))
    saved = (
        Pairing.objects.filter(program=run.program_id, status=PairingStatus.ACTIVE, source=PairingSource.AUTO)
        .filter(Exists(proposed))
        .select_related("program__organization", "mentor__user", "mentee__user")
    )
    told = 0
    for pairing in saved.iterator(chunk_size=1000):
        emails.pairing_created(pairing)
        told += 1
    run.summary = {**run.summary, "confirmed": told}
    run.save(update_fields=["summary"])
    return told


@transaction.atomic
def autopair_discard(*, run: AutoPairRun) -> AutoPairRun:
    run = AutoPairRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.PREVIEW:
        raise PairingError(_("Only a preview can be discarded."))
    run.status, run.decided_at = RunStatus.DISCARDED, timezone.now()
    run.save(update_fields=["status", "decided_at"])
    return run
