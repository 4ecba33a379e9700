"""Background work of the life of a pairing: the batched conversation emails (a beat sweep fans out)."""

from celery import shared_task
from django_scopes import scopes_disabled

from mentorship.pairings import services


@shared_task(name="pairings.tasks.notify_conversation")
def notify_conversation(pairing_id: int, recipient_id: int) -> bool:
    with scopes_disabled():
        return services.conversation_notify(pairing_id=pairing_id, recipient_id=recipient_id)


@shared_task(name="pairings.tasks.sweep_conversations")
def sweep_conversations() -> int:
    """Email whoever has messages written inside a closed window; safe to run twice (each window is claimed)."""
    with scopes_disabled():
        due = services.conversations_due()
    for pairing_id, recipient_id in due:
        notify_conversation.delay(pairing_id, recipient_id)
    return len(due)


@shared_task(name="pairings.tasks.request_feedback")
def request_feedback() -> int:
    """Ask both of each pair for feedback after their ended sessions; safe to run twice (one request a session)."""
    with scopes_disabled():
        due = services.sessions_due_for_feedback()
        return sum(services.feedback_request(pairing_id=p, session_id=s) for p, s in due)


@shared_task(name="pairings.tasks.check_quiet_pairs")
def check_quiet_pairs() -> dict:
    """Daily: remind quiet pairs, tell admins of pairs still quiet; safe to run twice."""
    with scopes_disabled():
        return services.quiet_pairs_sweep()


@shared_task(name="pairings.tasks.program_cycles")
def program_cycles() -> dict:
    """Daily: end-of-program surveys before a cycle ends, completed pairings at its end; safe to run twice."""
    with scopes_disabled():
        return services.cycle_sweep()
