"""The mentee's side of ranked requests (F4, seed 000): opening mentor selection, who may select, reordering.

"Open mentor selection" stores when it was opened on the program and emails "Select your mentors" to every
mentee with a completed questionnaire and no pairing, once per mentee per opening (the outbox key names the
opening, so a second click or a retried task sends nothing twice). The emails are rendered by a task queued
after commit (``matching.tasks.send_select_mentors_emails``): a program may have thousands of mentees.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import (
    Audience,
    MentorRequest,
    MentorSelection,
    Pairing,
    PairingStatus,
    Question,
    RequestState,
    SelectionState,
)
from matching.queue import SEND_SELECT_MENTORS_EMAILS, enqueue
from matching.services.requests import Moves, RequestError
from mentorship.stamps import bump_programs
from organizations.models import Membership, Program, Role

# -------------------------------------------------------------------- opening and closing


@transaction.atomic
def selection_open(*, program: Program, by: User) -> bool:
    """Open mentor selection (True), or find it already open (False); either way the emails are (re)queued.

    Queueing again is harmless (one email per mentee per opening) and reaches whoever became eligible since.
    """
    now = timezone.now()
    opened = Program.objects.filter(pk=program.pk, mentor_selection_opened_at__isnull=True).update(
        mentor_selection_opened_at=now
    )
    program.refresh_from_db(fields=["mentor_selection_opened_at"])
    bump_programs([program.pk])  # an update sends no signal
    transaction.on_commit(lambda: enqueue(SEND_SELECT_MENTORS_EMAILS, program.pk))
    return bool(opened)


def selection_close(*, program: Program, by: User) -> bool:
    """Close mentor selection: no new selections start; choices already sent go on. False if it was closed."""
    closed = Program.objects.filter(pk=program.pk, mentor_selection_opened_at__isnull=False).update(
        mentor_selection_opened_at=None
    )
    program.mentor_selection_opened_at = None
    bump_programs([program.pk])
    return bool(closed)


def selection_is_open(program: Program) -> bool:
    return program.ranked_matching_enabled and program.mentor_selection_opened_at is not None


def mentees_to_invite(program: Program):
    """Mentees with every required question answered, no active pairing and no choices being asked."""
    required = list(
        Question.objects.filter(
            program=program, required=True, audience__in=[Audience.BOTH, Audience.MENTEE]
        ).values_list("pk", flat=True)
    )
    mentees = (
        Membership.objects.filter(program=program, role=Role.MENTEE)
        .exclude(mentee_pairings__status=PairingStatus.ACTIVE)
        .exclude(mentor_selections__state=SelectionState.OPEN)
    )
    if required:
        mentees = mentees.annotate(done=Count("answers", filter=Q(answers__question_id__in=required))).filter(
            done=len(required)
        )
    return mentees.select_related("user").order_by("pk")


def invite_to_select(program: Program, mentee: Membership, *, occasion: str) -> bool:
    """Queue one "Select your mentors" email to ``mentee`` for ``occasion`` (an opening, a re-match)."""
    from matching import emails

    return emails.select_your_mentors(program, mentee, occasion=occasion)


def opening_occasion(program: Program) -> str:
    return f"opened{program.mentor_selection_opened_at.timestamp():.0f}"


def invite_after_questionnaire(*, membership: Membership) -> bool:
    """A mentee who completes the questionnaire while selection is open is emailed then (once per opening)."""
    program = membership.program
    if membership.role != Role.MENTEE or not selection_is_open(program):
        return False
    if not mentees_to_invite(program).filter(pk=membership.pk).exists():
        return False
    return invite_to_select(program, membership, occasion=opening_occasion(program))


@transaction.atomic
def selection_reopen(*, program: Program, mentee: Membership) -> bool:
    """After a re-match the mentee may select again (an ended pairing since their last selection lets them)
    and is emailed "Select your mentors", once for that ended pairing."""
    if not program.ranked_matching_enabled:
        return False
    ended = Pairing.objects.filter(mentee=mentee, status=PairingStatus.ENDED).order_by("-ended_at", "-pk").first()
    return invite_to_select(program, mentee, occasion=f"reopened{ended.pk if ended else 0}")


# -------------------------------------------------------------------- who may select


@dataclass
class SelectionStanding:
    """Where a mentee stands: their latest selection (if any), and whether they may choose now."""

    latest: MentorSelection | None
    paired: bool
    may_select: bool
    why_not: str = ""


def standing_of(program: Program, mentee: Membership) -> SelectionStanding:
    """May ``mentee`` choose mentors now? While selection is open; after their choices were used up; or once
    a pairing of theirs has ended since their last selection (a re-match). Three small queries."""
    latest = MentorSelection.objects.filter(program=program, mentee=mentee).order_by("-created_at", "-pk").first()
    pairings = list(Pairing.objects.filter(mentee=mentee).values_list("status", "ended_at"))
    paired = any(status == PairingStatus.ACTIVE for status, _ended in pairings)
    if paired:
        return SelectionStanding(latest, True, False, _("You already have a mentor."))
    if latest and latest.state == SelectionState.OPEN:
        return SelectionStanding(latest, False, False, _("Your choices are already being asked."))
    ended_since = any(ended and (latest is None or ended > latest.created_at) for _status, ended in pairings)
    exhausted = latest is not None and latest.state == SelectionState.EXHAUSTED
    if selection_is_open(program) or exhausted or ended_since:
        return SelectionStanding(latest, False, True)
    return SelectionStanding(
        latest, False, False, _("Mentor selection is not open yet. We will email you when you can select your mentors.")
    )


# -------------------------------------------------------------------- changing the order


@transaction.atomic
def selection_move(*, selection: MentorSelection, request_id: int, up: bool, by: User) -> None:
    """Move one choice not yet sent a place up or down among the choices not yet sent.

    Only while the selection is open and no mentor has answered yet (every request waiting or not sent).
    """
    rows = list(
        MentorRequest.objects.select_for_update(of=("self",))
        .filter(selection_id=selection.pk)
        .order_by("rank")
        .only("pk", "rank", "state", "program_id")
    )
    state = MentorSelection.objects.filter(pk=selection.pk).values_list("state", flat=True).first()
    if state != SelectionState.OPEN or any(r.state not in (RequestState.PENDING, RequestState.WAITING) for r in rows):
        raise RequestError(_("A mentor has answered, so the order of your choices can no longer change."))
    pending = [r for r in rows if r.state == RequestState.PENDING]
    position = next((i for i, r in enumerate(pending) if r.pk == request_id), None)
    if position is None:
        raise RequestError(_("This choice has already been sent, so it cannot move."))
    other = position - 1 if up else position + 1
    if not 0 <= other < len(pending):
        return
    a, b = pending[position], pending[other]
    # (selection, rank) is unique: park one at rank 0 while the other takes its place.
    MentorRequest.objects.filter(pk=a.pk).update(rank=0)
    MentorRequest.objects.filter(pk=b.pk).update(rank=a.rank)
    MentorRequest.objects.filter(pk=a.pk).update(rank=b.rank)
    moves, now = Moves(), timezone.now()
    for request, rank in ((a, b.rank), (b, a.rank)):
        note = _("Moved to rank %(rank)d by the mentee") % {"rank": rank}
        moves.event(request.program_id, request.pk, RequestState.PENDING, RequestState.PENDING, by, now, note)
    moves.write_events()


def order_can_change(requests: list[MentorRequest]) -> bool:
    """Until the first mentor answers, the mentee may reorder the choices not yet sent."""
    states = [r.state for r in requests]
    return states.count(RequestState.PENDING) > 1 and all(
        s in (RequestState.PENDING, RequestState.WAITING) for s in states
    )


def longest_wait(program: Program, requests: list[MentorRequest]) -> datetime | None:
    """The latest a mentee may still wait: the current deadline plus a full window for each choice not sent."""
    waiting = next((r for r in requests if r.state == RequestState.WAITING), None)
    if waiting is None:
        return None
    pending = sum(r.state == RequestState.PENDING for r in requests)
    return waiting.deadline + timedelta(days=program.response_days) * pending
