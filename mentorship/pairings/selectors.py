"""Reads of the life of a pairing, already scoped and prefetching what their pages show."""

from django.db.models import Count, F, Max, Q, QuerySet

from matching.models import Pairing
from mentorship.pairings.models import FeedbackRequest, Message
from organizations.models import Program


def pairings_of_user(program: Program, user) -> QuerySet[Pairing]:
    """The program's pairings ``user`` is the mentor or the mentee of."""
    return (
        Pairing.objects.filter(program=program)
        .filter(Q(mentor__user=user) | Q(mentee__user=user))
        .select_related("mentor__user", "mentee__user")
    )


def messages_of(pairing: Pairing) -> QuerySet[Message]:
    return Message.objects.filter(pairing=pairing).select_related("author__user")


def pairings_with_talk(program: Program) -> QuerySet[Pairing]:
    """The program's pairings with how many messages and when the last one was, never the text."""
    return (
        Pairing.objects.filter(program=program)
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
        program=program, respondent__user=user, answered_at__isnull=True
    ).select_related("session")
