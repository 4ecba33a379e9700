"""The email outbox: written with the change, sent after commit, retried by the sweep, never twice."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from mentorship import outbox
from mentorship.celery import app as celery_app
from mentorship.mail import RenderedEmail, queue_email
from mentorship.models import OutboxEmail, OutboxState
from mentorship.tasks import retry_outbox, send_outbox_email

pytestmark = pytest.mark.django_db(transaction=True)


def email_to(address: str, subject: str = "Your request") -> RenderedEmail:
    return RenderedEmail(
        subject=subject,
        body=f"Hello {address}",
        html=None,
        to=[address],
        from_email="Mentorship <noreply@example.org>",
        name="test_message",
    )


@pytest.fixture
def broker_down():
    """Celery's broker is a closed port: publishing fails as it does in an outage (kombu's OperationalError)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_publish_retry
    conf.task_always_eager = False
    conf.broker_url = "redis://127.0.0.1:9/0"
    conf.task_publish_retry = False
    celery_app._pool = celery_app.amqp._producer_pool = None
    yield
    conf.broker_url, conf.task_publish_retry = saved
    celery_app._pool = celery_app.amqp._producer_pool = None
    conf.task_always_eager = True


def test_email_is_a_row_sent_after_commit():
    with transaction.atomic():
        assert queue_email(email_to("nora@example.org")) is True
        row = OutboxEmail.objects.get()
        assert (row.state, row.kind, row.recipient) == (OutboxState.PENDING, "test_message", "nora@example.org")
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [["nora@example.org"]]
    row.refresh_from_db()
    assert row.state == OutboxState.SENT and row.attempts == 1 and row.sent_at is not None


def test_broker_down_at_commit_loses_nothing(broker_down):
    with transaction.atomic():
        queue_email(email_to("nora@example.org"), key="request-sent:matching.request:42:nora@example.org")
    # The commit went through; the broker refused the task, so nothing is sent yet, but the row waits.
    assert mail.outbox == []
    assert OutboxEmail.objects.get().state == OutboxState.PENDING

    assert retry_outbox.apply().get()["sent"] == 1
    assert retry_outbox.apply().get()["sent"] == 0
    assert [m.to for m in mail.outbox] == [["nora@example.org"]]
    assert OutboxEmail.objects.get().state == OutboxState.SENT


def test_the_same_key_twice_sends_one_email():
    key = "request-sent:matching.request:42:mentor@example.org"
    with transaction.atomic():
        assert queue_email(email_to("mentor@example.org"), key=key) is True
    with transaction.atomic():  # the state change retried, in a later transaction
        assert queue_email(email_to("mentor@example.org", subject="Again"), key=key) is False
    with transaction.atomic():
        assert queue_email(email_to("mentor@example.org", subject="Again"), key=key) is False
        assert queue_email(email_to("mentor@example.org", subject="Again"), key=key) is False
    assert [m.subject for m in mail.outbox] == ["Your request"]
    assert OutboxEmail.objects.count() == 1


def test_a_task_for_a_row_already_sent_does_nothing():
    with transaction.atomic():
        queue_email(email_to("nora@example.org"))
    row = OutboxEmail.objects.get()
    assert send_outbox_email.apply(args=[row.pk]).get() is False
    assert outbox.sweep()["sent"] == 0
    assert len(mail.outbox) == 1


def test_a_rolled_back_transaction_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(email_to("nora@example.org"), key="k:1")
        raise RuntimeError("roll back")
    assert OutboxEmail.objects.count() == 0
    assert outbox.sweep()["sent"] == 0
    assert mail.outbox == []
    with transaction.atomic():  # the key is free again: the change that failed may be made for real
        assert queue_email(email_to("nora@example.org"), key="k:1") is True
    assert len(mail.outbox) == 1


def test_a_failing_provider_is_retried_with_backoff_then_marked_failed(settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.RefusesDownExampleBackend"
    with transaction.atomic():
        queue_email(email_to("ok@example.org"))
        queue_email(email_to("gone@down.example"))
    assert [m.to for m in mail.outbox] == [["ok@example.org"]]
    failing = OutboxEmail.objects.get(recipient="gone@down.example")
    assert failing.state == OutboxState.PENDING and failing.attempts == 1
    assert "SMTPRecipientsRefused" in failing.last_error
    now = timezone.now()
    assert now + timedelta(seconds=50) < failing.next_attempt_at < now + timedelta(seconds=70)

    assert outbox.sweep()["claimed"] == 0  # not due yet: no hammering of the provider
    clock, waits = now, []
    for attempt in range(2, outbox.MAX_ATTEMPTS + 1):
        clock = OutboxEmail.objects.get(pk=failing.pk).next_attempt_at
        waits.append(clock)
        assert outbox.sweep(now=clock)["claimed"] == 1
        failing.refresh_from_db()
        assert failing.attempts == attempt
    gaps = [later - earlier for earlier, later in zip(waits, waits[1:], strict=False)]
    assert all(later > earlier for earlier, later in zip(gaps, gaps[1:], strict=False))  # exponential
    assert failing.state == OutboxState.FAILED
    assert outbox.sweep(now=clock + timedelta(days=30))["claimed"] == 0  # failed rows wait for staff
    assert [m.to for m in mail.outbox] == [["ok@example.org"]]
    assert OutboxEmail.objects.get(recipient="ok@example.org").state == OutboxState.SENT


def test_a_row_left_sending_by_a_killed_worker_is_sent_after_its_lease():
    with transaction.atomic():
        row_id = outbox.add(email_to("nora@example.org").as_payload(), key=None, kind="test_message")
    assert outbox.claim(row_id)  # a worker took it, then died before sending
    assert outbox.sweep()["claimed"] == 0  # still within its lease
    assert outbox.sweep(now=timezone.now() + outbox.LEASE + timedelta(seconds=1))["sent"] == 1
    assert [m.to for m in mail.outbox] == [["nora@example.org"]]
    assert OutboxEmail.objects.get().attempts == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_two_concurrent_sweeps_send_each_of_200_rows_exactly_once():
    OutboxEmail.objects.bulk_create(  # 200 rows whose enqueue was lost
        OutboxEmail(
            kind="test_message", recipient=f"p{i}@example.org", payload=email_to(f"p{i}@example.org").as_payload()
        )
        for i in range(200)
    )
    start, results, errors = threading.Barrier(2), [], []

    def run_sweep():
        try:
            start.wait()
            results.append(outbox.sweep(size=10, max_batches=100))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    recipients = [address for message in mail.outbox for address in message.to]
    assert len(recipients) == 200
    assert sorted(set(recipients)) == sorted(f"p{i}@example.org" for i in range(200))
    assert sum(r["sent"] for r in results) == 200
    assert all(r["sent"] > 0 for r in results), results  # both took part: the rows were shared, not serialised
    assert set(OutboxEmail.objects.values_list("state", "attempts")) == {(OutboxState.SENT, 1)}


def test_staff_see_failed_emails_in_the_admin_and_send_them_again(client):
    from django.urls import reverse

    from tests.factories import UserFactory

    failed = OutboxEmail.objects.create(
        kind="session_booked",
        recipient="lost@example.org",
        payload=email_to("lost@example.org").as_payload(),
        state=OutboxState.FAILED,
        attempts=outbox.MAX_ATTEMPTS,
        last_error="SMTPRecipientsRefused: mailbox unavailable",
    )
    OutboxEmail.objects.create(
        kind="invitation", recipient="fine@example.org", payload={}, state=OutboxState.SENT, sent_at=timezone.now()
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:mentorship_outboxemail_changelist")
    page = client.get(url, {"state__exact": "failed"}).content.decode()
    assert "lost@example.org" in page and "fine@example.org" not in page
    assert "Send again" in page
    assert "lost@example.org" in client.get(url, {"q": "lost@"}).content.decode()
    assert "session_booked" in client.get(url, {"kind": "session_booked"}).content.decode()

    response = client.post(url, {"action": "send_again", "_selected_action": [failed.pk]}, follow=True)
    assert "1 failed email queued again." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["lost@example.org"]]
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (OutboxState.SENT, 1)


# ------------------------------------------------------------------ deleted people and organizations (issue 14)


def test_emails_queued_before_a_person_was_deleted_are_not_sent_and_staff_see_why(client, broker_down):
    from accounts.services import user_delete, user_restore
    from organizations.emails import member_added
    from organizations.models import Role
    from tests.factories import ProgramFactory, UserFactory, member

    user = member(ProgramFactory(), Role.MENTEE, email="Nora@Example.org")
    with transaction.atomic():  # queued while they had an account; the broker is down, so they wait
        queue_email(email_to("nora@example.org"))  # the address in another case: the same person
        member_added(user.memberships.get(), None)
    assert set(OutboxEmail.objects.values_list("user", flat=True)) == {user.pk}
    user_delete(user=user)
    assert retry_outbox.apply().get()["skipped"] == 2
    assert mail.outbox == []
    rows = OutboxEmail.objects.all()
    assert {(row.state, row.skip_reason, row.sent_at) for row in rows} == {("skipped", "person_deleted", None)}
    assert retry_outbox.apply().get()["claimed"] == 0  # skipped rows stay skipped

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:mentorship_outboxemail_changelist")
    page = client.get(url, {"state__exact": "skipped"}).content.decode()
    assert "Nora@Example.org" in page and "nora@example.org" in page
    assert "Not sent" in page and "The recipient&#x27;s account was deleted before it was sent." in page

    user_restore(user=user)  # restored: what is queued from now on goes again
    with transaction.atomic():
        queue_email(email_to("nora@example.org", subject="Welcome back"))
    assert retry_outbox.apply().get()["sent"] == 1
    assert [m.subject for m in mail.outbox] == ["Welcome back"]


def test_emails_about_an_organization_deleted_since_they_were_queued_are_not_sent(broker_down):
    from organizations.models import Role
    from organizations.services.invitations import invitation_issue, invitation_resend
    from organizations.services.retention import organization_delete, organization_restore
    from tests.factories import ProgramFactory

    deleted, other = ProgramFactory().organization, ProgramFactory().organization
    with transaction.atomic():
        invitation, _ = invitation_issue(organization=deleted, email="ana@example.org", role=Role.MENTEE)
        invitation_issue(organization=other, email="ana@example.org", role=Role.MENTEE)
    about_deleted = OutboxEmail.objects.get(organization=deleted)
    assert about_deleted.user is None  # no account at that address yet
    organization_delete(organization=deleted)
    assert send_outbox_email.apply(args=[about_deleted.pk]).get() is False  # the task's path
    about_deleted.refresh_from_db()
    assert (about_deleted.state, about_deleted.skip_reason) == ("skipped", "organization_deleted")
    assert retry_outbox.apply().get()["sent"] == 1  # the other organization's invitation to the same address
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert OutboxEmail.objects.get(organization=other).state == OutboxState.SENT

    organization_restore(organization=deleted)
    with transaction.atomic():
        invitation_resend(invitation=invitation)
    assert retry_outbox.apply().get()["sent"] == 1
    assert len(mail.outbox) == 2
