"""Sessions' background work: the day-before reminders (a beat task fans out per session)."""

from celery import shared_task
from django_scopes import scopes_disabled

from sessions_app.services import reminders


@shared_task(name="sessions_app.tasks.send_reminders")
def send_reminders() -> int:
    """Queue a reminder for each session due; safe to run twice (each reminder is claimed once)."""
    with scopes_disabled():
        due = reminders.sessions_due_for_reminder()
    for session_id in due:
        remind_session.delay(session_id)
    return len(due)


@shared_task(name="sessions_app.tasks.remind_session")
def remind_session(session_id: int) -> bool:
    with scopes_disabled():
        return reminders.session_remind(session_id=session_id)
