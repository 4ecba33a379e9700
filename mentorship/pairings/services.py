"""Every write of the life of a pairing: messages, their batched emails, reports."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from matching.models import Pairing, PairingStatus
from mentorship.pairings import emails
from mentorship.pairings.models import (
    Agreement,
    AgreementStatus,
    CheckIn,
    ConversationNotice,
    CycleSurvey,
    FeedbackRequest,
    Goal,
    Message,
    PairingSettings,
)
from mentorship.stamps import bump_programs
from organizations.models import Membership

# At most one email per conversation and recipient in this window.
EMAIL_WINDOW = timedelta(minutes=15)
NOTIFY_CONVERSATION = "pairings.tasks.notify_conversation"


class MessageError(Exception):
    """Why a message cannot be sent or reported, in words for the person who tried."""


def other_party(pairing: Pairing, person: Membership) -> Membership:
    return pairing.mentee if person.pk == pairing.mentor_id else pairing.mentor


def _within_rate(user_id: int) -> bool:
    """At most PAIRINGS_MESSAGES_PER_MINUTE messages a minute for one person, counted in the cache."""
    key = f"pairings:messages:{user_id}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, timeout=120)
    return cache.incr(key) <= settings.PAIRINGS_MESSAGES_PER_MINUTE


@transaction.atomic
def message_post(*, pairing: Pairing, author: Membership, body: str) -> Message:
    """Add ``body`` to the pairing's conversation; the other person is emailed after commit (batched)."""
    if author.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise MessageError(_("Only the mentor and the mentee write in their conversation."))
    if pairing.status != PairingStatus.ACTIVE:
        raise MessageError(_("This pairing has ended: its conversation is kept, and closed to new messages."))
    body = body.strip()
    if not body:
        raise MessageError(_("Write a message before sending it."))
    if len(body) > Message.MAX_LENGTH:
        raise MessageError(_("A message holds at most %(n)s characters.") % {"n": Message.MAX_LENGTH})
    if not _within_rate(author.user_id):
        raise MessageError(_("You are sending messages quickly: wait a minute, then send this one again."))
    message = Message.objects.create(program_id=pairing.program_id, pairing=pairing, author=author, body=body)
    recipient = other_party(pairing, author)
    ConversationNotice.objects.get_or_create(program_id=pairing.program_id, pairing=pairing, recipient=recipient)
    transaction.on_commit(lambda: _enqueue(pairing.pk, recipient.pk))
    return message


def _enqueue(pairing_id: int, recipient_id: int) -> None:
    from celery import current_app

    current_app.tasks[NOTIFY_CONVERSATION].delay(pairing_id, recipient_id)


def conversation_notify(*, pairing_id: int, recipient_id: int) -> bool:
    """Email ``recipient`` about the messages they were not told of, unless emailed in the last window.

    The window is claimed by a conditional update: a rerun, or a run beside this one, sends nothing twice.
    Messages written inside a window are sent by the sweep (``conversations_due``) once it closes.
    """
    now = timezone.now()
    with transaction.atomic():
        pending = Message.objects.filter(pairing_id=pairing_id, notified_at__isnull=True).exclude(
            author_id=recipient_id
        )
        if not pending.exists():
            return False
        claimed = (
            ConversationNotice.objects.filter(pairing_id=pairing_id, recipient_id=recipient_id)
            .filter(Q(notified_until__isnull=True) | Q(notified_until__lte=now))
            .update(notified_until=now + EMAIL_WINDOW)
        )
        if not claimed:
            return False
        count = pending.update(notified_at=now)
        pairing = Pairing.objects.select_related("program__organization", "mentor__user", "mentee__user").get(
            pk=pairing_id
        )
        recipient = pairing.mentor if pairing.mentor_id == recipient_id else pairing.mentee
        emails.new_messages(
            pairing,
            recipient=recipient,
            author=other_party(pairing, recipient),
            count=count,
            window=f"{now + EMAIL_WINDOW:%Y%m%d%H%M%S%f}",
        )
    return True


def conversations_due() -> list[tuple[int, int]]:
    """(pairing, recipient) pairs with messages not yet emailed whose window has closed."""
    now = timezone.now()
    notices = ConversationNotice.objects.filter(Q(notified_until__isnull=True) | Q(notified_until__lte=now))
    pending = Message.objects.filter(pairing_id=OuterRef("pairing_id"), notified_at__isnull=True).exclude(
        author_id=OuterRef("recipient_id")
    )
    return list(notices.filter(Exists(pending)).values_list("pairing_id", "recipient_id"))


def message_report(*, message: Message, by: User) -> Message:
    """The person a message was written to reports it to the program admins (once)."""
    if message.author.user_id == by.pk:
        raise MessageError(_("You cannot report your own message."))
    updated = Message.objects.filter(pk=message.pk, reported_at__isnull=True).update(
        reported_at=timezone.now(), reported_by=by
    )
    if updated:
        message.refresh_from_db()
    return message


# ------------------------------------------------------------------ the mentoring agreement


class AgreementError(Exception):
    """Why an agreement cannot change, in words for the person who tried."""


def settings_of(program) -> PairingSettings:
    """The program's settings, or the defaults (unsaved) when it has none."""
    return PairingSettings.objects.filter(program=program).first() or PairingSettings(program=program)


@transaction.atomic
def agreement_save(
    *, pairing: Pairing, by: Membership, learning: str, frequency: str, meeting_format: str, goals: list, send: bool
) -> Agreement:
    """The mentee writes (or rewrites) the agreement with 2-5 goals ``[(title, date)]``; ``send`` asks the mentor."""
    if by.pk != pairing.mentee_id:
        raise AgreementError(_("The mentee drafts the agreement."))
    if not settings_of(pairing.program).agreement_enabled:
        raise AgreementError(_("This program does not use mentoring agreements."))
    if not Agreement.MIN_GOALS <= len(goals) <= Agreement.MAX_GOALS:
        raise AgreementError(_("Set two to five goals."))
    agreement = Agreement.objects.select_for_update().filter(pairing=pairing).first()
    if agreement and agreement.status == AgreementStatus.SIGNED:
        raise AgreementError(_("The agreement is signed: it no longer changes."))
    agreement = agreement or Agreement(program_id=pairing.program_id, pairing=pairing)
    agreement.learning, agreement.frequency, agreement.meeting_format = learning, frequency, meeting_format
    if send:
        agreement.status = AgreementStatus.SENT
    agreement.save()
    agreement.goals.all().delete()
    Goal.objects.bulk_create(
        Goal(program_id=pairing.program_id, agreement=agreement, order=i, title=title, target_date=date)
        for i, (title, date) in enumerate(goals)
    )
    if send:
        emails.agreement_sent(agreement)
    return agreement


@transaction.atomic
def agreement_decide(*, agreement: Agreement, by: Membership, sign: bool, change_request: str = "") -> Agreement:
    """The mentor signs the sent agreement off, or sends it back saying what should change."""
    agreement = Agreement.objects.select_for_update().select_related("pairing").get(pk=agreement.pk)
    if by.pk != agreement.pairing.mentor_id:
        raise AgreementError(_("The mentor signs the agreement off."))
    if agreement.status != AgreementStatus.SENT:
        raise AgreementError(_("The agreement is not waiting for your sign-off."))
    if sign:
        agreement.status, agreement.signed_at, agreement.change_request = AgreementStatus.SIGNED, timezone.now(), ""
    else:
        if not change_request.strip():
            raise AgreementError(_("Say what should change."))
        agreement.status, agreement.change_request = AgreementStatus.CHANGES, change_request.strip()
    agreement.save(update_fields=["status", "signed_at", "change_request", "updated_at"])
    emails.agreement_decided(agreement)
    return agreement


def goal_mark(*, goal: Goal, done: bool) -> Goal:
    """Either of the pair marks a goal of the signed agreement done (or not done)."""
    if goal.agreement.status != AgreementStatus.SIGNED:
        raise AgreementError(_("Goals are marked done once the agreement is signed."))
    goal.done_at = timezone.now() if done else None
    goal.save(update_fields=["done_at"])
    return goal


# ------------------------------------------------------------------ feedback after sessions

NOT_A_GOOD_FIT = "not a good fit"


def sessions_due_for_feedback() -> list[tuple[int, int]]:
    """(pairing, session) of ended sessions between an active pair that asked no feedback yet."""
    from sessions_app.models import Booking, BookingStatus, SessionStatus

    asked = FeedbackRequest.objects.filter(session_id=OuterRef("session_id"), pairing_id=OuterRef("pairing_pk"))
    rows = (
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            session__status=SessionStatus.PUBLISHED,
            session__ends_at__lte=timezone.now(),
            session__ends_at__gte=timezone.now() - timedelta(days=14),
            mentee__mentee_pairings__status=PairingStatus.ACTIVE,
            mentee__mentee_pairings__mentor_id=F("session__mentor_id"),
        )
        .annotate(pairing_pk=F("mentee__mentee_pairings__pk"))
        .filter(~Exists(asked))
        .values_list("pairing_pk", "session_id")
    )
    return list(rows)


def feedback_request(*, pairing_id: int, session_id: int) -> int:
    """Ask both of the pair for feedback on the session (once: the constraint keeps a rerun from asking twice)."""
    pairing = Pairing.objects.select_related("program__organization", "mentor__user", "mentee__user").get(pk=pairing_id)
    first = not FeedbackRequest.objects.filter(pairing=pairing).exclude(session_id=session_id).exists()
    made = 0
    with transaction.atomic():
        for person in (pairing.mentor, pairing.mentee):
            request, created = FeedbackRequest.objects.get_or_create(
                session_id=session_id,
                respondent=person,
                defaults={"program_id": pairing.program_id, "pairing": pairing, "asks_fit": first},
            )
            if created:
                made += 1
                emails.feedback_requested(request, pairing=pairing, person=person)
    return made


@transaction.atomic
def feedback_answer(
    *, request: FeedbackRequest, rating: int, went_well: str, private_note: str, fit: str, answers: dict
):
    request = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
    if request.answered_at:
        raise MessageError(_("You have already answered; thank you."))
    request.rating, request.went_well, request.private_note = rating, went_well, private_note
    request.fit = fit if request.asks_fit else ""
    request.answers, request.answered_at = answers, timezone.now()
    request.save()
    return request


def reopen_selection(mentee: Membership, program) -> None:
    """Open mentor selection again for ``mentee`` after a re-match: they may select again (their pairing
    ended since their last selection) and are emailed "Select your mentors". Their recommendations leave
    out the mentor who was not a good fit (a MentorDecline)."""
    from matching.services.selection import selection_reopen

    selection_reopen(program=program, mentee=mentee)


@transaction.atomic
def rematch(*, pairing: Pairing, by: User) -> Pairing:
    """The mentee found the pairing "not a good fit": it ends so, and that mentor is not proposed again."""
    from matching.models import MentorDecline
    from matching.services.pairing import PairingError, pairing_end

    if by.pk != pairing.mentee.user_id:
        raise MessageError(_("Only the mentee asks for a re-match."))
    try:
        pairing = pairing_end(pairing=pairing, by=by, reason=NOT_A_GOOD_FIT)
    except PairingError as error:
        raise MessageError(str(error)) from error
    MentorDecline.objects.get_or_create(program_id=pairing.program_id, mentor=pairing.mentor, mentee=pairing.mentee)
    reopen_selection(pairing.mentee, pairing.program)
    return pairing


# ------------------------------------------------------------------ pairs that go quiet

CONCLUDED = "concluded"


def quiet_pairs_sweep(*, now=None) -> dict:
    """Remind quiet active pairs once, then tell the program's admins after a second quiet period.

    Safe to run twice: each reminder and each notice to the admins is claimed by a conditional update.
    """
    from mentorship.pairings.selectors import needs_check_in, with_last_activity

    now = now or timezone.now()
    counts = {"reminded": 0, "admins_told": 0}
    pairings = with_last_activity(
        Pairing.objects.filter(status=PairingStatus.ACTIVE).select_related(
            "program__organization", "mentor__user", "mentee__user"
        )
    )
    for pairing in pairings.iterator(chunk_size=500):
        if not needs_check_in(pairing, now):
            continue
        quiet = timedelta(days=pairing.quiet_days)
        check_in, _ = CheckIn.objects.get_or_create(pairing=pairing, defaults={"program_id": pairing.program_id})
        with transaction.atomic():
            reminded = (
                CheckIn.objects.filter(pk=check_in.pk)
                .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=pairing.last_activity))
                .update(reminded_at=now, admins_told_at=None)
            )
            if reminded:
                counts["reminded"] += 1
                emails.quiet_reminder(pairing, stamp=f"{now:%Y%m%d%H%M%S%f}")
                continue
            told = CheckIn.objects.filter(
                pk=check_in.pk,
                reminded_at__gte=pairing.last_activity,
                reminded_at__lte=now - quiet,
                admins_told_at__isnull=True,
            ).update(admins_told_at=now)
            if told:
                counts["admins_told"] += 1
                emails.quiet_admins_told(pairing, stamp=f"{now:%Y%m%d%H%M%S%f}")
    return counts


def pairing_conclude(*, pairing: Pairing, by: User) -> Pairing:
    """A program admin concludes a pair that went quiet."""
    from matching.services.pairing import PairingError, pairing_end

    try:
        return pairing_end(pairing=pairing, by=by, reason=CONCLUDED)
    except PairingError as error:
        raise MessageError(str(error)) from error


# ------------------------------------------------------------------ program cycles

COMPLETED = "completed"
SURVEY_DAYS_BEFORE_END = 14


def cycle_sweep(*, today=None) -> dict:
    """Daily: two weeks before a cycle's end, survey its mentors and mentees (once each); at the end, complete
    its active pairings (ended with the reason "completed", not cancelled). Safe to run twice."""
    from organizations.models import Program, Role

    today = today or timezone.localdate()
    counts = {"surveyed": 0, "completed": 0}
    due = Program.objects.filter(
        cycle_ends_on__isnull=False, cycle_ends_on__lte=today + timedelta(SURVEY_DAYS_BEFORE_END)
    )
    for program in due.select_related("organization"):
        people = Membership.objects.filter(program=program, role__in=[Role.MENTOR, Role.MENTEE]).select_related("user")
        for person in people:
            with transaction.atomic():
                survey, created = CycleSurvey.objects.get_or_create(
                    respondent=person, cycle_ends_on=program.cycle_ends_on, defaults={"program": program}
                )
                if created:
                    counts["surveyed"] += 1
                    emails.cycle_survey(survey, program=program, person=person)
        if program.cycle_ends_on <= today:
            active = Pairing.objects.filter(program=program, status=PairingStatus.ACTIVE)
            counts["completed"] += active.update(
                status=PairingStatus.ENDED, ended_at=timezone.now(), end_reason=COMPLETED
            )
            bump_programs([program.pk])  # an UPDATE sends no signal: pages keep what pairings make
    return counts


@transaction.atomic
def cycle_survey_answer(*, survey: CycleSurvey, satisfaction: int, keep: str) -> CycleSurvey:
    survey = CycleSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.answered_at:
        raise MessageError(_("You have already answered; thank you."))
    survey.satisfaction, survey.keep, survey.answered_at = satisfaction, keep, timezone.now()
    survey.save(update_fields=["satisfaction", "keep", "answered_at"])
    return survey


def nps(scores: list[int]) -> int | None:
    """Net Promoter Score: % of 9-10 minus % of 0-6, or None without answers."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return round(100 * (promoters - detractors) / len(scores))
