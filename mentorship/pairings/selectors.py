"""Reads of the life of a pairing, already scoped and prefetching what their pages show."""

from datetime import timedelta

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest, Now
from django.utils import timezone
from django_scopes import scopes_disabled

from matching.models import Pairing
from mentorship.pairings.models import CheckIn, FeedbackRequest, Message, PairingSettings
from mentorship.prepared import Prepared
from organizations.models import Membership, Program
from organizations.selectors import program_membership_ids


def pairings_of_user(program: Program, user) -> QuerySet[Pairing]:
    """The program's pairings ``user`` is the mentor or the mentee of (by their memberships' ids: the foreign
    keys' indexes serve it, where ``mentor__user=user`` joined every pairing of the program)."""
    mine = program_membership_ids(user, program)
    return (
        Pairing.objects.filter(program=program)
        .filter(Q(mentor_id__in=mine) | Q(mentee_id__in=mine))
        .select_related("mentor__user", "mentee__user")
    )


def _pairing_with_people(program_id: int, pk: int) -> QuerySet[Pairing]:
    with scopes_disabled():  # the program is the tenant's, a value of the query (a scope would be compiled in)
        return Pairing.objects.filter(program_id=program_id, pk=pk).select_related("mentor__user", "mentee__user")


# Compiled once a process: building the query (the pairing and both people, with their users) cost the ORM
# several times what PostgreSQL takes to run it, on each view of a conversation or an agreement.
_PAIRING_WITH_PEOPLE = Prepared(_pairing_with_people, program_id=int, pk=int)


def own_pairing(program: Program, user, pk: int) -> Pairing | None:
    """``pairings_of_user(program, user).get(pk=pk)`` with both people and their users, or None."""
    mine = program_membership_ids(user, program)
    found = _PAIRING_WITH_PEOPLE.fetch(program_id=program.pk, pk=int(pk))
    pairing = found[0] if found else None
    return pairing if pairing and (pairing.mentor_id in mine or pairing.mentee_id in mine) else None


def messages_of(pairing: Pairing) -> QuerySet[Message]:
    """The pairing's messages, without their authors: ``with_authors`` gives them the pair's two people."""
    return Message.objects.filter(pairing=pairing)


def with_authors(pairing: Pairing, messages: list[Message]) -> list[Message]:
    """``messages`` with their authors: the pairing's mentor or mentee as the pairing has them (with their users),
    rather than joining both people to every message (only the pair writes: ``services.message_post``)."""
    people = {pairing.mentor_id: pairing.mentor, pairing.mentee_id: pairing.mentee}
    others = {m.author_id for m in messages} - people.keys()
    if others:  # none by the service's rule; read in one query all the same
        people |= Membership.objects.select_related("user").in_bulk(others)
    for message in messages:
        message.author = people[message.author_id]
    return messages


def pairings_with_talk(program: Program) -> QuerySet[Pairing]:
    """The program's pairings with how many messages and when the last one was, never the text."""
    return (
        with_last_activity(Pairing.objects.filter(program=program))
        .select_related("mentor__user", "mentee__user")
        .annotate(
            message_count=Count("messages", distinct=True),
            last_message_at=Max("messages__created_at"),
            agreement_status=F("agreement__status"),
            goals_total=Count("agreement__goals", distinct=True),
            goals_done=Count("agreement__goals", filter=Q(agreement__goals__done_at__isnull=False), distinct=True),
        )
        .order_by("status", "-last_message_at", "-created_at")
    )


def reported_messages(program: Program) -> QuerySet[Message]:
    return (
        Message.objects.filter(program=program, reported_at__isnull=False)
        .select_related("author__user", "reported_by", "pairing__mentor__user", "pairing__mentee__user")
        .order_by("-reported_at")
    )


def feedback_answers(program: Program) -> QuerySet[FeedbackRequest]:
    """The program's answered feedback, newest first, for its admins."""
    return (
        FeedbackRequest.objects.filter(program=program, answered_at__isnull=False)
        .select_related("respondent__user", "pairing__mentor__user", "pairing__mentee__user", "session")
        .order_by("-answered_at", "-pk")
    )


def open_feedback_of_user(program: Program, user) -> QuerySet[FeedbackRequest]:
    return FeedbackRequest.objects.filter(
        program=program, respondent_id__in=program_membership_ids(user, program), answered_at__isnull=True
    ).select_related("session")


def shared_feedback_for(asked: FeedbackRequest, questions) -> FeedbackRequest | None:
    """The other person's answered feedback on the same session, for a program that shares feedback with the
    pair; with ``extra`` [(question, answer)]. Never their private note nor their answer about the fit, which
    stay with the program's admins."""
    theirs = (
        FeedbackRequest.objects.filter(
            pairing_id=asked.pairing_id, session_id=asked.session_id, answered_at__isnull=False
        )
        .exclude(respondent_id=asked.respondent_id)
        .only("pk", "rating", "went_well", "answers", "respondent_id")
        .first()
    )
    if theirs is not None:
        by_id = {str(q.pk): q.text for q in questions}
        theirs.extra = [(by_id[k], v) for k, v in theirs.answers.items() if k in by_id]
    return theirs


def with_last_activity(pairings: QuerySet[Pairing]) -> QuerySet[Pairing]:
    """Annotate ``last_activity`` (the latest message, answered feedback or past session of the pair, else the
    pairing's start), ``quiet_days`` (the program's setting) and the check-in's ``reminded_at``/``admins_told_at``."""
    from sessions_app.models import BookingStatus, MentorshipSession, SessionStatus

    def latest(queryset, field):
        return Coalesce(Subquery(queryset.order_by(f"-{field}").values(field)[:1]), F("created_at"))

    last_message = Message.objects.filter(pairing=OuterRef("pk"))
    last_feedback = FeedbackRequest.objects.filter(pairing=OuterRef("pk"), answered_at__isnull=False)
    last_session = MentorshipSession.objects.filter(
        mentor=OuterRef("mentor"),
        status=SessionStatus.PUBLISHED,
        ends_at__lte=Now(),
        bookings__mentee=OuterRef("mentee"),
        bookings__status=BookingStatus.BOOKED,
    )
    settings = PairingSettings.objects.filter(program=OuterRef("program")).values("quiet_days")[:1]
    check_in = CheckIn.objects.filter(pairing=OuterRef("pk"))
    return pairings.annotate(
        last_activity=Greatest(
            F("created_at"),
            latest(last_message, "created_at"),
            latest(last_feedback, "answered_at"),
            latest(last_session, "ends_at"),
        ),
        quiet_days=Coalesce(Subquery(settings), PairingSettings.DEFAULT_QUIET_DAYS),
        reminded_at=Subquery(check_in.values("reminded_at")[:1]),
        admins_told_at=Subquery(check_in.values("admins_told_at")[:1]),
    )


def needs_check_in(pairing: Pairing, now=None) -> bool:
    """An active pair quiet for the program's number of days (on a pairing from ``with_last_activity``)."""
    now = now or timezone.now()
    return pairing.status == "active" and now - pairing.last_activity >= timedelta(days=pairing.quiet_days)


def alumni(program: Program) -> QuerySet[Pairing]:
    """Pairings of past cycles (completed), with their people: the program's alumni."""
    return (
        Pairing.objects.filter(program=program, end_reason="completed")
        .select_related("mentor__user", "mentee__user")
        .order_by("-ended_at", "-pk")
    )
