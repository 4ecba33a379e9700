"""Ranked mentor requests (F4): a mentee's choices are asked one at a time, in rank order.

Every state change is a conditional transition (``filter(pk=..., state=...).update(...)`` with a check of
the row count) made while the rows are locked, so that two processes (an accept and the sweep, two
sweeps, a retried task) never move one request twice. Ownership rule: whoever holds the lock on a
selection's waiting request may move that selection on. Lock order: the mentor's membership, then
requests.

The sweep (``sweep``) finds the programs with work due in one indexed query, then handles each in
batches of rows locked with ``select_for_update(skip_locked=True)``: a small constant number of queries
per batch, whatever its size. Emails are not rendered here: a task queued after commit renders them
(``matching.tasks.send_request_emails``), so that the sweep stays fast.
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, DateTimeField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.tokens import hash_token
from matching.capacity import free_places
from matching.models import (
    MentorDecline,
    MentorRequest,
    MentorSelection,
    Pairing,
    PairingSource,
    PairingStatus,
    RequestEvent,
    RequestState,
    SelectionState,
)
from matching.queue import SEND_REQUEST_EMAILS, enqueue
from matching.services.demand import demand_refresh_after_commit
from mentorship.stamps import bump_programs
from organizations.models import Membership, Program, Role

TOKEN_PURPOSE = "mentor-request"
BATCH_SIZE = 1000

# Tests of the race switch this off to prove they can see one (the "lock-off twin"); never in production.
LOCK_MENTOR = True

SENT, REMINDER, USED_UP = "request_sent", "request_reminder", "choices_used_up"


class RequestError(Exception):
    """Why a request cannot be made or answered, in words for the person who tried."""


# -------------------------------------------------------------------- tokens and times


def request_token(request_id: int, sent_at: datetime) -> str:
    """The secret of a sent request's emailed link: derived from the request and its sending, never stored.

    Only its hash (``token_hash``) is stored; it is bound to the purpose and to this one sending.
    """
    message = f"{TOKEN_PURPOSE}:{request_id}:{sent_at.timestamp()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _token_hash(request_id: int, sent_at: datetime) -> str:
    return hash_token(request_token(request_id, sent_at), TOKEN_PURPOSE)


def request_for_token(raw: str) -> MentorRequest | None:
    """The waiting request a link's secret opens, or None (unknown, answered or moved on)."""
    if not raw:
        return None
    return (
        MentorRequest.objects.select_related("program__organization", "mentee__user", "mentor__user")
        .filter(token_hash=hash_token(raw, TOKEN_PURPOSE), state=RequestState.WAITING)
        .first()
    )


def deadline_for(program: Program, sent_at: datetime) -> datetime:
    """An absolute UTC instant: exactly the response window after sending, whatever the time zones."""
    return sent_at + timedelta(days=program.response_days)


def remind_at_for(program: Program, deadline: datetime, sent_at: datetime) -> datetime | None:
    if not program.reminder_enabled:
        return None
    at = deadline - timedelta(hours=program.reminder_hours)
    return at if at > sent_at else None


# -------------------------------------------------------------------- the outcome of a change


@dataclass
class Moves:
    """What one change did: its history rows, and the emails queued after commit."""

    sent: list[int] = field(default_factory=list)
    used_up: list[int] = field(default_factory=list)  # selection ids
    events: dict[tuple, list[int]] = field(default_factory=dict)  # (program, old, new, by, at, note) -> ids

    def event(self, program_id: int, request_id: int, old: str, new: str, by: User | None, at, note="") -> None:
        key = (program_id, old, new, by.pk if by else None, at, note[:300])
        self.events.setdefault(key, []).append(request_id)

    def write_events(self) -> None:
        """The history rows, one ``INSERT ... SELECT FROM unnest`` per kind of transition (no model objects)."""
        table = connection.ops.quote_name(RequestEvent._meta.db_table)
        # Every change of a request has its event: the requests' and the events' writes send no signal.
        bump_programs({key[0] for key in self.events})
        with connection.cursor() as cursor:
            for (program_id, old, new, by_id, at, note), ids in self.events.items():
                cursor.execute(
                    # Only the quoted table name is interpolated; every value is a parameter.
                    f"INSERT INTO {table} (program_id, request_id, from_state, to_state, by_id, at, note) "  # nosec B608
                    "SELECT %s, id, %s, %s, %s, %s, %s FROM unnest(%s::bigint[]) AS id",
                    [program_id, old, new, by_id, at, note, ids],
                )

    def finish(self) -> None:
        """Write the history and queue the emails after commit (one task per kind)."""
        self.write_events()
        # Waiting requests are demand on their mentors (F4.10): recount it once this commits.
        for program_id in {key[0] for key in self.events}:
            demand_refresh_after_commit(program=Program(pk=program_id))
        sent, used_up = list(self.sent), list(self.used_up)
        if sent:
            transaction.on_commit(lambda: enqueue(SEND_REQUEST_EMAILS, SENT, *sent))
        if used_up:
            transaction.on_commit(lambda: enqueue(SEND_REQUEST_EMAILS, USED_UP, *used_up))


def _transition(pk: int, old: str, new: str, **fields) -> bool:
    """Move one request from ``old`` to ``new``; False when it was no longer in ``old``."""
    return MentorRequest.objects.filter(pk=pk, state=old).update(state=new, **fields) == 1


# -------------------------------------------------------------------- availability and moving on


def _busy_mentors(program: Program, mentor_ids: set[int]) -> set[int]:
    """Of these mentors, those at capacity (one query)."""
    if not mentor_ids:
        return set()
    rows = Membership.objects.filter(pk__in=mentor_ids).annotate(
        active=Count("mentor_pairings", filter=Q(mentor_pairings__status=PairingStatus.ACTIVE))
    )
    return {m.pk for m in rows.only("pk", "capacity") if not free_places(program, m.capacity, m.active)}


def _advance(program: Program, selection_ids: list[int], moves: Moves, *, by: User | None, now: datetime) -> None:
    """Send each selection's next available choice, skip the unavailable ones, close the used-up selections.

    The caller holds the lock on each selection's request that just stopped waiting. A constant number of
    queries for any number of selections.
    """
    if not selection_ids:
        return
    pending = list(
        MentorRequest.objects.select_for_update(of=("self",))
        .filter(selection_id__in=selection_ids, state=RequestState.PENDING)
        .order_by("selection_id", "rank")
        .only("pk", "selection_id", "mentor_id", "mentee_id", "rank")
    )
    busy = _busy_mentors(program, {r.mentor_id for r in pending})
    paired = set(
        Pairing.objects.filter(mentee_id__in={r.mentee_id for r in pending}, status=PairingStatus.ACTIVE).values_list(
            "mentee_id", flat=True
        )
    )
    to_send, unavailable, chosen = [], [], set()
    for request in pending:
        if request.selection_id in chosen:
            continue
        if request.mentor_id in busy or request.mentee_id in paired:
            unavailable.append(request.pk)
            moves.event(program.pk, request.pk, RequestState.PENDING, RequestState.UNAVAILABLE, by, now)
            continue
        chosen.add(request.selection_id)
        to_send.append(request.pk)
        moves.event(program.pk, request.pk, RequestState.PENDING, RequestState.WAITING, by, now)
    if unavailable:
        MentorRequest.objects.filter(pk__in=unavailable, state=RequestState.PENDING).update(
            state=RequestState.UNAVAILABLE, answered_at=now
        )
    if to_send:
        deadline = deadline_for(program, now)
        moved = MentorRequest.objects.filter(pk__in=to_send, state=RequestState.PENDING).update(
            state=RequestState.WAITING, sent_at=now, deadline=deadline, remind_at=remind_at_for(program, deadline, now)
        )
        if moved != len(to_send):
            raise RuntimeError("locked pending requests changed under the lock")
        _set_token_hashes([(pk, _token_hash(pk, now)) for pk in to_send])
        moves.sent.extend(to_send)
    used_up = [pk for pk in selection_ids if pk not in chosen]
    if used_up:
        closed = list(
            MentorSelection.objects.filter(pk__in=used_up, state=SelectionState.OPEN)
            .exclude(mentee_id__in=paired)
            .values_list("pk", flat=True)
        )
        # A mentee paired meanwhile is told nothing: their selection counts as mailed.
        MentorSelection.objects.filter(pk__in=used_up, state=SelectionState.OPEN).update(
            state=SelectionState.EXHAUSTED,
            closed_at=now,
            mailed_at=Case(When(pk__in=closed, then=Value(None)), default=Value(now), output_field=DateTimeField()),
        )
        moves.used_up.extend(closed)


def _set_token_hashes(pairs: list[tuple[int, str]]) -> None:
    """One ``UPDATE ... FROM (VALUES ...)`` for a batch (``bulk_update``'s CASE grows quadratically)."""
    table = connection.ops.quote_name(MentorRequest._meta.db_table)
    values = ", ".join(["(%s::bigint, %s)"] * len(pairs))
    params = [item for pair in pairs for item in pair]
    with connection.cursor() as cursor:
        cursor.execute(
            # The quoted table name and a list of placeholders are interpolated; every value is a parameter.
            f"UPDATE {table} AS r SET token_hash = v.hash FROM (VALUES {values}) AS v(id, hash) WHERE r.id = v.id",  # nosec B608
            params,
        )


# -------------------------------------------------------------------- selecting


def mentor_selection_open(program: Program, mentee: Membership) -> MentorSelection | None:
    return MentorSelection.objects.filter(program=program, mentee=mentee, state=SelectionState.OPEN).first()


@transaction.atomic
def select_mentors(
    *,
    program: Program,
    mentee: Membership,
    mentor_ids: list[int],
    allowed: dict[int, tuple[float | None, list[str]]],
    by: User | None,
) -> MentorSelection:
    """Rank ``mentor_ids`` (best first) and send the first available one its request.

    ``allowed`` maps the mentors the mentee is shown as recommended to (score, reasons): anything else
    is refused with a clear message. A mentee with a pairing or an open selection cannot select again.
    """
    if not program.ranked_matching_enabled:
        raise RequestError(_("Ranked mentor selection is switched off in this program."))
    if mentee.role != Role.MENTEE or mentee.program_id != program.pk:
        raise RequestError(_("Only a mentee of this program can select mentors."))
    if not mentor_ids:
        raise RequestError(_("Choose at least one mentor."))
    if len(mentor_ids) != len(set(mentor_ids)):
        raise RequestError(_("Choose each mentor once."))
    if len(mentor_ids) > program.max_choices:
        raise RequestError(_("Choose at most %(count)d mentors.") % {"count": program.max_choices})
    if any(pk not in allowed for pk in mentor_ids):
        raise RequestError(_("Choose only among the mentors recommended to you."))
    Membership.objects.select_for_update().filter(pk=mentee.pk).first()  # one selection at a time per mentee
    if Pairing.objects.filter(mentee=mentee, status=PairingStatus.ACTIVE).exists():
        raise RequestError(_("You already have a mentor."))
    if mentor_selection_open(program, mentee):
        raise RequestError(_("Your choices are already being asked."))
    selection = MentorSelection.objects.create(program=program, mentee=mentee)
    now = timezone.now()
    requests = MentorRequest.objects.bulk_create(
        MentorRequest(
            program=program,
            selection=selection,
            mentee=mentee,
            mentor_id=pk,
            rank=rank,
            score=allowed[pk][0],
            reasons=list(allowed[pk][1]),
        )
        for rank, pk in enumerate(mentor_ids, start=1)
    )
    moves = Moves()
    for request in requests:
        moves.event(program.pk, request.pk, "", RequestState.PENDING, by, now)
    _advance(program, [selection.pk], moves, by=by, now=now)
    moves.finish()
    return selection


# -------------------------------------------------------------------- answering


@dataclass
class Answer:
    request: MentorRequest
    ok: bool
    message: str
    pairing: Pairing | None = None


def _locked_waiting(request_id: int) -> MentorRequest | None:
    return (
        MentorRequest.objects.select_for_update(of=("self",))
        .select_related("program__organization")
        .filter(pk=request_id)
        .first()
    )


def _no_longer(request: MentorRequest) -> str:
    if request.state == RequestState.ACCEPTED:
        return _("You have already accepted this request.")
    if request.state == RequestState.DECLINED:
        return _("You have already declined this request.")
    return _("This request is no longer waiting for your answer: the mentee's next choice has been asked.")


@transaction.atomic
def request_accept(*, request_id: int, by: User | None) -> Answer:
    """The mentor accepts: a pairing (source request), the mentee's other choices closed, both emailed.

    A mentor who has reached capacity meanwhile gets "no longer available", and the request moves on.
    When this pairing fills the mentor's last place, their other waiting requests move on at once.
    """
    from matching import emails
    from matching.services.pairing import PairingError, pairing_create

    peek = MentorRequest.objects.filter(pk=request_id).values("mentor_id").first()
    if peek is None:
        raise MentorRequest.DoesNotExist
    if LOCK_MENTOR:
        Membership.objects.select_for_update().filter(pk=peek["mentor_id"]).first()
    request = _locked_waiting(request_id)
    program = request.program
    now = timezone.now()
    if request.state != RequestState.WAITING:
        return Answer(request, False, _no_longer(request))
    moves = Moves()
    mentor = Membership.objects.select_related("user").get(pk=request.mentor_id)
    mentee = Membership.objects.select_related("user").get(pk=request.mentee_id)
    active = Pairing.objects.filter(mentor_id=mentor.pk, status=PairingStatus.ACTIVE).count()
    if not free_places(program, mentor.capacity, active):
        _transition(request.pk, RequestState.WAITING, RequestState.UNAVAILABLE, answered_at=now)
        moves.event(program.pk, request.pk, RequestState.WAITING, RequestState.UNAVAILABLE, by, now)
        _advance(program, [request.selection_id], moves, by=by, now=now)
        moves.finish()
        return Answer(request, False, _("You have no free place any more, so this mentee's next choice was asked."))
    if not _transition(request.pk, RequestState.WAITING, RequestState.ACCEPTED, answered_at=now):
        return Answer(request, False, _no_longer(request))
    moves.event(program.pk, request.pk, RequestState.WAITING, RequestState.ACCEPTED, by, now)
    try:
        pairing = pairing_create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            by=by,
            source=PairingSource.REQUEST,
            score=request.score,
            notify=False,
        )
    except PairingError as error:
        transaction.set_rollback(True)
        return Answer(request, False, str(error))
    closing = list(
        MentorRequest.objects.filter(selection_id=request.selection_id, state=RequestState.PENDING).values_list(
            "pk", flat=True
        )
    )
    MentorRequest.objects.filter(pk__in=closing, state=RequestState.PENDING).update(
        state=RequestState.CLOSED, answered_at=now
    )
    for pk in closing:
        moves.event(program.pk, pk, RequestState.PENDING, RequestState.CLOSED, by, now)
    MentorSelection.objects.filter(pk=request.selection_id, state=SelectionState.OPEN).update(
        state=SelectionState.PAIRED, closed_at=now
    )
    if not free_places(program, mentor.capacity, active + 1):
        _cascade_full_mentor(program, mentor.pk, moves, by=by, now=now)
    moves.finish()
    pairing.program, pairing.mentor, pairing.mentee = program, mentor, mentee
    emails.pairing_created(pairing)
    return Answer(request, True, _("You accepted. You are now paired."), pairing)


def _cascade_full_mentor(program: Program, mentor_id: int, moves: Moves, *, by: User | None, now: datetime) -> None:
    """A mentor just reached capacity: their other waiting requests move on now, in this transaction."""
    waiting = list(
        MentorRequest.objects.select_for_update(of=("self",))
        .filter(mentor_id=mentor_id, state=RequestState.WAITING)
        .only("pk", "selection_id")
    )
    if not waiting:
        return
    MentorRequest.objects.filter(pk__in=[r.pk for r in waiting], state=RequestState.WAITING).update(
        state=RequestState.UNAVAILABLE, answered_at=now
    )
    for r in waiting:
        moves.event(program.pk, r.pk, RequestState.WAITING, RequestState.UNAVAILABLE, by, now, _("Mentor is full"))
    _advance(program, [r.selection_id for r in waiting], moves, by=by, now=now)


@transaction.atomic
def request_decline(*, request_id: int, by: User | None, reason: str = "") -> Answer:
    """The mentor declines (never recommended to this mentee again); the next choice is asked."""
    request = _locked_waiting(request_id)
    if request is None:
        raise MentorRequest.DoesNotExist
    if request.state != RequestState.WAITING:
        return Answer(request, False, _no_longer(request))
    program, now, moves = request.program, timezone.now(), Moves()
    _transition(request.pk, RequestState.WAITING, RequestState.DECLINED, answered_at=now, decline_reason=reason.strip())
    moves.event(program.pk, request.pk, RequestState.WAITING, RequestState.DECLINED, by, now, reason.strip())
    MentorDecline.objects.get_or_create(program=program, mentor_id=request.mentor_id, mentee_id=request.mentee_id)
    _advance(program, [request.selection_id], moves, by=by, now=now)
    moves.finish()
    return Answer(request, True, _("You declined. The mentee's next choice is asked."))


# -------------------------------------------------------------------- admins' actions


@transaction.atomic
def request_skip(*, request_id: int, by: User) -> Answer:
    """An admin moves a waiting request on to the mentee's next choice."""
    request = _locked_waiting(request_id)
    if request is None or request.state != RequestState.WAITING:
        return Answer(request, False, _("This request is not waiting any more."))
    program, now, moves = request.program, timezone.now(), Moves()
    _transition(request.pk, RequestState.WAITING, RequestState.SKIPPED, answered_at=now)
    moves.event(program.pk, request.pk, RequestState.WAITING, RequestState.SKIPPED, by, now)
    _advance(program, [request.selection_id], moves, by=by, now=now)
    moves.finish()
    return Answer(request, True, _("Skipped to the next choice."))


@transaction.atomic
def request_extend(*, request_id: int, by: User, deadline: datetime) -> Answer:
    """An admin gives a waiting request a new deadline (recorded); its reminder is due again."""
    request = _locked_waiting(request_id)
    now = timezone.now()
    if request is None or request.state != RequestState.WAITING:
        return Answer(request, False, _("This request is not waiting any more."))
    if deadline <= now:
        return Answer(request, False, _("Choose a new deadline in the future."))
    program = request.program
    MentorRequest.objects.filter(pk=request.pk, state=RequestState.WAITING).update(
        deadline=deadline, remind_at=remind_at_for(program, deadline, now), reminder_sent_at=None
    )
    moves = Moves()
    note = _("New deadline: %(deadline)s UTC") % {"deadline": f"{deadline:%Y-%m-%d %H:%M}"}
    moves.event(program.pk, request.pk, RequestState.WAITING, RequestState.WAITING, by, now, note)
    moves.finish()
    return Answer(request, True, _("The deadline was extended."))


@transaction.atomic
def requests_cancel_for_mentees(*, program: Program, mentee_ids: list[int], by: User | None) -> int:
    """Auto-pairing paired these mentees: their open selections are cancelled, silently (no email)."""
    now = timezone.now()
    rows = list(
        MentorRequest.objects.select_for_update(of=("self",))
        .filter(program=program, mentee_id__in=mentee_ids, state__in=[RequestState.WAITING, RequestState.PENDING])
        .only("pk", "state")
    )
    moves = Moves()
    for state in (RequestState.WAITING, RequestState.PENDING):
        ids = [r.pk for r in rows if r.state == state]
        MentorRequest.objects.filter(pk__in=ids, state=state).update(state=RequestState.CANCELLED, answered_at=now)
        for pk in ids:
            moves.event(program.pk, pk, state, RequestState.CANCELLED, by, now, _("Auto-paired"))
    MentorSelection.objects.filter(program=program, mentee_id__in=mentee_ids, state=SelectionState.OPEN).update(
        state=SelectionState.CANCELLED, closed_at=now
    )
    moves.write_events()
    if rows:
        demand_refresh_after_commit(program=program)
    return len(rows)


# -------------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    programs: int = 0
    moved_on: int = 0
    reminded: int = 0
    remailed: int = 0


MAIL_GRACE = timedelta(minutes=5)  # a request's email not in the outbox this long after sending is queued again


def programs_due(now: datetime) -> list[int]:
    """The programs with a deadline passed, a reminder due or an email lost: one query on partial indexes."""
    unmailed = Q(mailed_at__isnull=True, sent_at__lte=now - MAIL_GRACE)
    due = MentorRequest.objects.filter(state=RequestState.WAITING).filter(
        Q(deadline__lte=now) | Q(remind_at__lte=now) | unmailed
    )
    used_up = _used_up_unmailed(now)
    return list(due.order_by().values_list("program_id", flat=True).union(used_up.values_list("program_id", flat=True)))


def _used_up_unmailed(now: datetime):
    """Selections whose choices were used up a while ago and whose emails' task was lost (partial index)."""
    return MentorSelection.objects.filter(
        state=SelectionState.EXHAUSTED, mailed_at__isnull=True, closed_at__lte=now - MAIL_GRACE
    ).order_by()


def sweep(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Move on every request whose deadline passed and send the reminders due, program by program.

    Safe to run twice at once (rows locked by the other run are skipped) and after a crash (a batch
    commits whole or not at all).
    """
    from django_scopes import scopes_disabled

    result = SweepResult()
    with scopes_disabled():
        program_ids = programs_due(now or timezone.now())
        # A program that switched ranked requests off sends none of their emails: its requests wait, paused.
        programs = Program.objects.filter(pk__in=program_ids, ranked_matching_enabled=True) if program_ids else []
        for program in programs:
            result.programs += 1
            while (moved := _expire_batch(program, now, batch_size)) > 0:
                result.moved_on += moved
            while (reminded := _remind_batch(program, now, batch_size)) > 0:
                result.reminded += reminded
            result.remailed += _remail(program, now or timezone.now())
    return result


@transaction.atomic
def _expire_batch(program: Program, now: datetime | None, batch_size: int) -> int:
    now = now or timezone.now()
    due = list(
        MentorRequest.objects.select_for_update(skip_locked=True)
        .filter(program=program, state=RequestState.WAITING, deadline__lte=now)
        .order_by("deadline")
        .values_list("pk", "selection_id")[:batch_size]
    )
    if not due:
        return 0
    ids = [pk for pk, _selection in due]
    moved = MentorRequest.objects.filter(pk__in=ids, state=RequestState.WAITING, deadline__lte=now).update(
        state=RequestState.EXPIRED, answered_at=now
    )
    if moved != len(ids):
        raise RuntimeError("locked waiting requests changed under the lock")
    moves = Moves()
    for pk in ids:
        moves.event(program.pk, pk, RequestState.WAITING, RequestState.EXPIRED, None, now)
    _advance(program, [selection for _pk, selection in due], moves, by=None, now=now)
    moves.finish()
    return moved


@transaction.atomic
def _remind_batch(program: Program, now: datetime | None, batch_size: int) -> int:
    now = now or timezone.now()
    due = list(
        MentorRequest.objects.select_for_update(skip_locked=True)
        .filter(program=program, state=RequestState.WAITING, remind_at__lte=now, deadline__gt=now)
        .values_list("pk", flat=True)[:batch_size]
    )
    if not due:
        return 0
    MentorRequest.objects.filter(pk__in=due, state=RequestState.WAITING).update(remind_at=None, reminder_sent_at=now)
    bump_programs([program.pk])
    transaction.on_commit(lambda: enqueue(SEND_REQUEST_EMAILS, REMINDER, *due))
    return len(due)


def _remail(program: Program, now: datetime) -> int:
    """Queue again the emails whose task was lost (a broker down at commit): requests sent, choices used up."""
    ids = list(
        MentorRequest.objects.filter(
            program=program, state=RequestState.WAITING, mailed_at__isnull=True, sent_at__lte=now - MAIL_GRACE
        ).values_list("pk", flat=True)[:BATCH_SIZE]
    )
    if ids:
        enqueue(SEND_REQUEST_EMAILS, SENT, *ids)
    used_up = list(_used_up_unmailed(now).filter(program=program).values_list("pk", flat=True)[:BATCH_SIZE])
    if used_up:
        enqueue(SEND_REQUEST_EMAILS, USED_UP, *used_up)
    return len(ids) + len(used_up)
