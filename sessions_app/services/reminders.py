"""The day-before reminder: sent exactly once per session, however often the beat task runs."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from mentorship import stamps
from sessions_app import emails
from sessions_app.models import BookingStatus, MentorshipSession, SessionStatus

REMIND_BEFORE = timedelta(hours=24)


def sessions_due_for_reminder(now: datetime | None = None) -> list[int]:
    """Published, booked sessions starting within a day that have not been reminded of."""
    now = now or timezone.now()
    due = MentorshipSession.objects.filter(
        status=SessionStatus.PUBLISHED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMIND_BEFORE,
        bookings__status=BookingStatus.BOOKED,
    )
    return list(due.values_list("pk", flat=True).distinct())


@transaction.atomic
def session_remind(*, session_id: int, now: datetime | None = None) -> bool:
    """Email the mentor and the booked mentees of the session, unless that was done; True if sent now.

    The sent-at marker is set by a conditional update, so of two runs at once only one sends.
    """
    now = now or timezone.now()
    claimed = MentorshipSession.objects.filter(pk=session_id, reminder_sent_at__isnull=True).update(
        reminder_sent_at=now
    )
    if not claimed:
        return False
    session = MentorshipSession.objects.select_related("mentor__user", "program", "location").get(pk=session_id)
    stamps.bump_programs([session.program_id])
    booked = session.bookings.filter(status=BookingStatus.BOOKED).select_related("mentee__user")
    for user in [session.mentor.user, *(b.mentee.user for b in booked)]:
        emails.session_reminder(session, user)
    return True
