"""Sessions' emails go through the outbox: written with the change, keyed, so nothing is sent twice or lost."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from mentorship import outbox
from mentorship.models import OutboxEmail, OutboxState
from sessions_app.models import MentorshipSession
from sessions_app.services.bookings import booking_cancel, booking_create
from sessions_app.services.reminders import session_remind
from sessions_app.services.sessions import input_from, session_cancel, session_save
from sessions_app.tasks import send_reminders
from tests.sessions_app.factories import in_days, make_session
from tests.test_outbox import broker_down  # noqa: F401 - the fixture


def _tomorrow(session: MentorshipSession) -> None:
    starts = timezone.now() + timedelta(hours=20)
    MentorshipSession.objects.filter(pk=session.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=1))


def _kinds() -> list[tuple[str, str]]:
    return sorted(OutboxEmail.objects.values_list("kind", "recipient"))


def test_booking_change_and_cancellation_emails_are_keyed_outbox_rows(program, mentor, mentee, sent):
    session = make_session(mentor, day=in_days(8))
    with sent():
        booking = booking_create(session=session, mentee=mentee)
    with sent():
        session_save(
            program=program,
            data=input_from(session, local_time=session.local_time.replace(hour=11)),
            by=mentor.user,
            publish=True,
            session=session,
        )
    with sent():
        session_save(
            program=program,
            data=input_from(session, notes="Bring your CV"),
            by=mentor.user,
            publish=True,
            session=MentorshipSession.objects.get(pk=session.pk),
        )
    with sent():
        booking_cancel(booking=booking, by=mentee.user, enforce_notice=True)
    assert _kinds() == sorted(
        [
            ("booking_cancelled", mentor.user.email),
            ("booking_cancelled", mentee.user.email),
            ("session_booked", mentor.user.email),
            ("session_booked", mentee.user.email),
            ("session_changed", mentee.user.email),  # two changes: two emails (SEQUENCE 1 and 2)
            ("session_changed", mentee.user.email),
        ]
    )
    assert set(OutboxEmail.objects.values_list("state", flat=True)) == {OutboxState.SENT}
    assert len(mail.outbox) == 6
    keys = set(OutboxEmail.objects.values_list("key", flat=True))
    assert f"session_booked:sessions_app.booking:{booking.pk}:{mentee.user.email}" in keys
    assert f"session_changed:sessions_app.mentorshipsession:{session.pk}:seq2:{mentee.user.email}" in keys


def test_the_reminder_goes_once_even_when_its_marker_is_lost(program, mentor, mentee, sent):
    """Two beat runs, and a third after the sent-at marker was cleared (a restored backup, a race): one each."""
    session = make_session(mentor, mentee=mentee)
    _tomorrow(session)
    with sent():
        assert send_reminders() == 1
        assert send_reminders() == 0
    MentorshipSession.objects.filter(pk=session.pk).update(reminder_sent_at=None)
    with sent():
        assert send_reminders() == 1  # the session is claimed again, but its reminders are already in the outbox
    reminders = [m.to[0] for m in mail.outbox if m.subject.startswith("Reminder")]
    assert sorted(reminders) == sorted([mentor.user.email, mentee.user.email])


def test_a_session_moved_after_its_reminder_is_reminded_again_for_the_new_date(program, mentor, mentee, sent):
    session = make_session(mentor, mentee=mentee, day=in_days(1))
    now = session.starts_at - timedelta(hours=20)
    with sent():
        assert session_remind(session_id=session.pk, now=now)
    with sent():
        session_save(
            program=program,
            data=input_from(session, local_date=in_days(3)),
            by=mentor.user,
            publish=True,
            session=MentorshipSession.objects.get(pk=session.pk),
        )
    moved = MentorshipSession.objects.get(pk=session.pk)
    assert moved.reminder_sent_at is None
    with sent():
        assert session_remind(session_id=session.pk, now=moved.starts_at - timedelta(hours=20))
    assert sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Reminder")) == sorted(
        [mentor.user.email, mentee.user.email] * 2
    )


@pytest.mark.django_db(transaction=True)
def test_a_booking_made_while_the_broker_is_down_is_emailed_by_the_sweep(program, mentor, mentee, broker_down):  # noqa: F811
    session = make_session(mentor, day=in_days(8))
    with transaction.atomic():
        booking_create(session=session, mentee=mentee)
    assert mail.outbox == []
    assert outbox.sweep()["sent"] == 2
    assert outbox.sweep()["sent"] == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([mentor.user.email, mentee.user.email])
    assert all(m.attachments for m in mail.outbox if m.to == [mentee.user.email])  # the .ics survives the row


def test_cancelling_a_session_tells_each_booked_mentee_once(program, mentor, mentee, sent):
    session = make_session(mentor, mentee=mentee)
    with sent():
        session_cancel(session=session, by=mentor.user)
        session_cancel(session=MentorshipSession.objects.get(pk=session.pk), by=mentor.user)  # a double click
    assert [m.to for m in mail.outbox if "cancel" in m.subject.lower()] == [[mentee.user.email]]
