"""The day-before reminder: exactly once, even when the beat task runs twice; in the recipient's language."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core import mail
from django.utils import timezone

from sessions_app.models import MentorshipSession
from sessions_app.tasks import send_reminders
from tests.sessions_app.factories import make_session


def _tomorrow(session: MentorshipSession) -> None:
    starts = timezone.now() + timedelta(hours=20)
    MentorshipSession.objects.filter(pk=session.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=1))


def test_the_reminder_is_sent_once_to_the_mentor_and_the_mentee(program, mentor, mentee, sent):
    session = make_session(mentor, mentee=mentee)
    make_session(mentor, day=session.local_date + timedelta(days=1), mentee=None)  # nobody booked: no reminder
    _tomorrow(session)
    with sent():
        assert send_reminders() == 1
        assert send_reminders() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentor.user.email, mentee.user.email])
    assert {m.subject.split(":")[0] for m in mail.outbox} == {"Reminder"}


def test_two_runs_at_once_claim_the_session_once(program, mentor, mentee, sent):
    from sessions_app.services.reminders import session_remind

    session = make_session(mentor, mentee=mentee)
    _tomorrow(session)
    with sent():
        assert [session_remind(session_id=session.pk), session_remind(session_id=session.pk)] == [True, False]
    assert len(mail.outbox) == 2


def test_the_reminder_is_in_the_recipients_language_and_time_zone(program, mentor, mentee, sent):
    mentee.user.language = "fr"
    mentee.user.save()
    session = make_session(mentor, mentee=mentee)
    _tomorrow(session)
    with sent():
        send_reminders()
    message = next(m for m in mail.outbox if m.to == [mentee.user.email])
    session.refresh_from_db()
    local = session.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert message.subject.startswith("Rappel")
    assert f"{local:%H:%M} à Paris" in message.body


def test_a_mentee_who_turned_reminders_off_gets_none(program, mentor, mentee, sent):
    mentee.user.notify_reminders = False
    mentee.user.save()
    session = make_session(mentor, mentee=mentee)
    _tomorrow(session)
    with sent():
        send_reminders()
    assert [m.to for m in mail.outbox] == [[mentor.user.email]]
